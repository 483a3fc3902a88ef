// What Sweego's delivery events change (seed 001 §5.3, §5.4, §8): an outbox entry confirmed (and
// deleted when deferred deletion is on) or marked undelivered, with the recipient's notification;
// and the webhook deliveries already applied.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/**
 * Records a webhook delivery; false when this webhook-id was already applied (Standard Webhooks
 * redeliver with the same id). In the caller's transaction: an event that fails to apply is not
 * taken for applied.
 */
export async function recordWebhookDelivery(db: Db, webhookId: string, endpoint: string): Promise<boolean> {
  return (await recordWebhookDeliveries(db, [webhookId], endpoint)).has(webhookId);
}

/** Several at once (distinct ids); returns those not seen before. */
export async function recordWebhookDeliveries(db: Db, webhookIds: string[], endpoint: string): Promise<Set<string>> {
  if (webhookIds.length === 0) return new Set();
  const { rows } = await sql<{ webhook_id: string }>`
    INSERT INTO webhook_deliveries (webhook_id, endpoint) SELECT id, ${endpoint} FROM unnest(${webhookIds}::text[]) AS t(id)
    ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`.execute(db);
  return new Set(rows.map((r) => r.webhook_id));
}

export async function webhookDeliverySeen(db: Db, webhookId: string): Promise<boolean> {
  const { rows } = await sql<{ webhook_id: string }>`SELECT webhook_id FROM webhook_deliveries WHERE webhook_id = ${webhookId}`.execute(db);
  return rows.length > 0;
}

/** An outbox entry as a delivery event finds it. */
export interface DeliveredEntry {
  outboxId: number;
  notificationId: number | null;
  messageId: number | null;
  recordId: number | null;
  state: string;
  pendingDelete: boolean;
}

export async function findEntries(db: Db, outboxIds: number[]): Promise<Map<number, DeliveredEntry>> {
  if (outboxIds.length === 0) return new Map();
  const { rows } = await sql<DeliveredEntry>`
    SELECT o.id AS "outboxId", o.notification_id AS "notificationId", o.message_id AS "messageId", m.record_id AS "recordId",
           o.state, o.pending_delete AS "pendingDelete"
    FROM outbox o LEFT JOIN messages m ON m.id = o.message_id
    WHERE o.id = any(${outboxIds}::bigint[])`.execute(db);
  return new Map(rows.map((r) => [r.outboxId, r]));
}

/**
 * Seed 001 `sweego_confirm_and_delete`: each entry is confirmed and its notification `delivered`; the
 * provider's transaction id is kept on the message (§8.3). An entry waiting for this confirmation
 * (deferred deletion) is deleted; its notification stays, green. Set-based: a few statements for any
 * number of entries.
 */
export async function confirmDelivered(db: Db, confirmed: { entry: DeliveredEntry; transactionId: string | null }[]): Promise<void> {
  if (confirmed.length === 0) return;
  const notified = confirmed.filter((c) => c.entry.notificationId !== null);
  if (notified.length > 0) {
    await sql`
      UPDATE notifications n SET status = 'delivered', failure_type = NULL, failure_reason = NULL,
        provider_transaction_id = coalesce(t.transaction_id, n.provider_transaction_id)
      FROM unnest(${notified.map((c) => c.entry.notificationId)}::bigint[], ${notified.map((c) => c.transactionId)}::text[]) AS t(id, transaction_id)
      WHERE n.id = t.id`.execute(db);
  }
  const transactions = confirmed.filter((c) => c.transactionId !== null && c.entry.messageId !== null);
  if (transactions.length > 0) {
    await sql`
      UPDATE messages m SET provider_transaction_id = t.transaction_id
      FROM unnest(${transactions.map((c) => c.entry.messageId)}::bigint[], ${transactions.map((c) => c.transactionId)}::text[]) AS t(id, transaction_id)
      WHERE m.id = t.id`.execute(db);
  }
  const deleted = confirmed.filter((c) => c.entry.pendingDelete).map((c) => c.entry.outboxId);
  const kept = confirmed.filter((c) => !c.entry.pendingDelete).map((c) => c.entry.outboxId);
  if (deleted.length > 0) await sql`DELETE FROM outbox WHERE id = any(${deleted}::bigint[])`.execute(db);
  if (kept.length > 0) await sql`UPDATE outbox SET state = 'delivered', confirmed = true, updated_at = now() WHERE id = any(${kept}::bigint[])`.execute(db);
}

