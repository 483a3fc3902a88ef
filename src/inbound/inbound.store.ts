// The inbound_emails table: every received message, raw, with what became of it.
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { InboundSource, InboundState } from '../db/schema.ts';
import { announcing } from '../live/live.store.ts';

export interface NewInboundEmail {
  source: InboundSource;
  incomingServerId: number | null;
  rfcMessageId: string;
  raw: Uint8Array;
  sender: string | null;
  subject: string | null;
}

export interface InboundEmailRow {
  id: number;
  source: InboundSource;
  incomingServerId: number | null;
  rfcMessageId: string;
  sender: string | null;
  subject: string | null;
  state: InboundState;
  route: string | null;
  reason: string | null;
  recordId: number | null;
  /** The record it was posted on (or dropped for), for a link. */
  record: { model: string; resId: string; name: string } | null;
  messageId: number | null;
  attempts: number;
  size: number;
  receivedAt: Date;
  processedAt: Date | null;
}

export interface InboundOutcome {
  state: InboundState;
  route: string | null;
  reason: string | null;
  recordId?: number | null;
  messageId?: number | null;
}

const columns = sql`id, source, incoming_server_id AS "incomingServerId", rfc_message_id AS "rfcMessageId", sender, subject,
  state, route, reason, record_id AS "recordId", message_id AS "messageId", attempts, size,
  received_at AS "receivedAt", processed_at AS "processedAt",
  (SELECT json_build_object('model', r.model, 'resId', r.res_id, 'name', r.name) FROM records r WHERE r.id = inbound_emails.record_id) AS record`;

/**
 * Stores the messages in one statement, each unless one with the same Message-ID is already kept.
 * Returns the new rows' ids by Message-ID; a Message-ID missing from the map was a copy. The
 * Message-IDs given must differ from one another.
 */
export async function insertInboundEmails(db: Db, emails: NewInboundEmail[]): Promise<Map<string, number>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .insertInto('inbound_emails')
    .values(
      emails.map((e) => ({
        source: e.source,
        incoming_server_id: e.incomingServerId,
        rfc_message_id: e.rfcMessageId,
        // Mail compresses well; level 1 is the fastest, and most of the gain (migration 0006 says why here).
        raw: gzipSync(e.raw, { level: 1 }),
        raw_encoding: 'gzip',
        size: e.raw.byteLength,
        sender: e.sender,
        subject: e.subject,
      })),
    )
    .onConflict((oc) => oc.column('rfc_message_id').doNothing())
    .returning(['id', 'rfc_message_id'])
    .execute();
  return new Map(rows.map((r) => [r.rfc_message_id, r.id]));
}

export async function findInboundEmail(db: Db, id: number): Promise<InboundEmailRow | undefined> {
  const { rows } = await sql<InboundEmailRow>`SELECT ${columns} FROM inbound_emails WHERE id = ${id}`.execute(db);
  return rows[0];
}

export async function findInboundEmailsByMessageIds(db: Db, rfcMessageIds: string[]): Promise<InboundEmailRow[]> {
  if (rfcMessageIds.length === 0) return [];
  const { rows } = await sql<InboundEmailRow>`SELECT ${columns} FROM inbound_emails WHERE rfc_message_id = any(${rfcMessageIds}::text[])`.execute(db);
  return rows;
}

/** The message as it was received (decompressed). */
export async function findInboundRaw(db: Db, id: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('inbound_emails').select(['raw', 'raw_encoding']).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return row.raw_encoding === 'gzip' ? gunzipSync(row.raw) : Buffer.from(row.raw);
}

export async function listInboundEmails(db: Db, filter: { state?: InboundState | undefined; limit: number; beforeId?: number | undefined }): Promise<InboundEmailRow[]> {
  const { rows } = await sql<InboundEmailRow>`
    SELECT ${columns} FROM inbound_emails
    WHERE (${filter.state ?? null}::text IS NULL OR state = ${filter.state ?? null})
      AND (${filter.beforeId ?? null}::bigint IS NULL OR id < ${filter.beforeId ?? null})
    ORDER BY id DESC LIMIT ${filter.limit}`.execute(db);
  return rows;
}

export async function countInboundByState(db: Db): Promise<Record<string, number>> {
  const { rows } = await sql<{ state: string; count: number }>`SELECT state, count(*)::int AS count FROM inbound_emails GROUP BY state`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.state, r.count]));
}

/** Ids of messages stored but never settled (their process stopped in between): processed again. */
export async function listUnsettledInboundIds(db: Db, receivedBefore: Date, limit: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT id FROM inbound_emails WHERE state = 'received' AND received_at < ${receivedBefore} ORDER BY id LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.id);
}

/** Records what became of each message, in one statement. */
export async function settleInboundEmails(db: Db, settled: { id: number; outcome: InboundOutcome }[]): Promise<void> {
  if (settled.length === 0) return;
  const column = <T>(pick: (o: InboundOutcome) => T) => settled.map((s) => pick(s.outcome));
  // The Inbound screen hears of it (live/live.store.ts) from the same statement, once per batch.
  await sql`
    WITH changed AS (
      UPDATE inbound_emails AS e SET state = t.state, route = t.route, reason = t.reason, record_id = t.record_id,
        message_id = t.message_id, processed_at = now(), attempts = e.attempts + 1
      FROM unnest(${settled.map((s) => s.id)}::bigint[], ${column((o) => o.state)}::text[], ${column((o) => o.route)}::text[],
                  ${column((o) => o.reason)}::text[], ${column((o) => o.recordId ?? null)}::bigint[], ${column((o) => o.messageId ?? null)}::bigint[])
        AS t(id, state, route, reason, record_id, message_id)
      WHERE e.id = t.id
      RETURNING 1)
    SELECT ${announcing({ topics: ['inbound'] })} FROM (SELECT 1 FROM changed LIMIT 1) AS any_changed`.execute(db);
}

/**
 * Settles a message posted by hand as routed; false when it was routed meanwhile (the caller's
 * transaction is then rolled back, so that it is not posted twice).
 */
export async function settleAttachedInboundEmail(db: Db, id: number, outcome: { reason: string; recordId: number; messageId: number }): Promise<boolean> {
  const { rows } = await sql`
    UPDATE inbound_emails SET state = 'routed', route = 'manual', reason = ${outcome.reason}, record_id = ${outcome.recordId},
      message_id = ${outcome.messageId}, processed_at = now()
    WHERE id = ${id} AND state <> 'routed'
    RETURNING ${announcing({ topics: ['inbound'] })}`.execute(db);
  return rows.length > 0;
}
