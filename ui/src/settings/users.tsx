// Users (who logs in to the web UI, who administers it) and the API keys of host applications. A new
// API key is shown once, right after it is made: only its hash is kept.
import { useState } from 'react';
import { del, get, patch, post } from '../api.ts';
import { ActionButton, Field, FormButtons, type Me, useFlash, useLoad, useMe } from '../components.tsx';
import { fill, messages, useDateFormat } from '../i18n.tsx';
import { AddBar, ListTable, LoadedList, useEditing } from '../lists.tsx';

/** A user as listed here: what the session says of the logged-in one, and whether they can log in. */
interface User extends Pick<Me, 'id' | 'login' | 'name' | 'email' | 'role' | 'notification' | 'isAdmin'> {
  hasPassword: boolean;
}

interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const useWords = messages({
  en: {
    users: 'Users', keys: 'API keys', create: 'New user', none: 'No user yet.', login: 'Login', name: 'Name', email: 'Email', role: 'Role',
    internal: 'Internal', portal: 'Portal', notification: 'Notified by', byEmail: 'Email', byInbox: 'Inbox', admin: 'Administrator',
    password: 'Password', newPassword: 'New password', passwordHint: 'At least 8 characters; empty keeps the current one.',
    createPasswordHint: 'At least 8 characters; empty: the user cannot log in yet.', canLogIn: 'Can log in', noLogIn: 'No password', you: 'you',
    edit: 'Edit', editing: 'Edit {login}', creating: 'New user', save: 'Save', saving: 'Saving…', saved: 'Saved.', cancel: 'Close',
    portalHint: 'Portal users are always notified by email.',
    keysIntro: 'Host applications call the API with a key (Authorization: Bearer …). A key is shown only once, when it is created.',
    keyName: 'What the key is for', createKey: 'Create a key', creatingKey: 'Creating…', keyCreated: 'Key “{name}” created. Copy it now: it will not be shown again.',
    copy: 'Copy', copied: 'Copied.', copyFailed: 'The browser refused to copy: select the key and copy it by hand.', dismiss: 'I have copied it',
    noKeys: 'No API key yet.', prefix: 'Key', created: 'Created', lastUsed: 'Last used', never: 'never', revoked: 'revoked', active: 'active', state: 'State',
    revoke: 'Revoke', confirmRevoke: 'Revoke “{name}”? Calls with it will be refused.', yes: 'Yes, revoke', no: 'Keep it', revoking: 'Revoking…',
  },
  fr: {
    users: 'Utilisateurs', keys: 'Clés d’API', create: 'Nouvel utilisateur', none: 'Aucun utilisateur pour l’instant.', login: 'Identifiant', name: 'Nom', email: 'E-mail', role: 'Rôle',
    internal: 'Interne', portal: 'Portail', notification: 'Averti par', byEmail: 'E-mail', byInbox: 'Boîte de réception', admin: 'Administrateur',
    password: 'Mot de passe', newPassword: 'Nouveau mot de passe', passwordHint: 'Au moins 8 caractères ; vide garde l’actuel.',
    createPasswordHint: 'Au moins 8 caractères ; vide : l’utilisateur ne peut pas encore se connecter.', canLogIn: 'Peut se connecter', noLogIn: 'Sans mot de passe', you: 'vous',
    edit: 'Modifier', editing: 'Modifier {login}', creating: 'Nouvel utilisateur', save: 'Enregistrer', saving: 'Enregistrement…', saved: 'Enregistré.', cancel: 'Fermer',
    portalHint: 'Les utilisateurs du portail sont toujours avertis par e-mail.',
    keysIntro: 'Les applications hôtes appellent l’API avec une clé (Authorization: Bearer …). Une clé n’est montrée qu’une fois, à sa création.',
    keyName: 'À quoi sert la clé', createKey: 'Créer une clé', creatingKey: 'Création…', keyCreated: 'Clé « {name} » créée. Copiez-la maintenant : elle ne sera plus montrée.',
    copy: 'Copier', copied: 'Copiée.', copyFailed: 'Le navigateur a refusé de copier : sélectionnez la clé et copiez-la à la main.', dismiss: 'Je l’ai copiée',
    noKeys: 'Aucune clé d’API pour l’instant.', prefix: 'Clé', created: 'Créée', lastUsed: 'Dernier usage', never: 'jamais', revoked: 'révoquée', active: 'active', state: 'État',
    revoke: 'Révoquer', confirmRevoke: 'Révoquer « {name} » ? Les appels avec elle seront refusés.', yes: 'Oui, révoquer', no: 'La garder', revoking: 'Révocation…',
  },
});

