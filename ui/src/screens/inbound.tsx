// Inbound mail (issue 4 §5): every received message with its source, sender, route, state and the
// reason it went where it went; counted and filtered by state; read as headers or raw; processed
// again; and, for what the gateway could not route, attached by hand to the record a person picks.
import { useState, type FormEvent } from 'react';
import { ApiError, get, post, query } from '../api.ts';
import { ActionButton, ErrorNote, Loading, useLoad } from '../components.tsx';
import { HeaderRows, ListTable } from '../lists.tsx';
import { fill, messages, useDateFormat } from '../i18n.tsx';
import { touches, useLive } from '../live.ts';
import { Link, setQuery, useLocation } from '../router.tsx';
import { useThrottled } from './queue.tsx';

const PAGE = 50;
const STATES = ['received', 'routed', 'unrouted', 'dropped', 'bounced', 'failed'] as const;
type State = (typeof STATES)[number];
/** What a person may post on a thread by hand: what the gateway did not post. */
const ATTACHABLE: State[] = ['unrouted', 'dropped', 'failed'];

interface InboundEmail {
  id: number;
  source: string;
  rfcMessageId: string;
  sender: string | null;
  subject: string | null;
  state: State;
  route: string | null;
  reason: string | null;
  recordId: number | null;
  record: { model: string; resId: string; name: string } | null;
  messageId: number | null;
  attempts: number;
  size: number;
  receivedAt: string;
  processedAt: string | null;
}

interface RecordRow {
  id: number;
  model: string;
  resId: string;
  name: string;
}

const useWords = messages({
  en: {
    title: 'Inbound', all: 'All', countsLabel: 'Messages by state', empty: 'No messages match.', newest: '← Newest', older: 'Older →',
    received: 'Received', routed: 'Routed', unrouted: 'Unrouted', dropped: 'Dropped', bounced: 'Bounced', failed: 'Failed',
    date: 'Received', source: 'Source', from: 'From', subject: 'Subject', route: 'Route', state: 'State', reason: 'Reason', noSubject: '(no subject)', select: 'Show message {id}',
    api: 'API', smtp: 'SMTP', imap: 'IMAP', webhook: 'Webhook',
  },
  fr: {
    title: 'Courrier entrant', all: 'Tous', countsLabel: 'Messages par état', empty: 'Aucun message ne correspond.', newest: '← Plus récents', older: 'Plus anciens →',
    received: 'Reçu', routed: 'Acheminé', unrouted: 'Non acheminé', dropped: 'Écarté', bounced: 'Rebond', failed: 'En échec',
    date: 'Reçu le', source: 'Source', from: 'De', subject: 'Objet', route: 'Route', state: 'État', reason: 'Raison', noSubject: '(sans objet)', select: 'Afficher le message {id}',
    api: 'API', smtp: 'SMTP', imap: 'IMAP', webhook: 'Webhook',
  },
});

type Words = ReturnType<typeof useWords>;

function sourceLabel(words: Words, source: string): string {
  return (words as Record<string, string>)[source] ?? source;
}

