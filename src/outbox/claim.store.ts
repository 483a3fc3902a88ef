// Claiming and settling outbox entries. Many workers, in many processes, share the queue:
// FOR UPDATE SKIP LOCKED hands each due entry to one of them, and a lease brings back the entries
// of a worker that died (DESIGN "Sending").
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import type { NotificationStatus, OutboxState } from '../db/schema.ts';
import { announcingMessages } from '../live/live.store.ts';

/**
 * Marks up to `limit` email entries as sending, for `leaseSeconds`, and returns their ids: first those
 * whose worker's lease ran out (a worker died), then queued ones that are due. Two statements, each
 * walking its own index in order, rather than one OR that would sort the whole queue.
 */
export async function claimDueEntries(db: Db, limit: number, leaseSeconds: number): Promise<number[]> {
  const taken = await claim(db, sql`state = 'sending' AND lease_until < now()`, sql`lease_until`, limit, leaseSeconds);
  if (taken.length < limit) {
    taken.push(...(await claim(db, sql`state = 'queued' AND next_attempt_at <= now()`, sql`next_attempt_at, id`, limit - taken.length, leaseSeconds)));
  }
  return taken.sort((a, b) => a - b);
}

async function claim(db: Db, due: RawBuilder<unknown>, order: RawBuilder<unknown>, limit: number, leaseSeconds: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    UPDATE outbox SET state = 'sending', lease_until = now() + make_interval(secs => ${leaseSeconds}),
                      attempts = attempts + 1, updated_at = now()
    WHERE id IN (
      SELECT id FROM outbox WHERE channel = 'email' AND ${due}
      ORDER BY ${order} LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING id`.execute(db);
  return rows.map((r) => r.id);
}

export interface SentEntry {
  id: number;
  serverId: number | null;
  rfcMessageId: string;
  emailFrom: string;
  replyTo: string | null;
  subject: string;
  providerMessageId: string | null;
  /** Kept until a provider confirms delivery (the server's "delete after delivery"). */
  pendingDelete: boolean;
}

/** Settles sent entries in one statement, and their notifications in another. */
export async function markSent(db: Db, entries: SentEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const column = <K extends keyof SentEntry>(key: K) => entries.map((e) => e[key]);
  await sql`
    UPDATE outbox o SET state = 'sent', lease_until = NULL, sent_at = now(), updated_at = now(),
      server_id = t.server_id, rfc_message_id = t.rfc_message_id, email_from = t.email_from, reply_to = t.reply_to,
      subject = t.subject, provider_message_id = t.provider_message_id, pending_delete = t.pending_delete,
      failure_type = NULL, failure_reason = NULL
    FROM unnest(${column('id')}::bigint[], ${column('serverId')}::bigint[], ${column('rfcMessageId')}::text[],
                ${column('emailFrom')}::text[], ${column('replyTo')}::text[], ${column('subject')}::text[],
                ${column('providerMessageId')}::text[], ${column('pendingDelete')}::boolean[])
      AS t(id, server_id, rfc_message_id, email_from, reply_to, subject, provider_message_id, pending_delete)
    WHERE o.id = t.id AND o.state = 'sending'`.execute(db);
  await settleNotifications(db, entries.map((e) => e.id), 'sent');
}

export interface FailedEntry {
  id: number;
  failureType: string;
  reason: string;
}

/** Temporary failures: back to the queue, due again at `nextAttemptAt`; the notification stays `ready`. */
export async function markForRetry(db: Db, entries: (FailedEntry & { nextAttemptAt: Date })[]): Promise<void> {
  if (entries.length === 0) return;
  await sql`
    UPDATE outbox o SET state = 'queued', lease_until = NULL, next_attempt_at = t.next_attempt_at,
      failure_type = t.failure_type, failure_reason = t.reason, updated_at = now()
    FROM unnest(${entries.map((e) => e.id)}::bigint[], ${entries.map((e) => e.nextAttemptAt.toISOString())}::timestamptz[],
                ${entries.map((e) => e.failureType)}::text[], ${entries.map((e) => e.reason)}::text[])
      AS t(id, next_attempt_at, failure_type, reason)
    WHERE o.id = t.id AND o.state = 'sending'`.execute(db);
}

/** Final failures: `exception` (or `canceled` for a blacklisted address); the notification follows. */
export async function markFailed(db: Db, state: Extract<OutboxState, 'exception' | 'canceled'>, entries: FailedEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await sql`
    UPDATE outbox o SET state = ${state}, lease_until = NULL, failure_type = t.failure_type,
      failure_reason = t.reason, updated_at = now()
    FROM unnest(${entries.map((e) => e.id)}::bigint[], ${entries.map((e) => e.failureType)}::text[], ${entries.map((e) => e.reason)}::text[])
      AS t(id, failure_type, reason)
    WHERE o.id = t.id`.execute(db);
  await settleNotifications(db, entries.map((e) => e.id), state === 'canceled' ? 'canceled' : 'exception');
}

/** The notification follows its outbox entry, with the failure in the server's own words. */
async function settleNotifications(db: Db, outboxIds: number[], status: NotificationStatus): Promise<void> {
  // An open chatter redraws these envelopes (live/live.store.ts), announced by the same statement.
  await sql`
    WITH settled AS (
      UPDATE notifications n SET status = ${status}, failure_type = o.failure_type, failure_reason = o.failure_reason
      FROM outbox o WHERE o.id = any(${outboxIds}::bigint[]) AND n.id = o.notification_id
      RETURNING n.message_id)
    SELECT ${announcingMessages(sql`SELECT message_id FROM settled`, ['outbox'])}`.execute(db);
}

/** Sent entries nobody waits on any more, older than the retention, are deleted. */
export async function deleteSentEntries(db: Db, sentBefore: Date): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('state', '=', 'sent')
    .where('pending_delete', '=', false)
    .where('sent_at', '<=', sentBefore)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** When the next queued email falls due (a retry waiting for its time), if any. */
export async function nextDueAt(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('next_attempt_at').as('next'))
    .where('state', '=', 'queued')
    .where('channel', '=', 'email')
    .executeTakeFirst();
  return row?.next ? new Date(row.next) : null;
}
