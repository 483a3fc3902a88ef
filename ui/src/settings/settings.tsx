// Settings, one section per tab: what an administrator configures (seed 001 §4).
import type { ReactNode } from 'react';
import { messages } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { AliasesSettings } from './aliases.tsx';
import { CompaniesSettings } from './companies.tsx';
import { IncomingSettings } from './incoming.tsx';
import { ServersSettings } from './servers.tsx';
import { SubtypesSettings } from './subtypes.tsx';
import { SweegoSettings } from './sweego.tsx';
import { TemplatesSettings } from './templates.tsx';
import { UsersSettings } from './users.tsx';

const useWords = messages({
  en: { title: 'Settings', companies: 'Companies', aliases: 'Aliases', servers: 'Outgoing servers', incoming: 'Incoming servers', subtypes: 'Subtypes', templates: 'Templates', sweego: 'Sweego', users: 'Users & API keys' },
  fr: { title: 'Paramètres', companies: 'Sociétés', aliases: 'Alias', servers: 'Serveurs sortants', incoming: 'Serveurs entrants', subtypes: 'Sous-types', templates: 'Modèles', sweego: 'Sweego', users: 'Utilisateurs et clés d’API' },
});

const sections: Record<string, () => ReactNode> = {
  companies: () => <CompaniesSettings />,
  aliases: () => <AliasesSettings />,
  servers: () => <ServersSettings />,
  incoming: () => <IncomingSettings />,
  subtypes: () => <SubtypesSettings />,
  templates: () => <TemplatesSettings />,
  sweego: () => <SweegoSettings />,
  users: () => <UsersSettings />,
};

export function SettingsScreen({ section }: { section: string }) {
  const words = useWords();
  const show = sections[section] ?? sections.companies!;
  return (
    <section className="settings">
      <h1>{words.title}</h1>
      <nav className="tabs" aria-label={words.title}>
        {Object.keys(sections).map((key) => (
          <Link key={key} to={`/settings/${key}`} aria-current={key === section ? 'page' : undefined}>
            {words[key as keyof typeof words]}
          </Link>
        ))}
      </nav>
      <div className="settings-body">{show()}</div>
    </section>
  );
}
