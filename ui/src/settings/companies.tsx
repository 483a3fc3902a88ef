// Companies and their alias domain (seed 001 §4.2): the domain replies come back to, and the local
// parts of its catchall (Reply-To), bounce and notifications (From) addresses.
import { useState, type ReactNode } from 'react';
import { get, patch, post } from '../api.ts';
import { Field, FormButtons, useFlash, useLoad } from '../components.tsx';
import { AddBar, HiddenHeader, ListTable, LoadedList } from '../lists.tsx';
import { fill, messages } from '../i18n.tsx';

interface AliasDomain {
  domain: string;
  catchall: string;
  bounce: string;
  defaultFrom: string;
}

export interface Company {
  id: number;
  name: string;
  aliasDomain: AliasDomain | null;
}

const useWords = messages({
  en: {
    title: 'Companies',
    intro: 'Each company may have an alias domain: replies, bounces and notifications use addresses on it.',
    add: 'New company',
    name: 'Name',
    domain: 'Alias domain',
    addresses: 'Addresses',
    none: 'No company yet.',
    noDomain: 'No alias domain: replies to this company’s records cannot come back.',
    catchall: 'Catchall (Reply-To) local part',
    bounce: 'Bounce local part',
    defaultFrom: 'Notifications (From) local part',
    catchallAddress: 'Replies',
    bounceAddress: 'Bounces',
    fromAddress: 'Notifications from',
    edit: 'Edit',
    editTitle: 'Edit {name}',
    newTitle: 'New company',
    save: 'Save',
    saving: 'Saving…',
    cancel: 'Cancel',
    saved: 'Saved.',
    domainHint: 'e.g. example.com; leave empty for none.',
    keepDomain: 'An alias domain cannot be removed, only changed.',
    actions: 'Actions',
  },
  fr: {
    title: 'Sociétés',
    intro: 'Chaque société peut avoir un domaine alias : les réponses, les rebonds et les notifications utilisent des adresses sur ce domaine.',
    add: 'Nouvelle société',
    name: 'Nom',
    domain: 'Domaine alias',
    addresses: 'Adresses',
    none: 'Aucune société pour l’instant.',
    noDomain: 'Pas de domaine alias : les réponses aux enregistrements de cette société ne peuvent pas revenir.',
    catchall: 'Partie locale du catchall (Reply-To)',
    bounce: 'Partie locale des rebonds',
    defaultFrom: 'Partie locale des notifications (From)',
    catchallAddress: 'Réponses',
    bounceAddress: 'Rebonds',
    fromAddress: 'Notifications de',
    edit: 'Modifier',
    editTitle: 'Modifier {name}',
    newTitle: 'Nouvelle société',
    save: 'Enregistrer',
    saving: 'Enregistrement…',
    cancel: 'Annuler',
    saved: 'Enregistré.',
    domainHint: 'p. ex. example.com ; laisser vide pour aucun.',
    keepDomain: 'Un domaine alias ne peut pas être retiré, seulement changé.',
    actions: 'Actions',
  },
});

const pagerWords = messages({
  en: { previous: '← Previous', next: 'Next →', page: 'Page {n} of {of}' },
  fr: { previous: '← Précédent', next: 'Suivant →', page: 'Page {n} sur {of}' },
});

/** Settings lists come whole from the API; past a page, they are shown a page at a time. */
export function usePage<T>(rows: T[] | undefined, size = 50): { rows: T[]; pager: ReactNode } {
  const words = pagerWords();
  const [page, setPage] = useState(0);
  const all = rows ?? [];
  const pages = Math.max(1, Math.ceil(all.length / size));
  const current = Math.min(page, pages - 1);
  const pager =
    pages > 1 ? (
      <div className="pager">
        <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
          {words.previous}
        </button>
        <span>{fill(words.page, { n: current + 1, of: pages })}</span>
        <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
          {words.next}
        </button>
      </div>
    ) : null;
  return { rows: all.slice(current * size, (current + 1) * size), pager };
}

