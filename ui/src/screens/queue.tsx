// The send queue (seed 002 "file d'envoi"): one entry per email recipient, counted and filtered by
// state, channel, company and recipient; "Send pending now" and "Retry errors" for the whole queue,
// Retry and Cancel for one entry; and each entry's email as it is (or would be) sent, with the
// server's own words when it failed.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { get, post, query } from '../api.ts';
import { ActionButton, ErrorNote, Loading, useLoad } from '../components.tsx';
import { HeaderRows, ListTable } from '../lists.tsx';
import { fill, messages, useDateFormat } from '../i18n.tsx';
import { touches, useLive } from '../live.ts';
import { Link, setQuery, useLocation } from '../router.tsx';

const PAGE = 50;
const STATES = ['queued', 'sending', 'sent', 'delivered', 'exception', 'canceled'] as const;
type State = (typeof STATES)[number];

interface Entry {
  id: number;
  channel: 'email' | 'sms';
  state: State;
  messageId: number | null;
  emailTo: string | null;
  attempts: number;
  nextAttemptAt: string;
  emailFrom: string | null;
  replyTo: string | null;
  subject: string | null;
  rfcMessageId: string | null;
  serverId: number | null;
  failureType: string | null;
  failureReason: string | null;
  sentAt: string | null;
  createdAt: string;
  messageSubject: string | null;
  record: { model: string; resId: string; name: string } | null;
}

interface Email {
  source: 'caught' | 'composed';
  headers: { name: string; value: string }[];
  from: string | null;
  to: string | null;
  replyTo: string | null;
  subject: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  date: string | null;
  html: string | null;
  text: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
  envelope: { from: string; to: string[] } | null;
}

interface Detail {
  entry: Entry;
  email: Email | null;
  wouldNotSend: { failureType: string; reason: string } | null;
}

interface BatchReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

const useWords = messages({
  en: {
    title: 'Send queue', all: 'All', sendNow: 'Send pending now', sending: 'Sending…', retryErrors: 'Retry errors', retrying: 'Requeuing…',
    sent: '{sent} sent, {failed} failed, {retried} to retry later', nothingDue: 'Nothing was due.', requeued: '{count} entries queued again.', noErrors: 'No entries in error.',
    state: 'State', channel: 'Channel', anyChannel: 'All channels', company: 'Company', anyCompany: 'All companies', recipient: 'Recipient', recipientPlaceholder: 'Part of the address',
    filter: 'Filter', clear: 'Clear filters', countsLabel: 'Entries by state', empty: 'No entries match.', newest: '← Newest', older: 'Older →',
    id: '#', subject: 'Subject', record: 'Record', attempts: 'Attempts', when: 'Date', noSubject: '(no subject)', notice: 'Notice from Facteur',
    next: 'next attempt {date}', sentAt: 'sent {date}', select: 'Show entry {id}',
    queued: 'Queued', sendingState: 'Sending', sentState: 'Sent', delivered: 'Delivered', exception: 'Error', canceled: 'Canceled',
    email: 'Email', sms: 'SMS',
  },
  fr: {
    title: 'File d’envoi', all: 'Tous', sendNow: 'Envoyer les messages en attente', sending: 'Envoi…', retryErrors: 'Renvoyer les messages en erreur', retrying: 'Remise en file…',
    sent: '{sent} envoyé(s), {failed} en échec, {retried} à réessayer plus tard', nothingDue: 'Rien n’était à envoyer.', requeued: '{count} message(s) remis en file.', noErrors: 'Aucun message en erreur.',
    state: 'État', channel: 'Canal', anyChannel: 'Tous les canaux', company: 'Société', anyCompany: 'Toutes les sociétés', recipient: 'Destinataire', recipientPlaceholder: 'Partie de l’adresse',
    filter: 'Filtrer', clear: 'Effacer les filtres', countsLabel: 'Messages par état', empty: 'Aucun message ne correspond.', newest: '← Plus récents', older: 'Plus anciens →',
    id: 'n°', subject: 'Objet', record: 'Enregistrement', attempts: 'Tentatives', when: 'Date', noSubject: '(sans objet)', notice: 'Avis de Facteur',
    next: 'prochain essai {date}', sentAt: 'envoyé {date}', select: 'Afficher le message {id}',
    queued: 'En attente', sendingState: 'En cours d’envoi', sentState: 'Envoyé', delivered: 'Arrivé', exception: 'En erreur', canceled: 'Annulé',
    email: 'E-mail', sms: 'SMS',
  },
});

