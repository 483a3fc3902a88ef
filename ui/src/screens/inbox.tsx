// The inbox (seed 000 §1.5): notifications of internal users who chose it — unread first in mind,
// marked read one by one or all at once, each leading to its record.
import { useState } from 'react';
import { get, post, query } from '../api.ts';
import { ActionButton, ErrorNote, Loading, useLoad, useMe } from '../components.tsx';
import { fill, messages, useDateFormat } from '../i18n.tsx';
import { touches, useLive } from '../live.ts';
import { Link } from '../router.tsx';

interface InboxItem {
  notificationId: number;
  messageId: number;
  readAt: string | null;
  createdAt: string;
  model: string;
  resId: string;
  recordName: string;
  kind: string;
  subject: string | null;
  bodyHtml: string;
  authorName: string | null;
}

const useWords = messages({
  en: {
    title: 'Inbox', unread: '{count} unread', onlyUnread: 'Unread only', markRead: 'Mark read', markAll: 'Mark all read', empty: 'Nothing here.',
    more: 'Show more', emailUser: 'You are notified by email. Choose “inbox” in the menu at the top to receive notifications here instead.', open: 'Open',
  },
  fr: {
    title: 'Boîte de réception', unread: '{count} non lu(s)', onlyUnread: 'Non lus seulement', markRead: 'Marquer comme lu', markAll: 'Tout marquer comme lu', empty: 'Rien ici.',
    more: 'Afficher plus', emailUser: 'Vous êtes notifié par e-mail. Choisissez « boîte de réception » dans le menu du haut pour recevoir les notifications ici.', open: 'Ouvrir',
  },
});

export function InboxScreen() {
  const words = useWords();
  const formatDate = useDateFormat();
  const me = useMe();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [limit, setLimit] = useState(50);
  const inbox = useLoad(
    () => get<{ unread: number; items: InboxItem[]; nextBefore: number | null }>(`/api/users/${me.id}/inbox${query({ unread: unreadOnly, limit })}`),
    [me.id, unreadOnly, limit],
  );
  useLive((change) => {
    if (touches(change, 'inbox')) void inbox.reload();
  });
  const markRead = (ids?: number[]) => post(`/api/users/${me.id}/inbox/read`, ids ? { notificationIds: ids } : {});
  return (
    <section className="inbox">
      <h1>
        {words.title} {inbox.data && <small data-testid="inbox-unread">{fill(words.unread, { count: inbox.data.unread })}</small>}
      </h1>
      {me.notification === 'email' && <p className="hint">{words.emailUser}</p>}
      <div className="filters">
        <label className="check">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> {words.onlyUnread}
        </label>
        <ActionButton action={() => markRead()} onDone={() => void inbox.reload()} disabled={!inbox.data?.unread}>
          {words.markAll}
        </ActionButton>
      </div>
      <ErrorNote error={inbox.error} onRetry={() => void inbox.reload()} />
      {!inbox.data && inbox.loading && <Loading />}
      {inbox.data?.items.length === 0 && <p className="empty">{words.empty}</p>}
      <ul className="inbox-list">
        {inbox.data?.items.map((item) => (
          <li key={item.notificationId} className={item.readAt ? 'read' : 'unread'} data-notification={item.notificationId}>
            <div className="inbox-head">
              <Link to={`/records/${encodeURIComponent(item.model)}/${encodeURIComponent(item.resId)}`} onClick={() => void (item.readAt ? null : markRead([item.notificationId]))}>
                {item.recordName}
              </Link>
              <span className="author">{item.authorName}</span>
              <time dateTime={item.createdAt}>{formatDate(item.createdAt)}</time>
              {!item.readAt && (
                <ActionButton action={() => markRead([item.notificationId])} onDone={() => void inbox.reload()}>
                  {words.markRead}
                </ActionButton>
              )}
            </div>
            {item.subject && <strong>{item.subject}</strong>}
            <div className="body" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />
          </li>
        ))}
      </ul>
      {inbox.data?.nextBefore && (
        <button type="button" onClick={() => setLimit(limit + 50)}>
          {words.more}
        </button>
      )}
    </section>
  );
}