export function InboundScreen() {
  const words = useWords();
  const formatDate = useDateFormat();
  const { query: params } = useLocation();
  const state = params.get('state') ?? '';
  const selected = Number(params.get('message') ?? 0) || null;
  const [page, setPage] = useState<{ state: string; before: number | undefined }>({ state, before: undefined });
  const before = page.state === state ? page.before : undefined;
  const [tick, setTick] = useState(0);
  const list = useLoad(
    () => get<{ emails: InboundEmail[]; counts: Record<string, number> }>(`/api/inbound${query({ state, before, limit: PAGE })}`),
    [state, before],
  );
  const reloadAll = useThrottled(() => {
    void list.reload();
    setTick((n) => n + 1);
  });
  useLive((change) => {
    if (touches(change, 'inbound')) reloadAll();
  });
  const counts = list.data?.counts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const emails = list.data?.emails ?? [];

  return (
    <section className="inbound">
      <h1>{words.title}</h1>
      <div className="counts" role="group" aria-label={words.countsLabel}>
        <button type="button" className="count" aria-pressed={state === ''} onClick={() => setQuery({ state: undefined, message: undefined })}>
          {words.all} <strong>{total}</strong>
        </button>
        {STATES.map((s) => (
          <button type="button" key={s} className="count" aria-pressed={state === s} data-state={s} onClick={() => setQuery({ state: s, message: undefined })}>
            {words[s]} <strong>{counts[s] ?? 0}</strong>
          </button>
        ))}
      </div>
      <div className={selected !== null ? 'split with-detail' : 'split list-only'}>
        <div className="list-scroll">
          <ErrorNote error={list.error} onRetry={() => void list.reload()} />
          {list.loading && !list.data ? (
            <Loading />
          ) : (
            <ListTable className="inbound-list" headers={[words.date, words.from, words.subject, words.state]}>
              {emails.map((e) => (
                <tr key={e.id} className={e.id === selected ? 'selected' : undefined} data-inbound={e.id}>
                  <td>
                    {formatDate(e.receivedAt)}
                    <span className="hint block">{sourceLabel(words, e.source)}</span>
                  </td>
                  <td>{e.sender ?? '—'}</td>
                  <td>
                    <button type="button" className="link" aria-label={fill(words.select, { id: e.id })} onClick={() => setQuery({ message: String(e.id) })}>
                      {e.subject || words.noSubject}
                    </button>
                    {e.reason && <span className="hint block reason">{e.reason}</span>}
                  </td>
                  <td>
                    <span className={`state-chip ${e.state}`}>{words[e.state]}</span>
                    {e.route && <span className="hint block">{e.route}</span>}
                  </td>
                </tr>
              ))}
            </ListTable>
          )}
          {list.data?.emails.length === 0 && <p className="empty">{words.empty}</p>}
          <div className="pager">
            <button type="button" disabled={before === undefined} onClick={() => setPage({ state, before: undefined })}>
              {words.newest}
            </button>
            <button type="button" disabled={emails.length < PAGE} onClick={() => setPage({ state, before: emails[emails.length - 1]?.id })}>
              {words.older}
            </button>
          </div>
        </div>
        {selected !== null && <InboundDetail id={selected} tick={tick} onChanged={reloadAll} />}
      </div>
    </section>
  );
}

const useDetailWords = messages({
  en: {
    message: 'Message #{id}', close: 'Close', source: 'Source', from: 'From', subject: 'Subject', messageId: 'Message-ID', route: 'Route', reason: 'Reason', record: 'Record',
    attempts: 'Processed', size: 'Size', received: 'Received', processed: 'Last processed', reprocess: 'Re-process', reprocessing: 'Processing…', reprocessed: 'Processed again: {state}.',
    headers: 'Headers', raw: 'Raw', rawCut: 'Only the first {size} KB are shown.', download: 'Download the raw message',
  },
  fr: {
    message: 'Message n°{id}', close: 'Fermer', source: 'Source', from: 'De', subject: 'Objet', messageId: 'Message-ID', route: 'Route', reason: 'Raison', record: 'Enregistrement',
    attempts: 'Traité', size: 'Taille', received: 'Reçu', processed: 'Dernier traitement', reprocess: 'Retraiter', reprocessing: 'Traitement…', reprocessed: 'Traité à nouveau : {state}.',
    headers: 'En-têtes', raw: 'Brut', rawCut: 'Seuls les {size} premiers Ko sont affichés.', download: 'Télécharger le message brut',
  },
});

const RAW_SHOWN = 256 * 1024;

/** The raw message as text (it is message/rfc822, not JSON). */
async function getRaw(id: number): Promise<string> {
  const response = await fetch(`/api/inbound/${id}/raw`, { credentials: 'same-origin' }).catch(() => {
    throw new ApiError(0, 'NETWORK', 'Facteur cannot be reached.');
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText);
  }
  return response.text();
}

