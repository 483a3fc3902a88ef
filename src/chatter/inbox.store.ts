import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';

export interface InboxItemRow {
  notificationId: number;
  messageId: number;
  readAt: Date | null;
  createdAt: Date;
  model: string;
  resId: string;
  recordName: string;
  kind: string;
  subject: string | null;
  bodyHtml: string;
  authorName: string | null;
}

export async function listInbox(
  db: Db,
  partnerId: number,
  filter: { unreadOnly: boolean; limit: number; beforeId?: number | undefined },
): Promise<InboxItemRow[]> {
  let query = db
    .selectFrom('notifications as n')
    .innerJoin('messages as m', 'm.id', 'n.message_id')
    .innerJoin('records as r', 'r.id', 'm.record_id')
    .leftJoin('partners as a', 'a.id', 'm.author_partner_id')
    .select(['n.id', 'n.message_id', 'n.read_at', 'n.created_at', 'r.model', 'r.res_id', 'r.name', 'm.kind', 'm.subject', 'm.body_html', 'a.name as author_name'])
    .where('n.partner_id', '=', partnerId)
    .where('n.channel', '=', 'inbox')
    .orderBy('n.id', 'desc')
    .limit(filter.limit);
  if (filter.unreadOnly) query = query.where('n.read_at', 'is', null);
  if (filter.beforeId !== undefined) query = query.where('n.id', '<', filter.beforeId);
  const rows = await query.execute();
  return rows.map((r) => ({
    notificationId: r.id,
    messageId: r.message_id,
    readAt: r.read_at,
    createdAt: r.created_at,
    model: r.model,
    resId: r.res_id,
    recordName: r.name,
    kind: r.kind,
    subject: r.subject,
    bodyHtml: r.body_html,
    authorName: r.author_name,
  }));
}

export async function countUnread(db: Db, partnerId: number): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('partner_id', '=', partnerId)
    .where('channel', '=', 'inbox')
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.count;
}

/** Marks the given inbox notifications of the partner read, or all of them when `ids` is undefined. */
export async function markInboxRead(db: Db, partnerId: number, ids: number[] | undefined): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ read_at: sql`now()`, status: 'sent' })
    .where('partner_id', '=', partnerId)
    .where('channel', '=', 'inbox')
    .where('read_at', 'is', null);
  if (ids) {
    if (ids.length === 0) return 0;
    query = query.where('id', '=', anyId(ids));
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
