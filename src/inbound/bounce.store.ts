// Applying a bounce: the recipient's notification turns `bounce`, the outbox entry records the
// failure, and the partner's bounce counter goes up — blacklisting the address at the limit.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { announce } from '../live/live.store.ts';

export interface BouncedEmail {
  outboxId: number | null;
  notificationId: number | null;
  partnerId: number | null;
  messageId: number | null;
  recordId: number | null;
}

/** By X-Message-Id: the outbox entry itself, while it is kept. */
export async function findBouncedByOutboxIds(db: Db, outboxIds: number[]): Promise<BouncedEmail | undefined> {
  if (outboxIds.length === 0) return undefined;
  const { rows } = await sql<BouncedEmail>`
    SELECT o.id AS "outboxId", o.notification_id AS "notificationId", o.partner_id AS "partnerId",
           o.message_id AS "messageId", m.record_id AS "recordId"
    FROM outbox o LEFT JOIN messages m ON m.id = o.message_id
    WHERE o.id = any(${outboxIds}::bigint[]) ORDER BY o.id LIMIT 1`.execute(db);
  return rows[0];
}

/**
 * By our Message-ID and the failed recipient: through the notification, which outlives the outbox
 * entry (sent entries are deleted after their retention).
 */
export async function findBouncedByMessage(db: Db, rfcMessageIds: string[], recipient: string | null): Promise<BouncedEmail | undefined> {
  if (rfcMessageIds.length === 0) return undefined;
  const { rows } = await sql<BouncedEmail>`
    SELECT o.id AS "outboxId", n.id AS "notificationId", n.partner_id AS "partnerId", m.id AS "messageId", m.record_id AS "recordId"
    FROM messages m
    JOIN notifications n ON n.message_id = m.id AND n.channel = 'email'
    JOIN partners p ON p.id = n.partner_id
    LEFT JOIN outbox o ON o.notification_id = n.id
    WHERE m.rfc_message_id = any(${rfcMessageIds}::text[])
      AND (${recipient}::text IS NULL OR p.email_normalized = ${recipient})
    ORDER BY (p.email_normalized = ${recipient}) DESC NULLS LAST, n.id
    LIMIT 1`.execute(db);
  // Without a recipient, only a message sent to one person identifies the notification.
  if (recipient === null && rows.length > 0) {
    const { rows: count } = await sql<{ count: number }>`
      SELECT count(*)::int AS count FROM notifications n JOIN messages m ON m.id = n.message_id
      WHERE m.rfc_message_id = any(${rfcMessageIds}::text[]) AND n.channel = 'email'`.execute(db);
    if ((count[0]?.count ?? 0) > 1) return undefined;
  }
  return rows[0];
}

export interface BounceCount {
  bounceCount: number;
  blacklisted: boolean;
}

export async function markBounced(db: Db, email: BouncedEmail, diagnostic: string, blacklistAt: number): Promise<BounceCount | null> {
  if (email.messageId !== null) await announce(db, { messages: [email.messageId], topics: ['outbox'] });
  if (email.notificationId !== null) {
    await sql`UPDATE notifications SET status = 'bounce', failure_type = 'mail_bounce', failure_reason = ${diagnostic} WHERE id = ${email.notificationId}`.execute(db);
  }
  if (email.outboxId !== null) {
    await sql`
      UPDATE outbox SET state = 'exception', failure_type = 'mail_bounce', failure_reason = ${diagnostic},
        pending_delete = false, updated_at = now()
      WHERE id = ${email.outboxId}`.execute(db);
  }
  if (email.partnerId === null) return null;
  const { rows } = await sql<BounceCount>`
    UPDATE partners SET bounce_count = bounce_count + 1, blacklisted = blacklisted OR bounce_count + 1 >= ${blacklistAt}
    WHERE id = ${email.partnerId}
    RETURNING bounce_count AS "bounceCount", blacklisted`.execute(db);
  return rows[0] ?? null;
}
