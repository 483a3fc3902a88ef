// The inbound_emails table: every received message, raw, with what became of it.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { InboundSource, InboundState } from '../db/schema.ts';

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
  state, route, reason, record_id AS "recordId", message_id AS "messageId", attempts, octet_length(raw) AS size,
  received_at AS "receivedAt", processed_at AS "processedAt"`;

/** Stores the message unless one with the same Message-ID is already kept; returns its id, or null for a copy. */
export async function insertInboundEmail(db: Db, email: NewInboundEmail): Promise<number | null> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO inbound_emails (source, incoming_server_id, rfc_message_id, raw, sender, subject)
    VALUES (${email.source}, ${email.incomingServerId}, ${email.rfcMessageId}, ${email.raw}, ${email.sender}, ${email.subject})
    ON CONFLICT (rfc_message_id) DO NOTHING
    RETURNING id`.execute(db);
  return rows[0]?.id ?? null;
}

export async function findInboundEmail(db: Db, id: number): Promise<InboundEmailRow | undefined> {
  const { rows } = await sql<InboundEmailRow>`SELECT ${columns} FROM inbound_emails WHERE id = ${id}`.execute(db);
  return rows[0];
}

export async function findInboundEmailByMessageId(db: Db, rfcMessageId: string): Promise<InboundEmailRow | undefined> {
  const { rows } = await sql<InboundEmailRow>`SELECT ${columns} FROM inbound_emails WHERE rfc_message_id = ${rfcMessageId}`.execute(db);
  return rows[0];
}

export async function findInboundRaw(db: Db, id: number): Promise<Uint8Array | undefined> {
  const row = await db.selectFrom('inbound_emails').select('raw').where('id', '=', id).executeTakeFirst();
  return row?.raw;
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

export async function settleInboundEmail(db: Db, id: number, outcome: InboundOutcome): Promise<void> {
  await sql`
    UPDATE inbound_emails SET state = ${outcome.state}, route = ${outcome.route}, reason = ${outcome.reason},
      record_id = ${outcome.recordId ?? null}, message_id = ${outcome.messageId ?? null}, processed_at = now(),
      attempts = attempts + 1
    WHERE id = ${id}`.execute(db);
}
