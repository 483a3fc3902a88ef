import type { Db } from '../db/database.ts';
import type { OutboxState } from '../db/schema.ts';

/**
 * Queues one email per email notification of the message, in the caller's transaction.
 * Set-based (INSERT … SELECT): the cost does not grow with a round trip per recipient, and nothing
 * is rendered here — the worker renders each email when it sends it.
 */
export async function enqueueEmailNotifications(db: Db, messageId: number): Promise<number> {
  const result = await db
    .insertInto('outbox')
    .columns(['channel', 'notification_id', 'message_id', 'partner_id', 'email_to'])
    .expression((eb) =>
      eb
        .selectFrom('notifications as n')
        .innerJoin('partners as p', 'p.id', 'n.partner_id')
        .select([eb.val('email').as('channel'), 'n.id', 'n.message_id', 'n.partner_id', 'p.email'])
        .where('n.message_id', '=', messageId)
        .where('n.channel', '=', 'email'),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

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
  failureType: string | null;
  failureReason: string | null;
  createdAt: Date;
}

export async function listOutbox(
  db: Db,
  filter: { state?: OutboxState | undefined; messageId?: number | undefined; limit: number; beforeId?: number | undefined },
): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.messageId !== undefined) query = query.where('message_id', '=', filter.messageId);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    state: r.state,
    notificationId: r.notification_id,
    messageId: r.message_id,
    partnerId: r.partner_id,
    emailTo: r.email_to,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    failureType: r.failure_type,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
  }));
}
