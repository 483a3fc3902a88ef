// Events for the host application (a record created by an alias…), kept in order so that the host
// can read them with GET /api/events?after=<last id it saw>; a NOTIFY wakes live listeners.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { announcing, type LiveChange } from '../live/live.store.ts';

export const EVENTS_CHANNEL = 'facteur_events';

export interface EventRow {
  id: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export async function insertEvent(db: Db, type: string, payload: Record<string, unknown>): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO events (type, payload) VALUES (${type}, ${JSON.stringify(payload)}::jsonb) RETURNING id`.execute(db);
  const id = rows[0]!.id;
  await sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${String(id)})`.execute(db);
  return id;
}

/**
 * Several events of one type in one statement, and one NOTIFY naming the last: listeners read on from
 * where they were. `live` rides in the same statement as that NOTIFY (live/live.store.ts).
 */
export async function insertEvents(db: Db, type: string, payloads: Record<string, unknown>[], live?: LiveChange): Promise<number[]> {
  if (payloads.length === 0) return [];
  const { rows } = await sql<{ id: number }>`
    INSERT INTO events (type, payload) SELECT ${type}, p FROM unnest(${payloads.map((p) => JSON.stringify(p))}::jsonb[]) WITH ORDINALITY AS t(p, n) ORDER BY n
    RETURNING id`.execute(db);
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  await sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${String(ids.at(-1))})${live ? sql`, ${announcing(live)}` : sql``}`.execute(db);
  return ids;
}

export async function listEvents(db: Db, filter: { after: number; limit: number; type?: string | undefined }): Promise<EventRow[]> {
  const { rows } = await sql<EventRow>`
    SELECT id, type, payload, created_at AS "createdAt" FROM events
    WHERE id > ${filter.after} AND (${filter.type ?? null}::text IS NULL OR type = ${filter.type ?? null})
    ORDER BY id LIMIT ${filter.limit}`.execute(db);
  return rows;
}
