// Outgoing servers (seed 000 §3.1, seed 001 §4.3): SMTP, Sweego's relay or the built-in catcher, in
// the order they are tried, with "Test connection". Secrets go in and never come back: the form only
// says whether one is set.
import { useState } from 'react';
import { del, get, patch, post } from '../api.ts';
import { ActionButton, Field, FormButtons, useFlash, useLoad } from '../components.tsx';
import { AddBar, ListTable, LoadedList, useEditing } from '../lists.tsx';
import { fill, messages } from '../i18n.tsx';

type Kind = 'smtp' | 'sweego' | 'catcher';
type Security = 'none' | 'starttls' | 'tls';

interface Server {
  id: number;
  name: string;
  kind: Kind;
  host: string | null;
  port: number | null;
  security: Security;
  username: string | null;
  fromFilter: string | null;
  sequence: number;
  active: boolean;
  deleteAfterDelivery: boolean;
  hasPassword: boolean;
  hasOutboundWebhookSecret: boolean;
  hasInboundWebhookSecret: boolean;
}

type TestResult = { ok: true } | { ok: false; reason: string };

/** Seed 001 §4.3: the port and encryption Sweego's relay takes. */
const SWEEGO_PORT = 2525;
const DEFAULT_PORTS: Record<Security, number> = { starttls: 587, tls: 465, none: 25 };

export const connectionWords = messages({
  en: { test: 'Test connection', testing: 'Testing…', ok: 'Connection succeeded.', failed: 'Connection failed: {reason}' },
  fr: { test: 'Tester la connexion', testing: 'Test en cours…', ok: 'Connexion réussie.', failed: 'La connexion a échoué : {reason}' },
});