export function UsersSettings() {
  return (
    <div className="users-settings">
      <UsersSection />
      <ApiKeysSection />
    </div>
  );
}

function UsersSection() {
  const words = useWords();
  const me = useMe();
  const users = useLoad(() => get<User[]>('/api/users'), []);
  const { editing, setEditing, open, opened, isEditing } = useEditing<User>();
  const done = () => {
    setEditing(null);
    void users.reload();
  };
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">{words.users}</h2>
      <AddBar label={words.create} onAdd={() => open('new')} />
      {editing === 'new' && <CreateUserForm key={opened} onDone={done} onClose={() => setEditing(null)} />}
      {editing && editing !== 'new' && <EditUserForm key={opened} user={editing} onDone={() => void users.reload()} onClose={() => setEditing(null)} />}
      <LoadedList loaded={users} empty={words.none}>
        {(items) => (
          <ListTable headers={[words.login, words.name, words.role, words.notification, words.password, '']}>
            {items.map((u) => (
              <tr key={u.id} className={isEditing(u.id) ? 'selected' : undefined}>
                <td>
                  {u.login}
                  {u.id === me.id && <span className="hint"> ({words.you})</span>}
                </td>
                <td>
                  {u.name}
                  {u.email && <div className="hint">{u.email}</div>}
                </td>
                <td>
                  <div className="row">
                    {u.role === 'internal' ? words.internal : words.portal}
                    {u.isAdmin && <span className="state-chip ok">{words.admin}</span>}
                  </div>
                </td>
                <td>{u.notification === 'inbox' ? words.byInbox : words.byEmail}</td>
                <td>{u.hasPassword ? words.canLogIn : <span className="hint">{words.noLogIn}</span>}</td>
                <td>
                  <button type="button" aria-label={`${words.edit} ${u.login}`} onClick={() => open(u)}>
                    {words.edit}
                  </button>
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </LoadedList>
    </section>
  );
}

/** Role, notification and administrator right, shared by the create and edit forms. */
function AccessFields({
  role,
  notification,
  isAdmin,
  onChange,
}: {
  role: User['role'];
  notification: User['notification'];
  isAdmin: boolean;
  onChange: (values: Partial<Pick<User, 'role' | 'notification' | 'isAdmin'>>) => void;
}) {
  const words = useWords();
  return (
    <>
      <Field label={words.role}>
        <select value={role} onChange={(e) => onChange({ role: e.target.value as User['role'], ...(e.target.value === 'portal' ? { notification: 'email', isAdmin: false } : {}) })}>
          <option value="internal">{words.internal}</option>
          <option value="portal">{words.portal}</option>
        </select>
      </Field>
      <Field label={words.notification} {...(role === 'portal' ? { hint: words.portalHint } : {})}>
        <select value={notification} disabled={role === 'portal'} onChange={(e) => onChange({ notification: e.target.value as User['notification'] })}>
          <option value="email">{words.byEmail}</option>
          <option value="inbox">{words.byInbox}</option>
        </select>
      </Field>
      <label className="check">
        <input type="checkbox" checked={isAdmin} disabled={role === 'portal'} onChange={(e) => onChange({ isAdmin: e.target.checked })} /> {words.admin}
      </label>
    </>
  );
}

function CreateUserForm({ onDone, onClose }: { onDone: () => void; onClose: () => void }) {
  const words = useWords();
  const [draft, setDraft] = useState({ login: '', name: '', email: '', role: 'internal' as User['role'], notification: 'email' as User['notification'], isAdmin: false, password: '' });
  const change = (values: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...values }));
  const create = () =>
    post<User>('/api/users', {
      login: draft.login.trim(),
      role: draft.role,
      notification: draft.notification,
      isAdmin: draft.isAdmin,
      ...(draft.password ? { password: draft.password } : {}),
      partner: { name: draft.name.trim(), email: draft.email.trim() || null },
    });
  return (
    <section className="card" aria-label={words.creating}>
      <h3>{words.creating}</h3>
      <div className="grid-form">
        <Field label={words.login}>
          <input value={draft.login} onChange={(e) => change({ login: e.target.value })} autoComplete="off" maxLength={200} />
        </Field>
        <Field label={words.name}>
          <input value={draft.name} onChange={(e) => change({ name: e.target.value })} maxLength={200} />
        </Field>
        <Field label={words.email}>
          <input type="email" value={draft.email} onChange={(e) => change({ email: e.target.value })} maxLength={320} />
        </Field>
        <Field label={words.password} hint={words.createPasswordHint}>
          <input type="password" value={draft.password} onChange={(e) => change({ password: e.target.value })} autoComplete="new-password" />
        </Field>
        <AccessFields role={draft.role} notification={draft.notification} isAdmin={draft.isAdmin} onChange={change} />
      </div>
      <FormButtons words={words} save={create} onSaved={onDone} onCancel={onClose} disabled={!draft.login.trim() || !draft.name.trim()} />
    </section>
  );
}

function EditUserForm({ user, onDone, onClose }: { user: User; onDone: () => void; onClose: () => void }) {
  const words = useWords();
  const [draft, setDraft] = useState({ role: user.role, notification: user.notification, isAdmin: user.isAdmin, password: '' });
  const [flash, setFlash] = useFlash();
  const change = (values: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...values }));
  const title = fill(words.editing, { login: user.login });
  const save = () =>
    patch<User>(`/api/users/${user.id}`, {
      role: draft.role,
      notification: draft.notification,
      isAdmin: draft.isAdmin,
      ...(draft.password ? { password: draft.password } : {}),
    });
  return (
    <section className="card" aria-label={title}>
      <h3>
        {title} <small className="hint">{user.name}</small>
      </h3>
      <div className="grid-form">
        <AccessFields role={draft.role} notification={draft.notification} isAdmin={draft.isAdmin} onChange={change} />
        <Field label={words.newPassword} hint={words.passwordHint}>
          <input type="password" value={draft.password} onChange={(e) => change({ password: e.target.value })} autoComplete="new-password" />
        </Field>
      </div>
      <FormButtons
        words={words}
        save={save}
        onSaved={() => {
          setFlash(words.saved);
          onDone();
        }}
        onCancel={onClose}
        flash={flash}
      />
    </section>
  );
}

