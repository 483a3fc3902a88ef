// What routing looks up: alias domains and aliases, the messages a reply refers to, the sender.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { MessageKind } from '../db/schema.ts';
import type { AliasView } from './aliases.store.ts';

export interface AliasDomainRow {
  companyId: number;
  domain: string;
  catchall: string;
  bounce: string;
}

/** An active alias, as routing needs it. */
export type AliasRow = Omit<AliasView, 'active'>;

/** The alias domains and active aliases, in one round trip: every inbound message needs both. */
export async function loadRoutingTables(db: Db): Promise<{ aliasDomains: AliasDomainRow[]; aliases: AliasRow[] }> {
  const { rows } = await sql<{ alias_domains: AliasDomainRow[] | null; aliases: AliasRow[] | null }>`
    SELECT
      (SELECT json_agg(json_build_object('companyId', company_id, 'domain', domain, 'catchall', catchall, 'bounce', bounce))
         FROM alias_domains) AS alias_domains,
      (SELECT json_agg(json_build_object('id', a.id, 'name', a.name, 'domain', d.domain, 'companyId', d.company_id, 'model', a.model,
                                         'recordId', a.record_id, 'parentRecordId', a.parent_record_id, 'contactPolicy', a.contact_policy))
         FROM aliases a JOIN alias_domains d ON d.id = a.alias_domain_id WHERE a.active) AS aliases`.execute(db);
  return { aliasDomains: rows[0]?.alias_domains ?? [], aliases: rows[0]?.aliases ?? [] };
}

/** The messages of ours a reply refers to, in no particular order. */
export async function findMessagesByRfcIds(db: Db, rfcMessageIds: string[]): Promise<{ id: number; recordId: number; kind: MessageKind; rfcMessageId: string }[]> {
  if (rfcMessageIds.length === 0) return [];
  const { rows } = await sql<{ id: number; recordId: number; kind: MessageKind; rfcMessageId: string }>`
    SELECT id, record_id AS "recordId", kind, rfc_message_id AS "rfcMessageId" FROM messages
    WHERE rfc_message_id = any(${rfcMessageIds}::text[])`.execute(db);
  return rows;
}

export interface Sender {
  partnerId: number | null;
  /** Some partner of that address has bounces counted. */
  bouncing: boolean;
}

/**
 * The partner each sender's address belongs to (users' partners first, then the oldest), and whether
 * any partner of that address has bounces counted; addresses of nobody are missing from the map.
 */
export async function findSenders(db: Db, emailsNormalized: string[]): Promise<Map<string, Sender>> {
  if (emailsNormalized.length === 0) return new Map();
  const { rows } = await sql<{ email: string; id: number; bouncing: boolean }>`
    SELECT DISTINCT ON (p.email_normalized) p.email_normalized AS email, p.id,
           bool_or(p.bounce_count > 0) OVER (PARTITION BY p.email_normalized) AS bouncing
    FROM partners p LEFT JOIN users u ON u.partner_id = p.id
    WHERE p.email_normalized = any(${[...new Set(emailsNormalized)]}::text[])
    ORDER BY p.email_normalized, (u.id IS NULL), p.id`.execute(db);
  return new Map(rows.map((r) => [r.email, { partnerId: r.id, bouncing: r.bouncing }]));
}

export async function isFollower(db: Db, recordId: number, partnerId: number): Promise<boolean> {
  const row = await db.selectFrom('followers').select('partner_id').where('record_id', '=', recordId).where('partner_id', '=', partnerId).executeTakeFirst();
  return row !== undefined;
}

/**
 * How many messages each address sent to its thread since `since` (the sender-loop limit), keyed
 * `recordId:address`, counting no further than `upTo`: the cost stays flat however long the thread.
 */
export async function countMessagesFromSenders(db: Db, pairs: { recordId: number; emailNormalized: string }[], since: Date, upTo: number): Promise<Map<string, number>> {
  if (pairs.length === 0) return new Map();
  const { rows } = await sql<{ record_id: number; email: string; count: number }>`
    SELECT t.record_id, t.email, recent.count
    FROM unnest(${pairs.map((p) => p.recordId)}::bigint[], ${pairs.map((p) => p.emailNormalized)}::text[]) AS t(record_id, email)
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS count FROM (
        SELECT 1 FROM messages m
        WHERE m.record_id = t.record_id AND m.email_from_normalized = t.email AND m.created_at >= ${since}
        LIMIT ${upTo}) AS limited) AS recent`.execute(db);
  return new Map(rows.map((r) => [senderKey(r.record_id, r.email), r.count]));
}

export function senderKey(recordId: number, emailNormalized: string): string {
  return `${recordId}:${emailNormalized}`;
}

/** A person who writes normally again is not bouncing any more: their counter starts over. */
export async function resetBounceCounts(db: Db, emailsNormalized: string[]): Promise<void> {
  if (emailsNormalized.length === 0) return;
  await sql`UPDATE partners SET bounce_count = 0 WHERE email_normalized = any(${emailsNormalized}::text[]) AND bounce_count > 0`.execute(db);
}
