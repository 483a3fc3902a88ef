// What the log sync reads (seed 001 §6.2): the entries waiting for Sweego's confirmation, and the
// active alias domains that filter the logs to this installation's mail.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** Entries sent, kept for deletion once confirmed, and not confirmed yet; with the day the oldest left. */
export async function listPendingConfirmation(db: Db): Promise<{ ids: number[]; oldestSentAt: Date | null }> {
  const { rows } = await sql<{ id: number; sent_at: Date | null }>`
    SELECT id, sent_at FROM outbox WHERE pending_delete AND NOT confirmed AND state = 'sent' ORDER BY id`.execute(db);
  const times = rows.flatMap((r) => (r.sent_at ? [r.sent_at.getTime()] : []));
  return { ids: rows.map((r) => r.id), oldestSentAt: times.length > 0 ? new Date(Math.min(...times)) : null };
}

export async function listAliasDomainNames(db: Db): Promise<string[]> {
  const { rows } = await sql<{ domain: string }>`SELECT domain FROM alias_domains ORDER BY domain`.execute(db);
  return rows.map((r) => r.domain);
}