type Words = ReturnType<typeof useWords>;

export function stateLabel(words: Words, state: State): string {
  const labels: Record<State, string> = { queued: words.queued, sending: words.sendingState, sent: words.sentState, delivered: words.delivered, exception: words.exception, canceled: words.canceled };
  return labels[state];
}

/**
 * Calls `fn` at most once every `ms`: a burst of live changes (a post to 10,000 followers settles
 * batch after batch) becomes a reload now and one at the end, not one per batch.
 */
export function useThrottled(fn: () => void, ms = 500): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timing = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | undefined }>({ last: 0, timer: undefined });
  useEffect(() => () => clearTimeout(timing.current.timer), []);
  return useCallback(() => {
    const t = timing.current;
    if (t.timer !== undefined) return; // a call is already planned; it will see this change too
    const run = () => {
      t.timer = undefined;
      t.last = Date.now();
      latest.current();
    };
    const wait = t.last + ms - Date.now();
    if (wait <= 0) run();
    else t.timer = setTimeout(run, wait);
  }, [ms]);
}

export function QueueScreen() {
  const words = useWords();
  const formatDate = useDateFormat();
  const { query: params } = useLocation();
  const state = params.get('state') ?? '';
  const channel = params.get('channel') ?? '';
  const companyId = params.get('company') ?? '';
  const recipient = params.get('recipient') ?? '';
  const selected = Number(params.get('entry') ?? 0) || null;
  const [typed, setTyped] = useState(recipient);
  // The page's cursor belongs to the filters it was read with: other filters start at the newest.
  const filters = [state, channel, companyId, recipient].join('\u0000');
  const [page, setPage] = useState<{ filters: string; before: number | undefined }>({ filters, before: undefined });
  const before = page.filters === filters ? page.before : undefined;
  const setBefore = (value: number | undefined) => setPage({ filters, before: value });
  const [result, setResult] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  const counts = useLoad(() => get<Record<string, number>>('/api/outbox/counts'), []);
  const companies = useLoad(() => get<{ id: number; name: string }[]>('/api/companies'), []);
  const list = useLoad(
    () => get<Entry[]>(`/api/outbox${query({ state, channel, companyId, recipient, before, limit: PAGE })}`),
    [state, channel, companyId, recipient, before],
  );
  const reloadAll = useThrottled(() => {
    void counts.reload();
    void list.reload();
    setTick((n) => n + 1);
  });
  useLive((change) => {
    if (touches(change, 'outbox')) reloadAll();
  });

  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ recipient: typed.trim() || undefined });
  };
  const total = Object.values(counts.data ?? {}).reduce((a, b) => a + b, 0);
  const entries = list.data ?? [];

  return (
    <section className="queue">
      <h1>{words.title}</h1>
      <div className="row queue-actions">
        <ActionButton
          className="primary"
          busy={words.sending}
          action={() => post<BatchReport>('/api/outbox/send')}
          onDone={(report) => {
            const r = report as BatchReport;
            setResult(r.claimed === 0 ? words.nothingDue : fill(words.sent, { sent: r.sent, failed: r.failed, retried: r.retried }));
            reloadAll();
          }}
        >
          {words.sendNow}
        </ActionButton>
        <ActionButton
          busy={words.retrying}
          disabled={!counts.data?.exception}
          action={() => post<{ requeued: number[] }>('/api/outbox/retry')}
          onDone={(answer) => {
            const n = (answer as { requeued: number[] }).requeued.length;
            setResult(n === 0 ? words.noErrors : fill(words.requeued, { count: n }));
            reloadAll();
          }}
        >
          {words.retryErrors}
        </ActionButton>
        <p className="flash" role="status" aria-live="polite" data-testid="queue-result">
          {result}
        </p>
      </div>

      <div className="counts" role="group" aria-label={words.countsLabel}>
        <button type="button" className="count" aria-pressed={state === ''} onClick={() => setQuery({ state: undefined, entry: undefined })}>
          {words.all} <strong>{total}</strong>
        </button>
        {STATES.map((s) => (
          <button type="button" key={s} className={`count state-${s}`} aria-pressed={state === s} data-state={s} onClick={() => setQuery({ state: s, entry: undefined })}>
            {stateLabel(words, s)} <strong>{counts.data?.[s] ?? 0}</strong>
          </button>
        ))}
      </div>
      <ErrorNote error={counts.error} onRetry={() => void counts.reload()} />

      <form className="filters" role="search" onSubmit={search}>
        <label>
          {words.state}{' '}
          <select aria-label={words.state} value={state} onChange={(e) => setQuery({ state: e.target.value || undefined, entry: undefined })}>
            <option value="">{words.all}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(words, s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {words.channel}{' '}
          <select aria-label={words.channel} value={channel} onChange={(e) => setQuery({ channel: e.target.value || undefined, entry: undefined })}>
            <option value="">{words.anyChannel}</option>
            <option value="email">{words.email}</option>
            <option value="sms">{words.sms}</option>
          </select>
        </label>
        <label>
          {words.company}{' '}
          <select aria-label={words.company} value={companyId} onChange={(e) => setQuery({ company: e.target.value || undefined, entry: undefined })}>
            <option value="">{words.anyCompany}</option>
            {companies.data?.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {words.recipient}{' '}
          <input type="search" aria-label={words.recipient} placeholder={words.recipientPlaceholder} value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
        <button type="submit">{words.filter}</button>
        {(state || channel || companyId || recipient) && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setTyped('');
              setQuery({ state: undefined, channel: undefined, company: undefined, recipient: undefined, entry: undefined });
            }}
          >
            {words.clear}
          </button>
        )}
      </form>

      <div className={selected !== null ? 'split with-detail' : 'split list-only'}>
        <div className="list-scroll">
          <ErrorNote error={list.error} onRetry={() => void list.reload()} />
          {list.loading && !list.data ? (
            <Loading />
          ) : (
            <ListTable className="queue-list" headers={[words.id, words.state, words.recipient, words.subject, words.attempts, words.when]}>
              {entries.map((e) => (
                <tr key={e.id} className={e.id === selected ? 'selected' : undefined} data-entry={e.id}>
                  <td>{e.id}</td>
                  <td>
                    <span className={`state-chip ${e.state}`}>{stateLabel(words, e.state)}</span>
                  </td>
                  <td>
                    {e.emailTo ?? '—'}
                    {e.state === 'exception' && e.failureReason && <span className="failure">{e.failureReason}</span>}
                  </td>
                  <td>
                    <button type="button" className="link" aria-label={fill(words.select, { id: e.id })} onClick={() => setQuery({ entry: String(e.id) })}>
                      {e.subject ?? e.messageSubject ?? e.record?.name ?? words.noSubject}
                    </button>
                    {e.record
                      ? (e.subject ?? e.messageSubject) && <span className="hint"> · {e.record.name}</span>
                      : e.messageId === null && <span className="hint"> · {words.notice}</span>}
                  </td>
                  <td>{e.attempts}</td>
                  <td>
                    {formatDate(e.createdAt)}
                    {e.state === 'queued' && <span className="hint block">{fill(words.next, { date: formatDate(e.nextAttemptAt) })}</span>}
                    {e.sentAt && <span className="hint block">{fill(words.sentAt, { date: formatDate(e.sentAt) })}</span>}
                  </td>
                </tr>
              ))}
            </ListTable>
          )}
          {list.data?.length === 0 && <p className="empty">{words.empty}</p>}
          <div className="pager">
            <button type="button" disabled={before === undefined} onClick={() => setBefore(undefined)}>
              {words.newest}
            </button>
            <button type="button" disabled={entries.length < PAGE} onClick={() => setBefore(entries[entries.length - 1]?.id)}>
              {words.older}
            </button>
          </div>
        </div>
        {selected !== null && (
          <EntryDetail
            id={selected}
            tick={tick}
            onChanged={(text) => {
              setResult(text);
              reloadAll();
            }}
          />
        )}
      </div>
    </section>
  );
}

