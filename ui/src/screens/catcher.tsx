// The built-in catcher: every email Facteur "sent" while no outgoing server is configured, newest
// first, read as a mail client would show it (HTML in a sandboxed frame, text, headers, raw) — and
// answered as its recipient, so the whole loop (send, reply, routed back to the thread) can be tried
// with no mail server at all.
import { useState, type FormEvent } from 'react';
import { get, post, query } from '../api.ts';
import { ActionButton, ErrorNote, Field, Loading, useLoad } from '../components.tsx';
import { HeaderRows, ListTable } from '../lists.tsx';
import { fill, messages, useDateFormat } from '../i18n.tsx';
import { touches, useLive } from '../live.ts';
import { Link, setQuery, useLocation } from '../router.tsx';

interface CaughtSummary {
  id: number;
  messageId: string | null;
  envelopeTo: string[];
  from: string | null;
  to: string | null;
  subject: string | null;
  size: number;
  createdAt: string;
}

interface CaughtEmail {
  id: number;
  headers: { name: string; value: string }[];
  from: string | null;
  to: string | null;
  replyTo: string | null;
  recipients: string[];
  subject: string | null;
  messageId: string | null;
  date: string | null;
  html: string | null;
  text: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
}

interface ReplyResult {
  id: number;
  state: string;
  route: string | null;
  reason: string | null;
  duplicate: boolean;
  record: { model: string; resId: string; name: string } | null;
}

const PAGE = 50;
type Tab = 'html' | 'text' | 'headers' | 'raw';

const useWords = messages({
  en: {
    title: 'Catcher', intro: 'No outgoing server is configured: Facteur keeps every email here instead of sending it.',
    filterTo: 'Recipient', filter: 'Filter', clear: 'Clear', date: 'Date', to: 'To', subject: 'Subject', noSubject: '(no subject)',
    empty: 'No email caught yet.', emptyFiltered: 'No caught email to this recipient.', older: 'Older emails', newest: 'Back to the newest',
    choose: 'Choose an email to read it.', list: 'Caught emails', from: 'From', replyTo: 'Reply-To', messageId: 'Message-ID',
    html: 'HTML', text: 'Text', headers: 'Headers', raw: 'Raw', noHtml: 'This email has no HTML part.', noText: 'This email has no text part.',
    htmlFrame: 'The email as HTML', download: 'Download the raw message (.eml)', attachments: 'Attachments', header: 'Header', value: 'Value',
    replyAs: 'Reply as this recipient', replyTitle: 'Reply as a recipient', recipient: 'Reply as', body: 'Your reply',
    replyHint: 'Sent to Facteur as this recipient’s reply would be: it goes through inbound routing, like a reply from outside.',
    send: 'Send the reply', sending: 'Sending…', cancel: 'Cancel',
    routed: 'Routed to {model} {resId} ({name})', open: 'open the record', routedNoRecord: 'Routed ({route}).',
    notRouted: 'Not routed — {state}: {reason}', duplicate: 'Already received before.', noReason: 'no reason given',
  },
  fr: {
    title: 'Capteur', intro: 'Aucun serveur sortant n’est configuré : Facteur garde ici chaque e-mail au lieu de l’envoyer.',
    filterTo: 'Destinataire', filter: 'Filtrer', clear: 'Effacer', date: 'Date', to: 'À', subject: 'Objet', noSubject: '(sans objet)',
    empty: 'Aucun e-mail capté pour l’instant.', emptyFiltered: 'Aucun e-mail capté pour ce destinataire.', older: 'E-mails plus anciens', newest: 'Revenir aux plus récents',
    choose: 'Choisissez un e-mail pour le lire.', list: 'E-mails captés', from: 'De', replyTo: 'Répondre à', messageId: 'Message-ID',
    html: 'HTML', text: 'Texte', headers: 'En-têtes', raw: 'Brut', noHtml: 'Cet e-mail n’a pas de partie HTML.', noText: 'Cet e-mail n’a pas de partie texte.',
    htmlFrame: 'L’e-mail en HTML', download: 'Télécharger le message brut (.eml)', attachments: 'Pièces jointes', header: 'En-tête', value: 'Valeur',
    replyAs: 'Répondre en tant que ce destinataire', replyTitle: 'Répondre en tant que destinataire', recipient: 'Répondre en tant que', body: 'Votre réponse',
    replyHint: 'Remise à Facteur comme le serait la réponse de ce destinataire : elle passe par le routage entrant, comme une réponse venue de l’extérieur.',
    send: 'Envoyer la réponse', sending: 'Envoi…', cancel: 'Annuler',
    routed: 'Routée vers {model} {resId} ({name})', open: 'ouvrir l’enregistrement', routedNoRecord: 'Routée ({route}).',
    notRouted: 'Non routée — {state} : {reason}', duplicate: 'Déjà reçue auparavant.', noReason: 'aucune raison donnée',
  },
});

