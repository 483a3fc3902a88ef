import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';
import { containsPattern } from '../db/patterns.ts';
import type { OutboxState } from '../db/schema.ts';
import { announcing, type LiveChange } from '../live/live.ts';

/**
 * Queues one email per email notification of the messages, in the caller's transaction.
 * Set-based (INSERT … SELECT): the cost does not grow with a round trip per recipient, and nothing
 * is rendered here — the worker renders each email when it sends it.
 */
export async function enqueueEmailNotifications(db: Db, messageIds: number[], announced: LiveChange = {}): Promise<number> {
  if (messageIds.length === 0) return 0;
  // The NOTIFY is delivered at commit, to every process listening: workers wake up within moments of
  // the post. It rides in the same statement as the INSERT: one round trip, not two — and so does the
  // live announce of the post (live/live.ts).
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
}

export interface OutboxFilter {
  state?: OutboxState | undefined;
  messageId?: number | undefined;
  companyId?: number | undefined;
  /** Part of the recipient's address. */
  recipient?: string | undefined;
  limit: number;
  beforeId?: number | undefined;
}

export async function listOutbox(db: Db, filter: OutboxFilter): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox as o').selectAll('o').orderBy('o.id', 'desc').limit(filter.limit);
  if (filter.state) query = query.where('o.state', '=', filter.state);
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
  }));
}