/**
 * Seed 001 §5.4 `sweego_mark_undelivered`: each entry goes to `exception` with its failure, no longer
 * waiting for deletion; its notification turns `exception` too, even though it was already `sent`.
 */
export async function markUndelivered(db: Db, failed: { entry: DeliveredEntry; failureType: string; reason: string }[]): Promise<void> {
  if (failed.length === 0) return;
  await sql`
    UPDATE outbox o SET state = 'exception', failure_type = t.failure_type, failure_reason = t.reason, pending_delete = false, updated_at = now()
    FROM unnest(${failed.map((f) => f.entry.outboxId)}::bigint[], ${failed.map((f) => f.failureType)}::text[], ${failed.map((f) => f.reason)}::text[])
      AS t(id, failure_type, reason)
    WHERE o.id = t.id`.execute(db);
  const withNotification = failed.filter((f) => f.entry.notificationId !== null);
  if (withNotification.length > 0) {
    await sql`
      UPDATE notifications n SET status = 'exception', failure_type = t.failure_type, failure_reason = t.reason
      FROM unnest(${withNotification.map((f) => f.entry.notificationId)}::bigint[], ${withNotification.map((f) => f.failureType)}::text[], ${withNotification.map((f) => f.reason)}::text[])
        AS t(id, failure_type, reason)
      WHERE n.id = t.id`.execute(db);
  }
}

/**
 * The notifications that reports after delivery are about: by outbox entry while it is kept, else by
 * the transaction id its delivery recorded. Keyed by the report's position.
 */
export async function findNotificationsOf(db: Db, reports: { outboxId: number | null; transactionId: string | null }[]): Promise<Map<number, { notificationId: number; partnerId: number }>> {
  if (reports.length === 0) return new Map();
  const { rows } = await sql<{ n: number; notification_id: number; partner_id: number }>`
    SELECT t.n::int AS n, nt.id AS notification_id, nt.partner_id
    FROM unnest(${reports.map((r) => r.outboxId)}::bigint[], ${reports.map((r) => r.transactionId)}::text[]) WITH ORDINALITY AS t(outbox_id, transaction_id, n)
    JOIN LATERAL (
      SELECT n.id, n.partner_id FROM notifications n
      WHERE n.id = (SELECT notification_id FROM outbox WHERE id = t.outbox_id)
         OR (t.transaction_id IS NOT NULL AND n.provider_transaction_id = t.transaction_id)
      LIMIT 1) AS nt ON true`.execute(db);
  return new Map(rows.map((r) => [r.n - 1, { notificationId: r.notification_id, partnerId: r.partner_id }]));
}

/** Opens and clicks, counted on their notifications (several of one notification add up). */
export async function countEngagement(db: Db, counts: { notificationId: number; opens: number; clicks: number }[]): Promise<void> {
  if (counts.length === 0) return;
  await sql`
    UPDATE notifications n SET opens = n.opens + t.opens, clicks = n.clicks + t.clicks
    FROM (SELECT id, sum(opens)::int AS opens, sum(clicks)::int AS clicks
          FROM unnest(${counts.map((c) => c.notificationId)}::bigint[], ${counts.map((c) => c.opens)}::int[], ${counts.map((c) => c.clicks)}::int[]) AS u(id, opens, clicks)
          GROUP BY id) AS t
    WHERE n.id = t.id`.execute(db);
}

/** Seed 001 §5.9 `list_unsub`: the partner unsubscribed through the List-Unsubscribe link. */
export async function recordUnsubscribed(db: Db, partnerIds: number[]): Promise<void> {
  if (partnerIds.length === 0) return;
  await sql`UPDATE partners SET unsubscribed_at = now(), updated_at = now() WHERE id = any(${partnerIds}::bigint[])`.execute(db);
}