const useDetailWords = messages({
  en: {
    entry: 'Entry #{id}', close: 'Close', recipient: 'Recipient', channel: 'Channel', attempts: 'Attempts', nextAttempt: 'Next attempt', sentAt: 'Sent', createdAt: 'Queued',
    record: 'Record', failure: 'Failure', notice: 'A notice Facteur wrote itself (no record)', retry: 'Retry', retrying: 'Requeuing…', cancel: 'Cancel', canceling: 'Canceling…',
    requeued: 'Entry #{id} queued again.', canceled: 'Entry #{id} canceled.', noEmail: 'This entry has no email to show.', wouldNotSend: 'As things stand it would not be sent:',
    caught: 'Exactly as the built-in catcher received it.', composed: 'Composed by the worker’s own code, as it is sent now.', composedSent: 'Composed again from the message; it was sent with the From and Reply-To above.',
    from: 'From', to: 'To', replyTo: 'Reply-To', subject: 'Subject', messageId: 'Message-ID', inReplyTo: 'In-Reply-To', date: 'Date', envelope: 'Envelope', html: 'HTML', text: 'Text', headers: 'All headers',
    attachments: 'Attachments', body: 'Body of the email', server: 'Server', sentFrom: 'Sent from',
  },
  fr: {
    entry: 'Message n°{id}', close: 'Fermer', recipient: 'Destinataire', channel: 'Canal', attempts: 'Tentatives', nextAttempt: 'Prochain essai', sentAt: 'Envoyé', createdAt: 'Mis en file',
    record: 'Enregistrement', failure: 'Échec', notice: 'Un avis écrit par Facteur (sans enregistrement)', retry: 'Réessayer', retrying: 'Remise en file…', cancel: 'Annuler', canceling: 'Annulation…',
    requeued: 'Message n°{id} remis en file.', canceled: 'Message n°{id} annulé.', noEmail: 'Ce message n’a pas d’e-mail à afficher.', wouldNotSend: 'En l’état, il ne serait pas envoyé :',
    caught: 'Exactement tel que le capteur intégré l’a reçu.', composed: 'Composé par le code même de l’envoi, tel qu’il part maintenant.', composedSent: 'Recomposé à partir du message ; il a été envoyé avec l’expéditeur et le Reply-To ci-dessus.',
    from: 'De', to: 'À', replyTo: 'Répondre à', subject: 'Objet', messageId: 'Message-ID', inReplyTo: 'En réponse à', date: 'Date', envelope: 'Enveloppe', html: 'HTML', text: 'Texte', headers: 'Tous les en-têtes',
    attachments: 'Pièces jointes', body: 'Corps de l’e-mail', server: 'Serveur', sentFrom: 'Envoyé de',
  },
});

