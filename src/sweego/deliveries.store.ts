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
  const { rows } = await sql<{ webhook_id: string }>`
    INSERT INTO webhook_deliveries (webhook_id, endpoint) VALUES (${webhookId}, ${endpoint})
    ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`.execute(db);
  return rows.length > 0;
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
 * Seed 001 `sweego_confirm_and_delete`: the entry is confirmed and its notification `delivered`; the
 * provider's transaction id is kept on the message (§8.3). An entry waiting for this confirmation
 * (deferred deletion) is deleted; its notification stays, green.
 */
export async function confirmDelivered(db: Db, entry: DeliveredEntry, transactionId: string | null): Promise<{ deleted: boolean }> {
  if (entry.notificationId !== null) {
    await sql`UPDATE notifications SET status = 'delivered', failure_type = NULL, failure_reason = NULL WHERE id = ${entry.notificationId}`.execute(db);
  }
  if (transactionId !== null && entry.messageId !== null) {
    await sql`UPDATE messages SET provider_transaction_id = ${transactionId} WHERE id = ${entry.messageId}`.execute(db);
  }
  if (entry.pendingDelete) {
    await sql`DELETE FROM outbox WHERE id = ${entry.outboxId}`.execute(db);
    return { deleted: true };
  }
  await sql`UPDATE outbox SET state = 'delivered', confirmed = true, updated_at = now() WHERE id = ${entry.outboxId}`.execute(db);
  return { deleted: false };
}

/**
 * Seed 001 §5.4 `sweego_mark_undelivered`: the entry goes to `exception` with the failure, no longer
 * waiting for deletion; its notification turns `exception` too, even though it was already `sent`.
 */
export async function markUndelivered(db: Db, entry: DeliveredEntry, failureType: string, reason: string): Promise<void> {
  await sql`
    UPDATE outbox SET state = 'exception', failure_type = ${failureType}, failure_reason = ${reason}, pending_delete = false, updated_at = now()
    WHERE id = ${entry.outboxId}`.execute(db);
  if (entry.notificationId !== null) {
    await sql`UPDATE notifications SET status = 'exception', failure_type = ${failureType}, failure_reason = ${reason} WHERE id = ${entry.notificationId}`.execute(db);
  }
}
