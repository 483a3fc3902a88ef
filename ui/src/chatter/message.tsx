// One message of the thread: messages on white, notes on grey (seed 000), its author and time, and
// for each recipient an envelope — grey when sent, green when delivered, red with the failure type
// and the server's own words when it failed; inbox recipients show whether they read it.
import { memo } from 'react';
import { withToken } from '../api.ts';
import { fill, useDateFormat } from '../i18n.tsx';
import { EnvelopeIcon, InboxIcon, PaperclipIcon } from '../icons.tsx';
import type { Notification, ThreadMessage } from './types.ts';
import { useChatterWords } from './words.ts';

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function Envelope({ notification }: { notification: Notification }) {
  const words = useChatterWords();
  const failed = notification.status === 'bounce' || notification.status === 'exception';
  if (notification.channel === 'inbox') {
    const state = notification.readAt ? words.read : words.unread;
    return (
      <li className={`envelope inbox ${notification.readAt ? 'read' : 'unread'}`} data-partner={notification.partnerId} data-status={notification.readAt ? 'read' : 'unread'}>
        <InboxIcon read={Boolean(notification.readAt)} /> {notification.partnerName} <span className="state">{state}</span>
      </li>
    );
  }
  const status = words[notification.status];
  return (
    <li
      className={`envelope email status-${notification.status}`}
      data-partner={notification.partnerId}
      data-status={notification.status}
      title={fill(words.envelopeOf, { name: notification.partnerName, status })}
    >
      <EnvelopeIcon /> {notification.partnerName} <span className="state">{status}</span>
      {failed && (
        <span className="failure">
          {notification.failureType && <code>{notification.failureType}</code>} {notification.failureReason}
        </span>
      )}
    </li>
  );
}

export const MessageItem = memo(function MessageItem({ message }: { message: ThreadMessage }) {
  const words = useChatterWords();
  const formatDate = useDateFormat();
  const isNote = message.kind === 'note' || Boolean(message.subtype?.internal && message.kind !== 'tracking');
  const author = message.authorName ?? message.emailFrom ?? 'Facteur';
  return (
    <article className={`message kind-${message.kind}${isNote ? ' note' : ''}`} data-message-id={message.id} aria-label={`${author}, ${formatDate(message.createdAt)}`}>
      <header>
        <span className="avatar" aria-hidden="true">
          {author.slice(0, 1).toUpperCase()}
        </span>
        <strong className="author">{author}</strong>
        <time dateTime={message.createdAt}>{formatDate(message.createdAt)}</time>
        {isNote && <span className="tag">{words.note}</span>}
        {message.subtype && !isNote && message.subtype.code !== 'discussion' && <span className="tag">{message.subtype.name}</span>}
      </header>
      {message.subject && <h3 className="subject">{message.subject}</h3>}
      {/* The body was sanitised by Facteur when it was posted or received (sanitize-html). */}
      <div className={message.kind === 'tracking' ? 'body tracking' : 'body'} dangerouslySetInnerHTML={{ __html: message.bodyHtml }} />
      {message.attachments.length > 0 && (
        <ul className="attachments" aria-label={words.attachments}>
          {message.attachments.map((a) => (
            <li key={a.id}>
              <a href={withToken(`/api/attachments/${a.id}`)} download={a.filename}>
                <PaperclipIcon /> {a.filename}
              </a>{' '}
              <small>{sizeOf(a.size)}</small>
            </li>
          ))}
        </ul>
      )}
      {message.notifications.length > 0 && (
        <ul className="envelopes">
          {message.notifications.map((n) => (
            <Envelope key={n.id} notification={n} />
          ))}
        </ul>
      )}
    </article>
  );
});