const useWords = messages({
  en: {
    intro: 'Mail leaves through the first active server, by sequence, whose From filter accepts the sender.',
    add: 'New outgoing server',
    newTitle: 'New outgoing server',
    editTitle: 'Edit {name}',
    name: 'Name',
    kind: 'Kind',
    smtp: 'SMTP',
    sweego: 'Sweego',
    catcher: 'Built-in catcher (keeps mail inside Facteur)',
    catcherShort: 'Catcher',
    host: 'Host',
    sweegoHost: 'Type smtp.sweego.io',
    port: 'Port',
    portHint: 'Empty: the default for the encryption ({port}).',
    security: 'Encryption',
    starttls: 'STARTTLS',
    tls: 'TLS (SSL)',
    none: 'None',
    username: 'Username',
    usernameRequired: 'Username (required)',
    password: 'Password',
    passwordSet: 'A password is set; type a new one to replace it.',
    passwordUnset: 'No password is set.',
    removePassword: 'Remove the password',
    fromFilter: 'From filter',
    fromFilterHint: 'Whom it may send as: an address or a domain, several separated by commas; empty: anyone.',
    sequence: 'Sequence',
    active: 'Active',
    inactive: 'inactive',
    sweegoFields: 'Sweego',
    outboundSecret: 'Outbound webhook secret',
    inboundSecret: 'Inbound webhook secret',
    secretSet: 'A secret is set; type a new one to replace it.',
    secretUnset: 'No secret is set: copy it from Sweego’s dashboard.',
    removeSecret: 'Remove it',
    deleteAfterDelivery: 'Delete after delivery (once Sweego confirms it)',
    save: 'Save',
    saving: 'Saving…',
    cancel: 'Cancel',
    saved: 'Saved.',
    edit: 'Edit',
    delete: 'Delete',
    deleting: 'Deleting…',
    confirm: 'Delete {name}?',
    confirmYes: 'Yes, delete',
    deleted: 'Server deleted.',
    empty: 'No outgoing server: Facteur keeps every email in the built-in catcher (see Catcher) until one is added.',
    address: 'Address',
    actions: 'Actions',
    yes: 'yes',
    secrets: 'Secrets',
    hasPassword: 'password set',
    hasSecrets: 'webhook secrets: {count} of 2',
  },
  fr: {
    intro: 'Le courrier part par le premier serveur actif, par séquence, dont le filtre d’expéditeur accepte l’expéditeur.',
    add: 'Nouveau serveur sortant',
    newTitle: 'Nouveau serveur sortant',
    editTitle: 'Modifier {name}',
    name: 'Nom',
    kind: 'Type',
    smtp: 'SMTP',
    sweego: 'Sweego',
    catcher: 'Capteur intégré (garde le courrier dans Facteur)',
    catcherShort: 'Capteur',
    host: 'Hôte',
    sweegoHost: 'Saisir smtp.sweego.io',
    port: 'Port',
    portHint: 'Vide : le port par défaut du chiffrement ({port}).',
    security: 'Chiffrement',
    starttls: 'STARTTLS',
    tls: 'TLS (SSL)',
    none: 'Aucun',
    username: 'Nom d’utilisateur',
    usernameRequired: 'Nom d’utilisateur (obligatoire)',
    password: 'Mot de passe',
    passwordSet: 'Un mot de passe est défini ; saisissez-en un nouveau pour le remplacer.',
    passwordUnset: 'Aucun mot de passe n’est défini.',
    removePassword: 'Retirer le mot de passe',
    fromFilter: 'Filtre d’expéditeur',
    fromFilterHint: 'Au nom de qui il peut envoyer : une adresse ou un domaine, plusieurs séparés par des virgules ; vide : tout le monde.',
    sequence: 'Séquence',
    active: 'Actif',
    inactive: 'inactif',
    sweegoFields: 'Sweego',
    outboundSecret: 'Secret du webhook sortant',
    inboundSecret: 'Secret du webhook entrant',
    secretSet: 'Un secret est défini ; saisissez-en un nouveau pour le remplacer.',
    secretUnset: 'Aucun secret n’est défini : copiez-le depuis le tableau de bord Sweego.',
    removeSecret: 'Le retirer',
    deleteAfterDelivery: 'Supprimer après livraison (une fois confirmée par Sweego)',
    save: 'Enregistrer',
    saving: 'Enregistrement…',
    cancel: 'Annuler',
    saved: 'Enregistré.',
    edit: 'Modifier',
    delete: 'Supprimer',
    deleting: 'Suppression…',
    confirm: 'Supprimer {name} ?',
    confirmYes: 'Oui, supprimer',
    deleted: 'Serveur supprimé.',
    empty: 'Aucun serveur sortant : Facteur garde chaque e-mail dans le capteur intégré (voir Capteur) tant qu’il n’y en a pas.',
    address: 'Adresse',
    actions: 'Actions',
    yes: 'oui',
    secrets: 'Secrets',
    hasPassword: 'mot de passe défini',
    hasSecrets: 'secrets de webhook : {count} sur 2',
  },
});