export function CompaniesSettings() {
  const words = useWords();
  const companies = useLoad(() => get<Company[]>('/api/companies'), []);
  const [editing, setEditing] = useState<Company | 'new' | null>(null);
  const [flash, setFlash] = useFlash();
  const { rows, pager } = usePage(companies.data);
  const done = () => {
    setEditing(null);
    setFlash(words.saved);
    void companies.reload();
  };
  return (
    <div className="settings-companies">
      <p className="hint">{words.intro}</p>
      <AddBar label={words.add} onAdd={() => setEditing('new')} disabled={editing === 'new'} flash={flash} />
      {editing && <CompanyForm key={editing === 'new' ? 'new' : editing.id} company={editing === 'new' ? null : editing} onSaved={done} onCancel={() => setEditing(null)} />}
      <LoadedList loaded={companies} empty={words.none}>
        {() => (
          <ListTable headers={[words.name, words.domain, words.addresses, <HiddenHeader>{words.actions}</HiddenHeader>]}>
            {rows.map((company) => (
              <tr key={company.id} data-company={company.id}>
                <td>{company.name}</td>
                <td>{company.aliasDomain?.domain ?? '—'}</td>
                <td>{company.aliasDomain ? <Addresses alias={company.aliasDomain} /> : <span className="hint">{words.noDomain}</span>}</td>
                <td>
                  <button type="button" onClick={() => setEditing(company)} aria-label={`${words.edit} ${company.name}`}>
                    {words.edit}
                  </button>
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </LoadedList>
      {pager}
    </div>
  );
}

function Addresses({ alias }: { alias: AliasDomain }) {
  const words = useWords();
  const at = (local: string) => `${local}@${alias.domain}`;
  return (
    <dl className="addresses">
      <dt>{words.catchallAddress}</dt>
      <dd>{at(alias.catchall)}</dd>
      <dt>{words.bounceAddress}</dt>
      <dd>{at(alias.bounce)}</dd>
      <dt>{words.fromAddress}</dt>
      <dd>{at(alias.defaultFrom)}</dd>
    </dl>
  );
}

function CompanyForm({ company, onSaved, onCancel }: { company: Company | null; onSaved: () => void; onCancel: () => void }) {
  const words = useWords();
  const [name, setName] = useState(company?.name ?? '');
  const [domain, setDomain] = useState(company?.aliasDomain?.domain ?? '');
  const [catchall, setCatchall] = useState(company?.aliasDomain?.catchall ?? 'catchall');
  const [bounce, setBounce] = useState(company?.aliasDomain?.bounce ?? 'bounce');
  const [defaultFrom, setDefaultFrom] = useState(company?.aliasDomain?.defaultFrom ?? 'notifications');
  const trimmed = domain.trim();
  const save = () => {
    // Empty local parts fall back to the server's defaults rather than being refused for length.
    const aliasDomain = trimmed
      ? { domain: trimmed, catchall: catchall.trim() || undefined, bounce: bounce.trim() || undefined, defaultFrom: defaultFrom.trim() || undefined }
      : undefined;
    const body = { name: name.trim(), aliasDomain };
    return company ? patch<Company>(`/api/companies/${company.id}`, body) : post<Company>('/api/companies', body);
  };
  return (
    <div className="card">
      <h2>{company ? fill(words.editTitle, { name: company.name }) : words.newTitle}</h2>
      <div className="grid-form">
        <Field label={words.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field label={words.domain} hint={company?.aliasDomain ? words.keepDomain : words.domainHint}>
          <input value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="example.com" />
        </Field>
        <Field label={words.catchall}>
          <input value={catchall} onChange={(e) => setCatchall(e.target.value)} disabled={!trimmed} />
        </Field>
        <Field label={words.bounce}>
          <input value={bounce} onChange={(e) => setBounce(e.target.value)} disabled={!trimmed} />
        </Field>
        <Field label={words.defaultFrom}>
          <input value={defaultFrom} onChange={(e) => setDefaultFrom(e.target.value)} disabled={!trimmed} />
        </Field>
      </div>
      {trimmed && (
        <Addresses alias={{ domain: trimmed.toLowerCase(), catchall: catchall.trim() || 'catchall', bounce: bounce.trim() || 'bounce', defaultFrom: defaultFrom.trim() || 'notifications' }} />
      )}
      <FormButtons words={words} save={save} onSaved={onSaved} onCancel={onCancel} />
    </div>
  );
}
