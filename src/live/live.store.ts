// Live updates (issue 6 §1): whatever changes a record's thread, a delivery state, the queue, the
// inbound list or the catcher is announced on one NOTIFY channel, so that every process's web UI
// (GET /api/live, server-sent events) hears it, whichever process made the change (DESIGN: LISTEN/NOTIFY
// carries live updates). A change names ids only; each screen reads again what it shows, as the
// reader may see it.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';

export const LIVE_CHANNEL = 'facteur_live';

export type LiveTopic = 'outbox' | 'inbound' | 'catcher' | 'inbox' | 'followers';

export interface LiveChange {
  /** Records whose thread got new messages or followers (records.id). */
  records?: number[];
  /** Messages whose envelopes (notifications) changed. */
  messages?: number[];
  topics?: LiveTopic[];
}

/** NOTIFY payloads stop at 8,000 bytes; past this many ids, screens are told to read everything again. */
const MAX_IDS = 400;

export function livePayload(change: LiveChange): string {
  const bounded = (ids: number[] | undefined) => (ids && ids.length > MAX_IDS ? undefined : ids && [...new Set(ids)]);
  const tooMany = (change.records?.length ?? 0) > MAX_IDS || (change.messages?.length ?? 0) > MAX_IDS;
  return JSON.stringify({ ...change, records: bounded(change.records), messages: bounded(change.messages), ...(tooMany ? { all: true } : {}) });
}

/** Delivered at commit when run inside a transaction; nothing is announced for a rolled-back change. */
export async function announce(db: Db, change: LiveChange): Promise<void> {
  await sql`SELECT pg_notify(${LIVE_CHANNEL}, ${livePayload(change)})`.execute(db);
}

/**
 * The same, as a column of a statement that already runs (`SELECT …, ${announcing(…)}`): hot paths
 * (the outbox worker, the gateway) announce without one more round trip.
 */
export function announcing(change: LiveChange): RawBuilder<unknown> {
  return sql`pg_notify(${LIVE_CHANNEL}, ${livePayload(change)})`;
}

/**
 * An announce of the messages a subquery yields (their envelopes changed), as a column of the
 * statement that changed them; too many for one NOTIFY, and screens read everything again.
 */
export function announcingMessages(messageIds: RawBuilder<unknown>, topics: LiveTopic[]): RawBuilder<unknown> {
  return sql`pg_notify(${LIVE_CHANNEL}, (
    SELECT CASE WHEN count(DISTINCT id) > ${MAX_IDS} THEN json_build_object('all', true, 'topics', ${JSON.stringify(topics)}::json)
                ELSE json_build_object('messages', coalesce(json_agg(DISTINCT id), '[]'::json), 'topics', ${JSON.stringify(topics)}::json) END::text
    FROM (${messageIds}) AS changed(id)))`;
}
