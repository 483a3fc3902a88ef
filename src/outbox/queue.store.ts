// The send queue driven by hand (seed 002: "retry_queue", cancel one entry).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { announce } from '../live/live.store.ts';
import { OUTBOX_CHANNEL } from './outbox.store.ts';

/** Entries in error go back to the queue with a fresh count of attempts; their notifications too. */
export async function requeueFailed(db: Db, ids: number[] | undefined): Promise<number[]> {
  const { rows } = await sql<{ id: number; notification_id: number | null; message_id: number | null }>`
    UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = now(), lease_until = NULL,
                      failure_type = NULL, failure_reason = NULL, updated_at = now()
    WHERE state = 'exception' ${ids ? sql`AND id = any(${ids}::bigint[])` : sql``}
    RETURNING id, notification_id, message_id`.execute(db);
  const notificationIds = rows.map((r) => r.notification_id).filter((id): id is number => id !== null);
  if (notificationIds.length > 0) {
    await sql`UPDATE notifications SET status = 'ready', failure_type = NULL, failure_reason = NULL
              WHERE id = any(${notificationIds}::bigint[])`.execute(db);
  }
  if (rows.length > 0) {
    await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
    await announce(db, { messages: rows.map((r) => r.message_id).filter((id): id is number => id !== null), topics: ['outbox'] });
  }
  return rows.map((r) => r.id);
}

/** Cancels an entry that has not left yet (queued or in error); returns false when there is none. */
export async function cancelEntry(db: Db, id: number, reason: string): Promise<boolean> {
  const { rows } = await sql<{ notification_id: number | null; message_id: number | null }>`
    UPDATE outbox SET state = 'canceled', lease_until = NULL, failure_reason = ${reason}, updated_at = now()
    WHERE id = ${id} AND state IN ('queued', 'exception')
    RETURNING notification_id, message_id`.execute(db);
  const notificationId = rows[0]?.notification_id;
  if (notificationId != null) {
    await sql`UPDATE notifications SET status = 'canceled', failure_reason = ${reason} WHERE id = ${notificationId}`.execute(db);
  }
  if (rows.length > 0) await announce(db, { messages: rows[0]!.message_id === null ? [] : [rows[0]!.message_id], topics: ['outbox'] });
  return rows.length > 0;
}

export async function findEntryState(db: Db, id: number): Promise<string | undefined> {
  const row = await db.selectFrom('outbox').select('state').where('id', '=', id).executeTakeFirst();
  return row?.state;
}

export async function countByState(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('outbox').select(['state', sql<number>`count(*)::int`.as('count')]).groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, r.count]));
}