export function ServersSettings() {
  const words = useWords();
  const servers = useLoad(() => get<Server[]>('/api/servers'), []);
  const { editing, setEditing, isEditing } = useEditing<Server>();
  const [flash, setFlash] = useFlash();
  return (
    <div className="settings-servers">
      <p className="hint">{words.intro}</p>
      <AddBar label={words.add} onAdd={() => setEditing('new')} disabled={editing === 'new'} flash={flash} />
      {editing && (
        <ServerForm
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
          <ListTable headers={[words.sequence, words.name, words.kind, words.address, words.fromFilter, words.actions]}>
            {items.map((server) => (
              <ServerRow
                key={server.id}
                server={server}
                onEdit={() => setEditing(server)}
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

function ServerRow({ server, onEdit, onDeleted }: { server: Server; onEdit: () => void; onDeleted: () => void }) {
  const words = useWords();
  const [confirming, setConfirming] = useState(false);
  const kinds: Record<Kind, string> = { smtp: words.smtp, sweego: words.sweego, catcher: words.catcherShort };
  const secrets = Number(server.hasOutboundWebhookSecret) + Number(server.hasInboundWebhookSecret);
  return (
    <tr data-server={server.id}>
      <td>{server.sequence}</td>
      <td>
        {server.name} {!server.active && <span className="state-chip">{words.inactive}</span>}
      </td>
      <td>{kinds[server.kind]}</td>
      <td>
        {server.kind === 'catcher' ? (
          '—'
        ) : (
          <>
            {server.host}:{server.port} · {words[server.security]}
            {server.username && <div className="hint">{server.username}</div>}
            <div className="hint">
              {[server.hasPassword ? words.hasPassword : null, server.kind === 'sweego' ? fill(words.hasSecrets, { count: secrets }) : null].filter(Boolean).join(' · ')}
            </div>
          </>
        )}
      </td>
      <td>{server.fromFilter ?? '—'}</td>
      <td>
        <div className="row">
          <button type="button" onClick={onEdit} aria-label={`${words.edit} ${server.name}`}>
            {words.edit}
          </button>
          <ConnectionTest path={`/api/servers/${server.id}/test`} />
          {confirming ? (
            <span className="row">
              {fill(words.confirm, { name: server.name })}
              <ActionButton className="danger" busy={words.deleting} action={() => del(`/api/servers/${server.id}`)} onDone={onDeleted}>
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

/** "Test connection", its answer in words: success, or what the server said. */
export function ConnectionTest({ path }: { path: string }) {
  const words = connectionWords();
  const [result, setResult] = useState<TestResult | null>(null);
  return (
    <span className="connection-test">
      <ActionButton busy={words.testing} action={async () => {
          setResult(null);
          return post<TestResult>(path);
        }} onDone={(answer) => setResult(answer as TestResult)}>
        {words.test}
      </ActionButton>
      {result && (
        <span className={`test-result ${result.ok ? 'ok' : 'bad'}`} role="status">
          {result.ok ? words.ok : fill(words.failed, { reason: result.reason })}
        </span>
      )}
    </span>
  );
}

function ServerForm({ server, onSaved, onCancel }: { server: Server | null; onSaved: () => void; onCancel: () => void }) {
  const words = useWords();
  const [name, setName] = useState(server?.name ?? '');
  const [kind, setKind] = useState<Kind>(server?.kind ?? 'smtp');
  const [host, setHost] = useState(server?.host ?? '');
  const [port, setPort] = useState(server?.port != null ? String(server.port) : '');
  const [security, setSecurity] = useState<Security>(server?.security ?? 'starttls');
  const [username, setUsername] = useState(server?.username ?? '');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [fromFilter, setFromFilter] = useState(server?.fromFilter ?? '');
  const [sequence, setSequence] = useState(String(server?.sequence ?? 10));
  const [active, setActive] = useState(server?.active ?? true);
  const [deleteAfterDelivery, setDeleteAfterDelivery] = useState(server?.deleteAfterDelivery ?? false);
  const [outboundSecret, setOutboundSecret] = useState('');
  const [inboundSecret, setInboundSecret] = useState('');
  const [removeOutbound, setRemoveOutbound] = useState(false);
  const [removeInbound, setRemoveInbound] = useState(false);

  const chooseKind = (next: Kind) => {
    setKind(next);
    if (next === 'sweego') {
      // Seed 001 §4.3: Sweego fills port and encryption, and blanks the host, which is typed in.
      setPort(String(SWEEGO_PORT));
      setSecurity('starttls');
      setHost('');
    } else if (next === 'smtp' && kind === 'sweego') {
      setPort('');
    } else if (next === 'catcher') {
      setHost('');
      setPort('');
      setUsername('');
      setPassword('');
    }
  };

  const save = () => {
    const integer = (text: string) => (text.trim() === '' ? null : Number(text));
    const body: Record<string, unknown> = {
      name: name.trim(),
      kind,
      fromFilter: fromFilter.trim() || null,
      sequence: integer(sequence) ?? 10,
      active,
      deleteAfterDelivery: kind === 'sweego' && deleteAfterDelivery,
    };
    if (kind !== 'catcher') {
      Object.assign(body, { host: host.trim(), port: integer(port), security, username: username.trim() || null });
      // Empty keeps the stored password (absent), unless asked to remove it.
      if (password !== '') body.password = password;
      else if (removePassword) body.password = null;
    }
    if (kind === 'sweego') {
      if (outboundSecret.trim() !== '') body.outboundWebhookSecret = outboundSecret.trim();
      else if (removeOutbound) body.outboundWebhookSecret = null;
      if (inboundSecret.trim() !== '') body.inboundWebhookSecret = inboundSecret.trim();
      else if (removeInbound) body.inboundWebhookSecret = null;
    }
    return server ? patch<Server>(`/api/servers/${server.id}`, body) : post<Server>('/api/servers', body);
  };

  const keptSweego = server?.kind === 'sweego';
  return (
    <div className="card">
      <h2>{server ? fill(words.editTitle, { name: server.name }) : words.newTitle}</h2>
      <div className="grid-form">
        <Field label={words.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field label={words.kind}>
          <select value={kind} onChange={(e) => chooseKind(e.target.value as Kind)}>
            <option value="smtp">{words.smtp}</option>
            <option value="sweego">{words.sweego}</option>
            <option value="catcher">{words.catcher}</option>
          </select>
        </Field>
        {kind !== 'catcher' && (
          <>
            <Field label={words.host}>
              <input value={host} onChange={(e) => setHost(e.target.value)} placeholder={kind === 'sweego' ? words.sweegoHost : 'smtp.example.com'} />
            </Field>
            <Field label={words.port} hint={fill(words.portHint, { port: kind === 'sweego' ? SWEEGO_PORT : DEFAULT_PORTS[security] })}>
              <input type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} />
            </Field>
            <Field label={words.security}>
              <select value={security} onChange={(e) => setSecurity(e.target.value as Security)}>
                <option value="starttls">{words.starttls}</option>
                <option value="tls">{words.tls}</option>
                <option value="none">{words.none}</option>
              </select>
            </Field>
            <Field label={kind === 'sweego' ? words.usernameRequired : words.username}>
              <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" required={kind === 'sweego'} />
            </Field>
            <Field label={words.password} hint={server?.hasPassword ? words.passwordSet : words.passwordUnset}>
              <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" disabled={removePassword} />
            </Field>
          </>
        )}
        <Field label={words.fromFilter} hint={words.fromFilterHint}>
          <input value={fromFilter} onChange={(e) => setFromFilter(e.target.value)} placeholder="notifications@example.com" />
        </Field>
        <Field label={words.sequence}>
          <input type="number" value={sequence} onChange={(e) => setSequence(e.target.value)} />
        </Field>
      </div>
      <div className="row">
        <label className="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          {words.active}
        </label>
        {kind !== 'catcher' && server?.hasPassword && (
          <label className="check">
            <input type="checkbox" checked={removePassword} onChange={(e) => setRemovePassword(e.target.checked)} />
            {words.removePassword}
          </label>
        )}
      </div>
      {kind === 'sweego' && (
        <fieldset className="sweego-fields">
          <legend>{words.sweegoFields}</legend>
          <div className="grid-form">
            <SecretField label={words.outboundSecret} value={outboundSecret} onChange={setOutboundSecret} isSet={keptSweego && server.hasOutboundWebhookSecret} remove={removeOutbound} onRemove={setRemoveOutbound} />
            <SecretField label={words.inboundSecret} value={inboundSecret} onChange={setInboundSecret} isSet={keptSweego && server.hasInboundWebhookSecret} remove={removeInbound} onRemove={setRemoveInbound} />
          </div>
          <label className="check">
            <input type="checkbox" checked={deleteAfterDelivery} onChange={(e) => setDeleteAfterDelivery(e.target.checked)} />
            {words.deleteAfterDelivery}
          </label>
        </fieldset>
      )}
      <FormButtons words={words} save={save} onSaved={onSaved} onCancel={onCancel} />
    </div>
  );
}

function SecretField(props: { label: string; value: string; onChange: (value: string) => void; isSet: boolean; remove: boolean; onRemove: (remove: boolean) => void }) {
  const words = useWords();
  return (
    <div className="secret-field">
      <Field label={props.label} hint={props.isSet ? words.secretSet : words.secretUnset}>
        <input type="password" value={props.value} onChange={(e) => props.onChange(e.target.value)} autoComplete="off" disabled={props.remove} />
      </Field>
      {props.isSet && (
        <label className="check">
          <input type="checkbox" checked={props.remove} onChange={(e) => props.onRemove(e.target.checked)} aria-label={`${words.removeSecret}: ${props.label}`} />
          {words.removeSecret}
        </label>
      )}
    </div>
  );
}