/** The catcher URL with these query values changed, the others kept (so a selection can be bookmarked). */
function hrefWith(current: URLSearchParams, values: Record<string, string | undefined>): string {
  const params = new URLSearchParams(current);
  for (const [key, value] of Object.entries(values)) {
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const text = params.toString();
  return `/catcher${text ? `?${text}` : ''}`;
}

export function CatcherScreen() {
  const words = useWords();
  const formatDate = useDateFormat();
  const { query: params } = useLocation();
  const to = params.get('to') ?? '';
  const before = params.get('before') ?? '';
  const selected = Number(params.get('id')) || null;
  const [filterText, setFilterText] = useState(to);
  const list = useLoad(() => get<CaughtSummary[]>(`/api/catcher${query({ limit: PAGE, to, before })}`), [to, before]);
  useLive((change) => {
    if (touches(change, 'catcher')) void list.reload();
  });
  const applyFilter = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ to: filterText.trim() || undefined, before: undefined });
  };
  const emails = list.data ?? [];
  const nextBefore = emails.length === PAGE ? emails[emails.length - 1]!.id : null;
  return (
    <section className="catcher">
      <h1>{words.title}</h1>
      <p className="hint">{words.intro}</p>
      <form className="filters" onSubmit={applyFilter} role="search">
        <label className="field">
          <span className="field-label">{words.filterTo}</span>
          <input type="search" value={filterText} onChange={(e) => setFilterText(e.target.value)} placeholder="claire@example.com" />
        </label>
        <button type="submit">{words.filter}</button>
        {to && (
          <button type="button" className="link" onClick={() => {
              setFilterText('');
              setQuery({ to: undefined, before: undefined });
            }}>
            {words.clear}
          </button>
        )}
      </form>
      <div className="split">
        <div>
          <ErrorNote error={list.error} onRetry={() => void list.reload()} />
          {!list.data && list.loading && <Loading />}
          {list.data && emails.length === 0 && <p className="empty">{to ? words.emptyFiltered : words.empty}</p>}
          {emails.length > 0 && (
            <ListTable className="caught-list" label={words.list} headers={[words.date, words.to, words.subject]}>
              {emails.map((email) => (
                <tr key={email.id} className={email.id === selected ? 'selected' : undefined} data-caught={email.id}>
                  <td>
                    <time dateTime={email.createdAt}>{formatDate(email.createdAt)}</time>
                  </td>
                  <td>{email.to ?? email.envelopeTo.join(', ')}</td>
                  <td>
                    <Link to={hrefWith(params, { id: String(email.id) })} aria-current={email.id === selected ? 'true' : undefined}>
                      {email.subject || words.noSubject}
                    </Link>
                  </td>
                </tr>
              ))}
            </ListTable>
          )}
          <div className="pager">
            {before && (
              <button type="button" onClick={() => setQuery({ before: undefined })}>
                {words.newest}
              </button>
            )}
            {nextBefore && (
              <button type="button" onClick={() => setQuery({ before: String(nextBefore) })}>
                {words.older}
              </button>
            )}
          </div>
        </div>
        <div>{selected ? <CaughtDetail key={selected} id={selected} /> : <p className="empty">{words.choose}</p>}</div>
      </div>
    </section>
  );
}

