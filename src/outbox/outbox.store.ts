import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';
import { containsPattern } from '../db/patterns.ts';
import type { OutboxState } from '../db/schema.ts';
import { announcing, type LiveChange } from '../live/live.store.ts';

/**
 * Queues one email per email notification of the messages, in the caller's transaction.
 * Set-based (INSERT … SELECT): the cost does not grow with a round trip per recipient, and nothing
 * is rendered here — the worker renders each email when it sends it.
 */
export async function enqueueEmailNotifications(db: Db, messageIds: number[], announced: LiveChange = {}): Promise<number> {
  if (messageIds.length === 0) return 0;
  // The NOTIFY is delivered at commit, to every process listening: workers wake up within moments of
  // the post. It rides in the same statement as the INSERT: one round trip, not two — and so does the
  // live announce of the post (live/live.store.ts).
  const { rows } = await sql<{ queued: number }>`
    WITH queued AS (
      INSERT INTO outbox (channel, notification_id, message_id, partner_id, email_to)
      SELECT 'email', n.id, n.message_id, n.partner_id, p.email
      FROM notifications n JOIN partners p ON p.id = n.partner_id
      WHERE n.message_id = ${anyId(messageIds)} AND n.channel = 'email'
      RETURNING 1)
    SELECT count(*)::int AS queued, CASE WHEN count(*) > 0 THEN pg_notify(${OUTBOX_CHANNEL}, '') END AS notified,
      ${announcing({ ...announced, topics: [...(announced.topics ?? []), 'outbox', 'inbox'] })} AS announced
    FROM queued`.execute(db);
  return rows[0]?.queued ?? 0;
}

/** The NOTIFY channel that wakes the outbox workers. */
export const OUTBOX_CHANNEL = 'facteur_outbox';

export interface OutboxRow {
  id: number;
  channel: 'email' | 'sms';
  state: OutboxState;
  notificationId: number | null;
  messageId: number | null;
  partnerId: number | null;
  emailTo: string | null;
  attempts: number;
  nextAttemptAt: Date;
  emailFrom: string | null;
  replyTo: string | null;
  subject: string | null;
  rfcMessageId: string | null;
  serverId: number | null;
  failureType: string | null;
  failureReason: string | null;
  pendingDelete: boolean;
  sentAt: Date | null;
  createdAt: Date;
  /** The subject of the message behind it (the entry's own subject is written when it is sent). */
  messageSubject: string | null;
  /** The record whose thread the message belongs to; null for a notice Facteur wrote itself. */
  record: { model: string; resId: string; name: string } | null;
}

export interface OutboxFilter {
  /** One entry (its detail). */
  id?: number | undefined;
  state?: OutboxState | undefined;
  channel?: 'email' | 'sms' | undefined;
  messageId?: number | undefined;
  companyId?: number | undefined;
  /** Part of the recipient's address. */
  recipient?: string | undefined;
  limit: number;
  beforeId?: number | undefined;
}

export async function listOutbox(db: Db, filter: OutboxFilter): Promise<OutboxRow[]> {
  let query = db
    .selectFrom('outbox as o')
    .leftJoin('messages as m', 'm.id', 'o.message_id')
    .leftJoin('records as r', 'r.id', 'm.record_id')
    .selectAll('o')
    .select(['m.subject as message_subject', 'r.model as record_model', 'r.res_id as record_res_id', 'r.name as record_name'])
    .orderBy('o.id', 'desc')
    .limit(filter.limit);
  if (filter.id !== undefined) query = query.where('o.id', '=', filter.id);
  if (filter.state) query = query.where('o.state', '=', filter.state);
  if (filter.channel) query = query.where('o.channel', '=', filter.channel);
  if (filter.messageId !== undefined) query = query.where('o.message_id', '=', filter.messageId);
  if (filter.beforeId !== undefined) query = query.where('o.id', '<', filter.beforeId);
  if (filter.recipient) query = query.where('o.email_to', 'ilike', containsPattern(filter.recipient));
  if (filter.companyId !== undefined) {
    const companyId = filter.companyId;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('messages as m')
          .innerJoin('records as r', 'r.id', 'm.record_id')
          .select('m.id')
          .whereRef('m.id', '=', 'o.message_id')
          .where('r.company_id', '=', companyId),
      ),
    );
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    state: r.state,
    notificationId: r.notification_id,
    messageId: r.message_id,
    partnerId: r.partner_id,
    emailTo: r.email_to,
    emailFrom: r.email_from,
    replyTo: r.reply_to,
    subject: r.subject,
    rfcMessageId: r.rfc_message_id,
    serverId: r.server_id,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    failureType: r.failure_type,
    failureReason: r.failure_reason,
    pendingDelete: r.pending_delete,
    sentAt: r.sent_at,
    createdAt: r.created_at,
    messageSubject: r.message_subject,
    record: r.record_model === null ? null : { model: r.record_model, resId: r.record_res_id!, name: r.record_name! },
  }));
}
