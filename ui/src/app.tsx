// The application shell: who is logged in, the navigation, and which screen the path shows.
import { useEffect, useState, type ReactNode } from 'react';
import { del, get, onUnauthenticated, patch } from './api.ts';
import { ErrorNote, Loading, SessionContext, useLoad, useMe, useSession, type Me } from './components.tsx';
import { browserLanguage, LanguageContext, messages, type Language } from './i18n.tsx';
import { closeLive, touches, useLive, useLiveStatus } from './live.ts';
import { Link, navigate, useLocation } from './router.tsx';
import { CatcherScreen } from './screens/catcher.tsx';
import { InboundScreen } from './screens/inbound.tsx';
import { InboxScreen } from './screens/inbox.tsx';
import { LoginScreen } from './screens/login.tsx';
import { QueueScreen } from './screens/queue.tsx';
import { RecordScreen } from './screens/record.tsx';
import { RecordsScreen } from './screens/records.tsx';
import { SettingsScreen } from './settings/settings.tsx';

const useWords = messages({
  en: {
    records: 'Records', inbox: 'Inbox', queue: 'Send queue', inbound: 'Inbound', catcher: 'Catcher', settings: 'Settings',
    logOut: 'Log out', language: 'Language', notifyBy: 'Notify me by', byEmail: 'Notify: email', byInbox: 'Notify: inbox', auto: 'Language: auto',
    notFound: 'There is no such page.', adminsOnly: 'Only administrators see this page.', live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…',
    skip: 'Skip to content',
  },
  fr: {
    records: 'Enregistrements', inbox: 'Boîte de réception', queue: 'File d’envoi', inbound: 'Courrier entrant', catcher: 'Capteur', settings: 'Paramètres',
    logOut: 'Se déconnecter', language: 'Langue', notifyBy: 'Me notifier par', byEmail: 'Notifier : e-mail', byInbox: 'Notifier : boîte', auto: 'Langue : auto',
    notFound: 'Cette page n’existe pas.', adminsOnly: 'Seuls les administrateurs voient cette page.', live: 'En direct', connecting: 'Connexion…', reconnecting: 'Reconnexion…',
    skip: 'Aller au contenu',
  },
});

export function App() {
  const session = useLoad(() => get<Me>('/api/session').catch(() => null), []);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => setMe(session.data), [session.data]);
  useEffect(() => onUnauthenticated(() => setMe(null)), []);
  const language: Language = me?.language ?? browserLanguage();
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  if (me === undefined) return <Loading />;
  return (
    <LanguageContext.Provider value={language}>
      {me === null ? (
        <LoginScreen onLoggedIn={setMe} />
      ) : (
        <SessionContext.Provider value={{ me, setMe }}>
          <Shell />
        </SessionContext.Provider>
      )}
    </LanguageContext.Provider>
  );
}

function Screen({ path, query }: { path: string; query: URLSearchParams }): ReactNode {
  const me = useMe();
  const words = useWords();
  const record = /^\/records\/([^/]+)\/([^/]+)$/.exec(path);
  if (record) return <RecordScreen model={decodeURIComponent(record[1]!)} resId={decodeURIComponent(record[2]!)} />;
  if (path === '/' || path === '/records') return me.role === 'internal' ? <RecordsScreen /> : <InboxScreen />;
  if (path === '/inbox') return <InboxScreen />;
  const admin: Record<string, () => ReactNode> = {
    '/queue': () => <QueueScreen />,
    '/inbound': () => <InboundScreen />,
    '/catcher': () => <CatcherScreen />,
  };
  const settings = /^\/settings(?:\/([a-z-]+))?$/.exec(path);
  if (admin[path] || settings) {
    if (!me.isAdmin) return <p className="empty">{words.adminsOnly}</p>;
    return settings ? <SettingsScreen section={settings[1] ?? 'companies'} /> : admin[path]!();
  }
  void query;
  return <p className="empty">{words.notFound}</p>;
}

function Shell() {
  const { path, query } = useLocation();
  const { me } = useSession();
  const words = useWords();
  const nav: [string, string, boolean][] = [
    ['/records', words.records, me.role === 'internal'],
    ['/inbox', words.inbox, true],
    ['/queue', words.queue, me.isAdmin],
    ['/inbound', words.inbound, me.isAdmin],
    ['/catcher', words.catcher, me.isAdmin],
    ['/settings', words.settings, me.isAdmin],
  ];
  const current = (to: string) => path === to || path.startsWith(`${to}/`) || (to === '/records' && path === '/');
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {words.skip}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Facteur
        </Link>
        <nav aria-label="Main">
          {nav
            .filter(([, , shown]) => shown)
            .map(([to, label]) => (
              <Link key={to} to={to} aria-current={current(to) ? 'page' : undefined}>
                {label}
                {to === '/inbox' && <UnreadBadge />}
              </Link>
            ))}
        </nav>
        <LiveIndicator />
        <UserMenu />
      </header>
      <main id="main" tabIndex={-1}>
        <Screen path={path} query={query} />
      </main>
    </div>
  );
}

/** Live updates flowing (green) or being re-established (amber): what is shown may lag meanwhile. */
function LiveIndicator() {
  const words = useWords();
  const status = useLiveStatus();
  useLive(() => {}); // the stream opens with the shell, so the indicator tells the truth on every screen
  const label = { connected: words.live, connecting: words.connecting, reconnecting: words.reconnecting }[status];
  return (
    <span className={`live-indicator ${status}`} role="status" title={label}>
      <span className="dot" aria-hidden="true" /> {label}
    </span>
  );
}

function UnreadBadge() {
  const me = useMe();
  const inbox = useLoad(() => get<{ unread: number }>(`/api/users/${me.id}/inbox?limit=1`), [me.id]);
  useLive((change) => {
    if (touches(change, 'inbox')) void inbox.reload();
  });
  const unread = inbox.data?.unread ?? 0;
  return unread > 0 ? <span className="badge" data-testid="unread-count">{unread}</span> : null;
}

function UserMenu() {
  const { me, setMe } = useSession();
  const words = useWords();
  const [error, setError] = useState<Error | null>(null);
  const change = async (values: Partial<Pick<Me, 'language' | 'notification'>>) => {
    setError(null);
    try {
      setMe({ ...(await patch<Me>('/api/session', values)), embed: null });
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const logOut = async () => {
    await del('/api/session').catch(() => {});
    closeLive();
    setMe(null);
    navigate('/');
  };
  return (
    <div className="user-menu">
      <span className="user-name" title={me.login}>
        {me.name}
      </span>
      <label>
        <span className="sr-only">{words.language}</span>
        <select aria-label={words.language} value={me.language ?? ''} onChange={(e) => void change({ language: (e.target.value || null) as Me['language'] })}>
          <option value="">{words.auto}</option>
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
      </label>
      {me.role === 'internal' && (
        <label>
          <span className="sr-only">{words.notifyBy}</span>
          <select aria-label={words.notifyBy} value={me.notification} onChange={(e) => void change({ notification: e.target.value as Me['notification'] })}>
            <option value="email">{words.byEmail}</option>
            <option value="inbox">{words.byInbox}</option>
          </select>
        </label>
      )}
      <button type="button" className="link" onClick={() => void logOut()}>
        {words.logOut}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}
