// Incoming servers (seed 000 §3.2): the IMAP mailboxes Facteur reads for replies, bounces and aliases,
// with "Test connection" and "Fetch now". The password goes in and never comes back.
import { useState } from 'react';
import { del, get, patch, post } from '../api.ts';
import { ActionButton, Field, FormButtons, useFlash, useLoad } from '../components.tsx';
import { AddBar, ListTable, LoadedList, useEditing } from '../lists.tsx';
import { fill, messages, useDateFormat } from '../i18n.tsx';
import { ConnectionTest } from './servers.tsx';

type Security = 'none' | 'starttls' | 'tls';

interface IncomingServer {
  id: number;
  name: string;
  host: string;
  port: number;
  security: Security;
  username: string;
  folder: string;
  intervalMinutes: number;
  active: boolean;
  lastFetchAt: string | null;
  lastError: string | null;
  hasPassword: boolean;
}

interface FetchReport {
  unseen: number;
  stored: number;
  duplicates: number;
  failed: number;
  error: string | null;
}

const DEFAULT_PORTS: Record<Security, number> = { tls: 993, starttls: 143, none: 143 };

const useWords = messages({
  en: {
    intro: 'Facteur reads the unseen messages of these mailboxes every few minutes: replies, bounces and mail to aliases.',
    add: 'New incoming server',
    newTitle: 'New incoming server',
    editTitle: 'Edit {name}',
    name: 'Name',
    host: 'Host',
    port: 'Port',
    portHint: 'Empty: the default for the encryption ({port}).',
    security: 'Encryption',
    tls: 'TLS (SSL)',
    starttls: 'STARTTLS',
    none: 'None',
    username: 'Username',
    password: 'Password',
    passwordSet: 'A password is set; type a new one to replace it.',
    passwordUnset: 'No password is set.',
    folder: 'Folder',
    interval: 'Every (minutes)',
    active: 'Active',
    inactive: 'inactive',
    mailbox: 'Mailbox',
    lastFetch: 'Last fetch',
    never: 'never',
    lastError: 'Last error: {error}',
    everyMinutes: 'every {n} min',
    save: 'Save',
    saving: 'Saving…',
    cancel: 'Cancel',
    saved: 'Saved.',
    edit: 'Edit',
    delete: 'Delete',
    deleting: 'Deleting…',
    confirm: 'Delete {name}? The mail it brought stays.',
    confirmYes: 'Yes, delete',
    deleted: 'Server deleted.',
    empty: 'No incoming server: replies reach Facteur only through its SMTP listener or the API.',
    actions: 'Actions',
    fetch: 'Fetch now',
    fetching: 'Fetching…',
    fetched: '{unseen} unseen: {stored} stored, {duplicates} already stored, {failed} failed.',
    fetchStopped: 'The fetch stopped early: {error}',
  },
  fr: {
    intro: 'Facteur lit les messages non lus de ces boîtes toutes les quelques minutes : réponses, rebonds et courrier des alias.',
    add: 'Nouveau serveur entrant',
    newTitle: 'Nouveau serveur entrant',
    editTitle: 'Modifier {name}',
    name: 'Nom',
    host: 'Hôte',
    port: 'Port',
    portHint: 'Vide : le port par défaut du chiffrement ({port}).',
    security: 'Chiffrement',
    tls: 'TLS (SSL)',
    starttls: 'STARTTLS',
    none: 'Aucun',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    passwordSet: 'Un mot de passe est défini ; saisissez-en un nouveau pour le remplacer.',
    passwordUnset: 'Aucun mot de passe n’est défini.',
    folder: 'Dossier',
    interval: 'Toutes les (minutes)',
    active: 'Actif',
    inactive: 'inactif',
    mailbox: 'Boîte',
    lastFetch: 'Dernière relève',
    never: 'jamais',
    lastError: 'Dernière erreur : {error}',
    everyMinutes: 'toutes les {n} min',
    save: 'Enregistrer',
    saving: 'Enregistrement…',
    cancel: 'Annuler',
    saved: 'Enregistré.',
    edit: 'Modifier',
    delete: 'Supprimer',
    deleting: 'Suppression…',
    confirm: 'Supprimer {name} ? Le courrier déjà relevé reste.',
    confirmYes: 'Oui, supprimer',
    deleted: 'Serveur supprimé.',
    empty: 'Aucun serveur entrant : les réponses n’arrivent que par l’écouteur SMTP de Facteur ou par l’API.',
    actions: 'Actions',
    fetch: 'Relever maintenant',
    fetching: 'Relève…',
    fetched: '{unseen} non lus : {stored} enregistrés, {duplicates} déjà enregistrés, {failed} en échec.',
    fetchStopped: 'La relève s’est arrêtée : {error}',
  },
});

export function IncomingSettings() {
  const words = useWords();
  const servers = useLoad(() => get<IncomingServer[]>('/api/incoming-servers'), []);
  const { editing, setEditing, isEditing } = useEditing<IncomingServer>();
  const [flash, setFlash] = useFlash();
  return (
    <div className="settings-incoming">
      <p className="hint">{words.intro}</p>
      <AddBar label={words.add} onAdd={() => setEditing('new')} disabled={editing === 'new'} flash={flash} />
      {editing && (
        <IncomingForm
          key={editing === 'new' ? 'new' : editing.id}
          server={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            setFlash(words.saved);
            void servers.reload();
          }}
        />
      )}
      <LoadedList loaded={servers} empty={words.empty}>
        {(items) => (
          <ListTable headers={[words.name, words.mailbox, words.lastFetch, words.actions]}>
            {items.map((server) => (
              <IncomingRow
                key={server.id}
                server={server}
                onEdit={() => setEditing(server)}
                onFetched={() => void servers.reload()}
                onDeleted={() => {
                  if (isEditing(server.id)) setEditing(null);
                  setFlash(words.deleted);
                  void servers.reload();
                }}
              />
            ))}
          </ListTable>
        )}
      </LoadedList>
    </div>
  );
}

