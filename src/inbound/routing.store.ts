// What routing looks up: alias domains and aliases, the messages a reply refers to, the sender, the
// records they lead to; and the sender-loop count and bounce counters it reads and resets.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { MessageKind } from '../db/schema.ts';
import type { RecordRow } from '../chatter/records.store.ts';
import type { AliasView } from './aliases.store.ts';

export interface AliasDomainRow {
  companyId: number;
  domain: string;
  catchall: string;
  bounce: string;
}

/** An active alias, as routing needs it. */
export type AliasRow = Omit<AliasView, 'active'>;

/** A message of ours that a reply names (or the reply itself, come back). */
export interface KnownMessage {
  id: number;
  recordId: number;
  kind: MessageKind;
  rfcMessageId: string;
}

/** A record as routing needs it: where to post, and what the host is told of a new one. */
export type RoutedRecord = Pick<RecordRow, 'id' | 'model' | 'resId' | 'name' | 'companyId'>;

export interface RoutingLookups {
  aliasDomains: AliasDomainRow[];
  aliases: AliasRow[];
  /** The messages of ours among the Message-IDs asked for. */
  known: KnownMessage[];
  /** By address; an address of nobody is missing. */
  senders: Map<string, Sender>;
  /** The records of the known messages, of the aliases that post on a fixed record, and of the references asked for. */
  records: RoutedRecord[];
}

/**
 * Everything routing looks up for a batch of messages, in one round trip: the alias domains and
 * active aliases, the messages of ours the batch names, its senders' partners, and the records all
 * of these lead to.
 */
export async function loadRouting(
  db: Db,
  asked: { rfcMessageIds: string[]; senders: string[]; refs: { model: string; resId: string }[] },
): Promise<RoutingLookups> {
  const { rows } = await sql<{
    alias_domains: AliasDomainRow[] | null;
    aliases: AliasRow[] | null;
    known: KnownMessage[] | null;
    senders: ({ email: string } & Sender)[] | null;
    records: RoutedRecord[] | null;
  }>`
    WITH known AS (
      SELECT id, record_id, kind, rfc_message_id FROM messages WHERE rfc_message_id = any(${asked.rfcMessageIds}::text[])),
    active_aliases AS (
      SELECT a.*, d.domain, d.company_id FROM aliases a JOIN alias_domains d ON d.id = a.alias_domain_id WHERE a.active),
    -- The partner of each address: users' partners first, then the oldest (seed 000 §3.3).
    senders AS (
      SELECT DISTINCT ON (p.email_normalized) p.email_normalized AS email, p.id,
             bool_or(p.bounce_count > 0) OVER (PARTITION BY p.email_normalized) AS bouncing
      FROM partners p LEFT JOIN users u ON u.partner_id = p.id
      WHERE p.email_normalized = any(${[...new Set(asked.senders)]}::text[])
      ORDER BY p.email_normalized, (u.id IS NULL), p.id)
    SELECT
      (SELECT json_agg(json_build_object('companyId', company_id, 'domain', domain, 'catchall', catchall, 'bounce', bounce))
         FROM alias_domains) AS alias_domains,
      (SELECT json_agg(json_build_object('id', id, 'name', name, 'domain', domain, 'companyId', company_id, 'model', model,
                                         'recordId', record_id, 'parentRecordId', parent_record_id, 'contactPolicy', contact_policy))
         FROM active_aliases) AS aliases,
      (SELECT json_agg(json_build_object('id', id, 'recordId', record_id, 'kind', kind, 'rfcMessageId', rfc_message_id)) FROM known) AS known,
      (SELECT json_agg(json_build_object('email', email, 'partnerId', id, 'bouncing', bouncing)) FROM senders) AS senders,
      (SELECT json_agg(json_build_object('id', r.id, 'model', r.model, 'resId', r.res_id, 'name', r.name, 'companyId', r.company_id))
         FROM records r
         WHERE r.id IN (SELECT record_id FROM known)
            OR r.id IN (SELECT record_id FROM active_aliases WHERE record_id IS NOT NULL)
            OR (r.model, r.res_id) IN (SELECT * FROM unnest(${asked.refs.map((r) => r.model)}::text[], ${asked.refs.map((r) => r.resId)}::text[]))) AS records`.execute(db);
  const row = rows[0]!;
  return {
    aliasDomains: row.alias_domains ?? [],
    aliases: row.aliases ?? [],
    known: row.known ?? [],
    senders: new Map((row.senders ?? []).map((s) => [s.email, { partnerId: s.partnerId, bouncing: s.bouncing }])),
    records: row.records ?? [],
  };
}

export interface Sender {
  partnerId: number | null;
  /** Some partner of that address has bounces counted. */
  bouncing: boolean;
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