function EntryDetail({ id, tick, onChanged }: { id: number; tick: number; onChanged: (result: string) => void }) {
  const words = useDetailWords();
  const queueWords = useWords();
  const formatDate = useDateFormat();
  const detail = useLoad(() => get<Detail>(`/api/outbox/${id}`), [id, tick]);
  const [tab, setTab] = useState<'html' | 'text' | 'headers'>('html');
  if (!detail.data) {
    return (
      <aside className="card entry-detail" aria-label={fill(words.entry, { id })}>
        {detail.error ? <ErrorNote error={detail.error} onRetry={() => void detail.reload()} /> : <Loading />}
      </aside>
    );
  }
  const { entry, email, wouldNotSend } = detail.data;
  const shownTab = tab === 'html' && !email?.html ? 'text' : tab;
  return (
    <aside className="card entry-detail" aria-label={fill(words.entry, { id })}>
      <div className="row">
        <h2>{fill(words.entry, { id })}</h2>
        <span className={`state-chip ${entry.state}`} data-testid="entry-state">
          {stateLabel(queueWords, entry.state)}
        </span>
        <span className="spacer" />
        <button type="button" className="icon" aria-label={words.close} onClick={() => setQuery({ entry: undefined })}>
          ✕
        </button>
      </div>
      <ErrorNote error={detail.error} onRetry={() => void detail.reload()} />
      {entry.state === 'exception' && (
        <div className="failure-box" role="note">
          <strong>{words.failure}</strong> {entry.failureType && <code>{entry.failureType}</code>}
          <p data-testid="failure-reason">{entry.failureReason}</p>
        </div>
      )}
      {entry.state === 'canceled' && entry.failureReason && <p className="hint">{entry.failureReason}</p>}
      <dl className="facts">
        <dt>{words.recipient}</dt>
        <dd>{entry.emailTo ?? '—'}</dd>
        <dt>{words.channel}</dt>
        <dd>{entry.channel === 'sms' ? queueWords.sms : queueWords.email}</dd>
        <dt>{words.attempts}</dt>
        <dd>{entry.attempts}</dd>
        <dt>{words.createdAt}</dt>
        <dd>{formatDate(entry.createdAt)}</dd>
        {entry.state === 'queued' && (
          <>
            <dt>{words.nextAttempt}</dt>
            <dd>{formatDate(entry.nextAttemptAt)}</dd>
          </>
        )}
        {entry.sentAt && (
          <>
            <dt>{words.sentAt}</dt>
            <dd>{formatDate(entry.sentAt)}</dd>
          </>
        )}
        <dt>{words.record}</dt>
        <dd>
          {entry.record ? (
            <Link to={`/records/${encodeURIComponent(entry.record.model)}/${encodeURIComponent(entry.record.resId)}`}>
              {entry.record.name} <span className="hint">({entry.record.model} {entry.record.resId})</span>
            </Link>
          ) : (
            <span className="hint">{words.notice}</span>
          )}
        </dd>
      </dl>
      <div className="row">
        {entry.state === 'exception' && (
          <ActionButton
            busy={words.retrying}
            action={() => post(`/api/outbox/${id}/retry`)}
            onDone={() => {
              onChanged(fill(words.requeued, { id }));
              void detail.reload();
            }}
          >
            {words.retry}
          </ActionButton>
        )}
        {(entry.state === 'queued' || entry.state === 'exception') && (
          <ActionButton
            className="danger"
            busy={words.canceling}
            action={() => post(`/api/outbox/${id}/cancel`)}
            onDone={() => {
              onChanged(fill(words.canceled, { id }));
              void detail.reload();
            }}
          >
            {words.cancel}
          </ActionButton>
        )}
      </div>

      {wouldNotSend && (
        <p className="error-note">
          {words.wouldNotSend} {wouldNotSend.reason}
        </p>
      )}
      {!email && !wouldNotSend && <p className="empty">{words.noEmail}</p>}
      {email && (
        <>
          <p className="hint">{email.source === 'caught' ? words.caught : entry.sentAt ? words.composedSent : words.composed}</p>
          <dl className="facts email-headers">
            <dt>{words.from}</dt>
            <dd>{entry.sentAt && entry.emailFrom ? entry.emailFrom : email.from}</dd>
            <dt>{words.to}</dt>
            <dd>{email.to}</dd>
            {(email.replyTo || entry.replyTo) && (
              <>
                <dt>{words.replyTo}</dt>
                <dd>{entry.sentAt && entry.replyTo ? entry.replyTo : email.replyTo}</dd>
              </>
            )}
            <dt>{words.subject}</dt>
            <dd>{email.subject}</dd>
            <dt>{words.messageId}</dt>
            <dd>
              <code>{email.messageId}</code>
            </dd>
            {email.inReplyTo && (
              <>
                <dt>{words.inReplyTo}</dt>
                <dd>
                  <code>{email.inReplyTo}</code>
                </dd>
              </>
            )}
            {email.envelope && (
              <>
                <dt>{words.envelope}</dt>
                <dd>
                  <code>
                    {email.envelope.from} → {email.envelope.to.join(', ')}
                  </code>
                </dd>
              </>
            )}
          </dl>
          {email.attachments.length > 0 && (
            <>
              <h3>{words.attachments}</h3>
              <ul className="attachments">
                {email.attachments.map((a, i) => (
                  <li key={i}>
                    {a.filename ?? a.contentType} <span className="hint">({Math.ceil(a.size / 1024)} KB)</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="tabs" role="tablist">
            {email.html && (
              <button type="button" role="tab" aria-selected={shownTab === 'html'} onClick={() => setTab('html')}>
                {words.html}
              </button>
            )}
            <button type="button" role="tab" aria-selected={shownTab === 'text'} onClick={() => setTab('text')}>
              {words.text}
            </button>
            <button type="button" role="tab" aria-selected={shownTab === 'headers'} onClick={() => setTab('headers')}>
              {words.headers}
            </button>
          </div>
          {shownTab === 'html' && email.html && <iframe className="mail-html" title={words.body} sandbox="" srcDoc={email.html} />}
          {shownTab === 'text' && <pre>{email.text}</pre>}
          {shownTab === 'headers' && (
            <table className="list headers">
              <tbody>
                <HeaderRows headers={email.headers} />
              </tbody>
            </table>
          )}
        </>
      )}
    </aside>
  );
}