function IncomingRow({ server, onEdit, onFetched, onDeleted }: { server: IncomingServer; onEdit: () => void; onFetched: () => void; onDeleted: () => void }) {
  const words = useWords();
  const formatDate = useDateFormat();
  const [confirming, setConfirming] = useState(false);
  const [report, setReport] = useState<FetchReport | null>(null);
  return (
    <tr data-incoming={server.id}>
      <td>
        {server.name} {!server.active && <span className="state-chip">{words.inactive}</span>}
      </td>
      <td>
        {server.username} · {server.host}:{server.port} · {words[server.security]}
        <div className="hint">
          {server.folder} · {fill(words.everyMinutes, { n: server.intervalMinutes })}
        </div>
      </td>
      <td>
        {server.lastFetchAt ? formatDate(server.lastFetchAt) : words.never}
        {server.lastError && <div className="state-chip bad">{fill(words.lastError, { error: server.lastError })}</div>}
      </td>
      <td>
        <div className="row">
          <button type="button" onClick={onEdit} aria-label={`${words.edit} ${server.name}`}>
            {words.edit}
          </button>
          <ConnectionTest path={`/api/incoming-servers/${server.id}/test`} />
          <span className="connection-test">
            <ActionButton
              busy={words.fetching}
              action={async () => {
                setReport(null);
                return post<FetchReport>(`/api/incoming-servers/${server.id}/fetch`);
              }}
              onDone={(answer) => {
                setReport(answer as FetchReport);
                onFetched();
              }}
            >
              {words.fetch}
            </ActionButton>
            {report && (
              <span className={`test-result ${report.error || report.failed ? 'bad' : 'ok'}`} role="status">
                {report.error ? fill(words.fetchStopped, { error: report.error }) + ' ' : ''}
                {fill(words.fetched, { unseen: report.unseen, stored: report.stored, duplicates: report.duplicates, failed: report.failed })}
              </span>
            )}
          </span>
          {confirming ? (
            <span className="row">
              {fill(words.confirm, { name: server.name })}
              <ActionButton className="danger" busy={words.deleting} action={() => del(`/api/incoming-servers/${server.id}`)} onDone={onDeleted}>
                {words.confirmYes}
              </ActionButton>
              <button type="button" onClick={() => setConfirming(false)}>
                {words.cancel}
              </button>
            </span>
          ) : (
            <button type="button" className="danger" aria-label={`${words.delete} ${server.name}`} onClick={() => setConfirming(true)}>
              {words.delete}
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

function IncomingForm({ server, onSaved, onCancel }: { server: IncomingServer | null; onSaved: () => void; onCancel: () => void }) {
  const words = useWords();
  const [name, setName] = useState(server?.name ?? '');
  const [host, setHost] = useState(server?.host ?? '');
  const [port, setPort] = useState(server ? String(server.port) : '');
  const [security, setSecurity] = useState<Security>(server?.security ?? 'tls');
  const [username, setUsername] = useState(server?.username ?? '');
  const [password, setPassword] = useState('');
  const [folder, setFolder] = useState(server?.folder ?? 'INBOX');
  const [interval, setEvery] = useState(String(server?.intervalMinutes ?? 5));
  const [active, setActive] = useState(server?.active ?? true);
  const save = () => {
    const body: Record<string, unknown> = {
      name: name.trim(),
      host: host.trim(),
      port: port.trim() === '' ? null : Number(port),
      security,
      username: username.trim(),
      folder: folder.trim() || undefined,
      intervalMinutes: interval.trim() === '' ? undefined : Number(interval),
      active,
    };
    // Empty keeps the stored password.
    if (password !== '') body.password = password;
    return server ? patch(`/api/incoming-servers/${server.id}`, body) : post('/api/incoming-servers', body);
  };
  return (
    <div className="card">
      <h2>{server ? fill(words.editTitle, { name: server.name }) : words.newTitle}</h2>
      <div className="grid-form">
        <Field label={words.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field label={words.host}>
          <input value={host} onChange={(e) => setHost(e.target.value)} placeholder="imap.example.com" />
        </Field>
        <Field label={words.port} hint={fill(words.portHint, { port: DEFAULT_PORTS[security] })}>
          <input type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} />
        </Field>
        <Field label={words.security}>
          <select value={security} onChange={(e) => setSecurity(e.target.value as Security)}>
            <option value="tls">{words.tls}</option>
            <option value="starttls">{words.starttls}</option>
            <option value="none">{words.none}</option>
          </select>
        </Field>
        <Field label={words.username}>
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        </Field>
        <Field label={words.password} hint={server?.hasPassword ? words.passwordSet : words.passwordUnset}>
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </Field>
        <Field label={words.folder}>
          <input value={folder} onChange={(e) => setFolder(e.target.value)} />
        </Field>
        <Field label={words.interval}>
          <input type="number" min={1} max={10080} value={interval} onChange={(e) => setEvery(e.target.value)} />
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        {words.active}
      </label>
      <FormButtons words={words} save={save} onSaved={onSaved} onCancel={onCancel} />
    </div>
  );
}