/** The header block of a raw message, unfolded, one field per entry. */
function headersOf(raw: string): { name: string; value: string }[] {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  return block.split(/\r?\n/).flatMap((line) => {
    const colon = line.indexOf(':');
    return colon > 0 ? [{ name: line.slice(0, colon), value: line.slice(colon + 1).trim() }] : [];
  });
}

function InboundDetail({ id, tick, onChanged }: { id: number; tick: number; onChanged: () => void }) {
  const words = useDetailWords();
  const listWords = useWords();
  const formatDate = useDateFormat();
  const email = useLoad(() => get<InboundEmail>(`/api/inbound/${id}`), [id, tick]);
  const raw = useLoad(() => getRaw(id), [id]);
  const [tab, setTab] = useState<'headers' | 'raw'>('headers');
  const [result, setResult] = useState<string | null>(null);
  const e = email.data;
  if (!e) {
    return (
      <aside className="card inbound-detail" aria-label={fill(words.message, { id })}>
        {email.error ? <ErrorNote error={email.error} onRetry={() => void email.reload()} /> : <Loading />}
      </aside>
    );
  }
  const changed = (text: string) => {
    setResult(text);
    void email.reload();
    onChanged();
  };
  return (
    <aside className="card inbound-detail" aria-label={fill(words.message, { id })}>
      <div className="row">
        <h2>{fill(words.message, { id })}</h2>
        <span className={`state-chip ${e.state}`} data-testid="inbound-state">
          {listWords[e.state]}
        </span>
        <span className="spacer" />
        <button type="button" className="icon" aria-label={words.close} onClick={() => setQuery({ message: undefined })}>
          ✕
        </button>
      </div>
      <ErrorNote error={email.error} onRetry={() => void email.reload()} />
      <dl className="facts">
        <dt>{words.from}</dt>
        <dd>{e.sender ?? '—'}</dd>
        <dt>{words.subject}</dt>
        <dd>{e.subject ?? '—'}</dd>
        <dt>{words.source}</dt>
        <dd>{sourceLabel(listWords, e.source)}</dd>
        <dt>{words.messageId}</dt>
        <dd>
          <code>{e.rfcMessageId}</code>
        </dd>
        <dt>{words.received}</dt>
        <dd>{formatDate(e.receivedAt)}</dd>
        {e.processedAt && (
          <>
            <dt>{words.processed}</dt>
            <dd>
              {formatDate(e.processedAt)} (×{e.attempts})
            </dd>
          </>
        )}
        {e.route && (
          <>
            <dt>{words.route}</dt>
            <dd>{e.route}</dd>
          </>
        )}
        {e.reason && (
          <>
            <dt>{words.reason}</dt>
            <dd data-testid="inbound-reason">{e.reason}</dd>
          </>
        )}
        {e.record && (
          <>
            <dt>{words.record}</dt>
            <dd>
              <Link to={`/records/${encodeURIComponent(e.record.model)}/${encodeURIComponent(e.record.resId)}`}>{e.record.name}</Link>
            </dd>
          </>
        )}
      </dl>
      <div className="row">
        {e.state !== 'routed' && e.state !== 'bounced' && (
          <ActionButton
            busy={words.reprocessing}
            action={() => post<InboundEmail>(`/api/inbound/${id}/retry`)}
            onDone={(answer) => {
              const after = answer as InboundEmail;
              changed(fill(words.reprocessed, { state: `${listWords[after.state]}${after.route ? ` (${after.route})` : ''}` }));
            }}
          >
            {words.reprocess}
          </ActionButton>
        )}
        {ATTACHABLE.includes(e.state) && <AttachPicker id={id} onAttached={changed} />}
      </div>
      {result && (
        <p className="flash" role="status">
          {result}
        </p>
      )}
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'headers'} onClick={() => setTab('headers')}>
          {words.headers}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'raw'} onClick={() => setTab('raw')}>
          {words.raw}
        </button>
      </div>
      <ErrorNote error={raw.error} onRetry={() => void raw.reload()} />
      {!raw.data && raw.loading && <Loading />}
      {raw.data !== undefined && tab === 'headers' && (
        <table className="list headers">
          <tbody>
            <HeaderRows headers={headersOf(raw.data)} />
          </tbody>
        </table>
      )}
      {raw.data !== undefined && tab === 'raw' && (
        <>
          {raw.data.length > RAW_SHOWN && <p className="hint">{fill(words.rawCut, { size: RAW_SHOWN / 1024 })}</p>}
          <pre className="raw">{raw.data.slice(0, RAW_SHOWN)}</pre>
          <a href={`/api/inbound/${id}/raw`} download={`inbound-${id}.eml`}>
            {words.download}
          </a>
        </>
      )}
    </aside>
  );
}