function CaughtDetail({ id }: { id: number }) {
  const words = useWords();
  const formatDate = useDateFormat();
  const email = useLoad(() => get<CaughtEmail>(`/api/catcher/${id}`), [id]);
  const [tab, setTab] = useState<Tab>('html');
  const [replying, setReplying] = useState(false);
  if (email.error) return <ErrorNote error={email.error} onRetry={() => void email.reload()} />;
  if (!email.data) return <Loading />;
  const mail = email.data;
  const tabs: [Tab, string][] = [
    ['html', words.html],
    ['text', words.text],
    ['headers', words.headers],
    ['raw', words.raw],
  ];
  return (
    <article className="card caught-email" aria-labelledby="caught-subject">
      <h2 id="caught-subject">{mail.subject || words.noSubject}</h2>
      <dl className="caught-meta">
        <dt>{words.from}</dt>
        <dd>{mail.from}</dd>
        <dt>{words.to}</dt>
        <dd>{mail.to}</dd>
        {mail.replyTo && (
          <>
            <dt>{words.replyTo}</dt>
            <dd>{mail.replyTo}</dd>
          </>
        )}
        {mail.date && (
          <>
            <dt>{words.date}</dt>
            <dd>{formatDate(mail.date)}</dd>
          </>
        )}
      </dl>
      <div className="row">
        {!replying && mail.recipients.length > 0 && (
          <button type="button" className="primary" onClick={() => setReplying(true)}>
            {words.replyAs}
          </button>
        )}
      </div>
      {replying && <ReplyForm email={mail} onClose={() => setReplying(false)} />}
      <div className="tabs" role="tablist">
        {tabs.map(([value, label]) => (
          <button key={value} type="button" role="tab" id={`caught-tab-${value}`} aria-selected={tab === value} aria-controls="caught-panel" onClick={() => setTab(value)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="caught-panel" aria-labelledby={`caught-tab-${tab}`}>
        {tab === 'html' &&
          (mail.html ? (
            // sandbox="" : the email's HTML runs no script and reaches nothing of the app.
            <iframe className="mail-html" sandbox="" srcDoc={mail.html} title={words.htmlFrame} />
          ) : (
            <p className="empty">{words.noHtml}</p>
          ))}
        {tab === 'text' && (mail.text ? <pre className="caught-text">{mail.text}</pre> : <p className="empty">{words.noText}</p>)}
        {tab === 'headers' && (
          <ListTable className="caught-headers" headers={[words.header, words.value]}>
            <HeaderRows headers={mail.headers} />
          </ListTable>
        )}
        {tab === 'raw' && <RawMessage id={id} />}
      </div>
      {mail.attachments.length > 0 && (
        <section className="caught-attachments">
          <h3>{words.attachments}</h3>
          <ul>
            {mail.attachments.map((a, i) => (
              <li key={i}>
                {a.filename ?? '—'} <small>({a.contentType}, {formatSize(a.size)})</small>
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

function RawMessage({ id }: { id: number }) {
  const words = useWords();
  const raw = useLoad(async () => {
    const response = await fetch(`/api/catcher/${id}/raw`, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return response.text();
  }, [id]);
  return (
    <div>
      <p>
        <a href={`/api/catcher/${id}/raw`} download={`caught-${id}.eml`}>
          {words.download}
        </a>
      </p>
      <ErrorNote error={raw.error} />
      {raw.data === undefined ? !raw.error && <Loading /> : <pre className="caught-raw">{raw.data}</pre>}
    </div>
  );
}

function ReplyForm({ email, onClose }: { email: CaughtEmail; onClose: () => void }) {
  const words = useWords();
  const [recipient, setRecipient] = useState(email.recipients[0] ?? '');
  const [body, setBody] = useState('');
  const [result, setResult] = useState<ReplyResult | null>(null);
  return (
    <form className="card catcher-reply" aria-label={words.replyTitle} onSubmit={(e) => e.preventDefault()}>
      <h3>{words.replyTitle}</h3>
      <Field label={words.recipient}>
        <select value={recipient} onChange={(e) => setRecipient(e.target.value)}>
          {email.recipients.map((address) => (
            <option key={address} value={address}>
              {address}
            </option>
          ))}
        </select>
      </Field>
      <Field label={words.body} hint={words.replyHint}>
        <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={5} />
      </Field>
      <div className="row">
        <ActionButton
          className="primary"
          busy={words.sending}
          disabled={body.trim() === ''}
          action={() => post<ReplyResult>(`/api/catcher/${email.id}/reply`, { body, recipient })}
          onDone={(answer) => {
            setResult(answer as ReplyResult);
            setBody('');
          }}
        >
          {words.send}
        </ActionButton>
        <button type="button" onClick={onClose}>
          {words.cancel}
        </button>
      </div>
      {result && <ReplyOutcome result={result} />}
    </form>
  );
}

function ReplyOutcome({ result }: { result: ReplyResult }) {
  const words = useWords();
  const routed = result.state === 'routed';
  return (
    <p className={`reply-outcome ${routed ? 'ok' : 'bad'}`} role="status" data-state={result.state}>
      {routed && result.record ? (
        <>
          {fill(words.routed, result.record)} —{' '}
          <Link to={`/records/${encodeURIComponent(result.record.model)}/${encodeURIComponent(result.record.resId)}`}>{words.open}</Link>
        </>
      ) : routed ? (
        fill(words.routedNoRecord, { route: result.route ?? '' })
      ) : (
        fill(words.notRouted, { state: result.state, reason: result.reason ?? words.noReason })
      )}
      {result.duplicate && <> {words.duplicate}</>}
    </p>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