function ApiKeysSection() {
  const words = useWords();
  const formatDate = useDateFormat();
  const keys = useLoad(() => get<ApiKey[]>('/api/apikeys'), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copyState, setCopyState] = useState<'copied' | 'failed' | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopyState('copied');
    } catch {
      setCopyState('failed');
    }
  };
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">{words.keys}</h2>
      <p className="hint">{words.keysIntro}</p>
      <form className="row" onSubmit={(e) => e.preventDefault()}>
        <input aria-label={words.keyName} placeholder={words.keyName} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        <ActionButton
          className="primary"
          busy={words.creatingKey}
          disabled={!name.trim()}
          action={() => post<{ id: number; key: string; name: string }>('/api/apikeys', { name: name.trim() })}
          onDone={(result) => {
            const made = result as { key: string; name: string };
            setCreated({ name: made.name, key: made.key });
            setCopyState(null);
            setName('');
            void keys.reload();
          }}
        >
          {words.createKey}
        </ActionButton>
      </form>
      {created && (
        <div className="card new-key" role="status">
          <p>{fill(words.keyCreated, { name: created.name })}</p>
          <div className="row">
            <code className="secret" data-testid="new-api-key">
              {created.key}
            </code>
            <button type="button" onClick={() => void copy()}>
              {words.copy}
            </button>
            <button type="button" onClick={() => setCreated(null)}>
              {words.dismiss}
            </button>
          </div>
          {copyState === 'copied' && <p className="flash">{words.copied}</p>}
          {copyState === 'failed' && <p className="hint">{words.copyFailed}</p>}
        </div>
      )}
      <LoadedList loaded={keys} empty={words.noKeys}>
        {(items) => (
          <ListTable className="api-keys" headers={[words.name, words.prefix, words.created, words.lastUsed, words.state, '']}>
            {items.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>fct_{k.prefix}_…</code>
                </td>
                <td>{formatDate(k.createdAt)}</td>
                <td>{k.lastUsedAt ? formatDate(k.lastUsedAt) : words.never}</td>
                <td>{k.revokedAt ? <span className="state-chip bad">{words.revoked}</span> : <span className="state-chip ok">{words.active}</span>}</td>
                <td>
                  {!k.revokedAt &&
                    (confirming === k.id ? (
                      <div className="row">
                        <span>{fill(words.confirmRevoke, { name: k.name })}</span>
                        <ActionButton
                          className="danger"
                          busy={words.revoking}
                          action={() => del(`/api/apikeys/${k.id}`)}
                          onDone={() => {
                            setConfirming(null);
                            void keys.reload();
                          }}
                        >
                          {words.yes}
                        </ActionButton>
                        <button type="button" onClick={() => setConfirming(null)}>
                          {words.no}
                        </button>
                      </div>
                    ) : (
                      <button type="button" className="danger" aria-label={`${words.revoke} ${k.name}`} onClick={() => setConfirming(k.id)}>
                        {words.revoke}
                      </button>
                    ))}
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </LoadedList>
    </section>
  );
}