const usePickerWords = messages({
  en: {
    attach: 'Attach to a record…', cancel: 'Cancel', find: 'Find a record', findPlaceholder: 'Name or id', search: 'Search', none: 'No records match.',
    attachHere: 'Attach here', attachTo: 'Attach to {name}', attaching: 'Attaching…', attached: 'Attached to {name}: the message is now on its thread.',
    hint: 'The message is posted on the record’s thread as a reply by email is: its sender as author when known, its attachments, the followers notified.',
  },
  fr: {
    attach: 'Rattacher à un enregistrement…', cancel: 'Annuler', find: 'Chercher un enregistrement', findPlaceholder: 'Nom ou identifiant', search: 'Rechercher', none: 'Aucun enregistrement ne correspond.',
    attachHere: 'Rattacher ici', attachTo: 'Rattacher à {name}', attaching: 'Rattachement…', attached: 'Rattaché à {name} : le message est maintenant dans sa discussion.',
    hint: 'Le message est publié dans la discussion de l’enregistrement comme une réponse par e-mail : son expéditeur comme auteur s’il est connu, ses pièces jointes, les abonnés notifiés.',
  },
});

function AttachPicker({ id, onAttached }: { id: number; onAttached: (result: string) => void }) {
  const words = usePickerWords();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [text, setText] = useState<string | null>(null);
  const records = useLoad(async () => (text === null ? [] : get<RecordRow[]>(`/api/records${query({ q: text, limit: 10 })}`)), [text]);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {words.attach}
      </button>
    );
  }
  const search = (event: FormEvent) => {
    event.preventDefault();
    setText(typed.trim());
  };
  return (
    <div className="card attach-picker">
      <p className="hint">{words.hint}</p>
      <form className="row" role="search" onSubmit={search}>
        <label>
          {words.find}{' '}
          <input type="search" autoFocus placeholder={words.findPlaceholder} value={typed} onChange={(event) => setTyped(event.target.value)} />
        </label>
        <button type="submit">{words.search}</button>
        <button type="button" className="link" onClick={() => setOpen(false)}>
          {words.cancel}
        </button>
      </form>
      <ErrorNote error={records.error} onRetry={() => void records.reload()} />
      {text !== null && records.loading && <Loading />}
      {text !== null && records.data?.length === 0 && !records.loading && <p className="empty">{words.none}</p>}
      <ul className="picker-results">
        {records.data?.map((r) => (
          <li key={r.id}>
            <span>
              {r.name} <span className="hint">({r.model} {r.resId})</span>
            </span>
            <ActionButton
              aria-label={fill(words.attachTo, { name: r.name })}
              busy={words.attaching}
              action={() => post(`/api/inbound/${id}/attach`, { model: r.model, resId: r.resId })}
              onDone={() => {
                setOpen(false);
                onAttached(fill(words.attached, { name: r.name }));
              }}
            >
              {words.attachHere}
            </ActionButton>
          </li>
        ))}
      </ul>
    </div>
  );
}
