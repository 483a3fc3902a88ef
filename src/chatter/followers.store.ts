import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';
import type { Addressee } from './rules/recipients.ts';

export interface FollowerRow {
  partnerId: number;
  subtypeIds: number[];
}

export interface NewFollower {
  partnerId: number;
  subtypeIds: number[];
}

export async function listFollowers(db: Db, recordId: number): Promise<FollowerRow[]> {
  const rows = await db
    .selectFrom('followers as f')
    .leftJoin('follower_subtypes as fs', 'fs.follower_id', 'f.id')
    .select(['f.partner_id', sql<number[]>`coalesce(array_agg(fs.subtype_id ORDER BY fs.subtype_id) FILTER (WHERE fs.subtype_id IS NOT NULL), '{}')`.as('subtype_ids')])
    .where('f.record_id', '=', recordId)
    .groupBy(['f.id', 'f.partner_id'])
    .orderBy('f.id')
    .execute();
  return rows.map((r) => ({ partnerId: r.partner_id, subtypeIds: r.subtype_ids }));
}

export async function followedSubtypeIds(db: Db, recordId: number, partnerId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('followers as f')
    .innerJoin('follower_subtypes as fs', 'fs.follower_id', 'f.id')
    .select('fs.subtype_id')
    .where('f.record_id', '=', recordId)
    .where('f.partner_id', '=', partnerId)
    .execute();
  return rows.map((r) => r.subtype_id);
}

export async function followerPartnerIds(db: Db, recordId: number, partnerIds: number[]): Promise<Set<number>> {
  if (partnerIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('followers')
    .select('partner_id')
    .where('record_id', '=', recordId)
    .where('partner_id', '=', anyId(partnerIds))
    .execute();
  return new Set(rows.map((r) => r.partner_id));
}

/**
 * Adds followers who do not follow yet (existing ones are left as they are), with their subtypes.
 * Set-based: one statement for the followers and one for their subtypes, whatever their number.
 */
export async function addFollowers(db: Db, recordId: number, followers: NewFollower[]): Promise<number[]> {
  if (followers.length === 0) return [];
  const partnerIds = followers.map((f) => f.partnerId);
  const inserted = await sql<{ id: number; partner_id: number }>`
    INSERT INTO followers (record_id, partner_id)
    SELECT ${recordId}, p FROM unnest(${partnerIds}::bigint[]) AS p
    ON CONFLICT (record_id, partner_id) DO NOTHING
    RETURNING id, partner_id`.execute(db);
  const followerIdByPartner = new Map(inserted.rows.map((r) => [r.partner_id, r.id]));
  const pairs = followers.flatMap((f) => {
    const followerId = followerIdByPartner.get(f.partnerId);
    return followerId === undefined ? [] : f.subtypeIds.map((s) => [followerId, s] as const);
  });
  if (pairs.length > 0) {
    await sql`
      INSERT INTO follower_subtypes (follower_id, subtype_id)
      SELECT * FROM unnest(${pairs.map((p) => p[0])}::bigint[], ${pairs.map((p) => p[1])}::bigint[])
      ON CONFLICT DO NOTHING`.execute(db);
  }
  return [...followerIdByPartner.keys()];
}

export async function setFollowerSubtypes(db: Db, recordId: number, partnerId: number, subtypeIds: number[]): Promise<boolean> {
  const follower = await db
    .selectFrom('followers')
    .select('id')
    .where('record_id', '=', recordId)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  if (!follower) return false;
  await db.deleteFrom('follower_subtypes').where('follower_id', '=', follower.id).execute();
  if (subtypeIds.length > 0) {
    await db
      .insertInto('follower_subtypes')
      .values(subtypeIds.map((subtypeId) => ({ follower_id: follower.id, subtype_id: subtypeId })))
      .execute();
  }
  return true;
}

export async function removeFollower(db: Db, recordId: number, partnerId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('followers')
    .where('record_id', '=', recordId)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The fan-out query: every follower of the record subscribed to the subtype, with how they want it. */
export function subscribedAddresseesQuery(db: Db, recordId: number, subtypeId: number) {
  return db
    .selectFrom('followers as f')
    .innerJoin('follower_subtypes as fs', 'fs.follower_id', 'f.id')
    .leftJoin('users as u', 'u.partner_id', 'f.partner_id')
    .select(['f.partner_id', 'u.role', 'u.notification'])
    .where('f.record_id', '=', recordId)
    .where('fs.subtype_id', '=', subtypeId);
}

export async function subscribedAddressees(db: Db, recordId: number, subtypeId: number): Promise<Addressee[]> {
  const rows = await subscribedAddresseesQuery(db, recordId, subtypeId).execute();
  return rows.map((r) => ({
    partnerId: r.partner_id,
    internalNotification: r.role === 'internal' ? r.notification : null,
  }));
}

/**
 * The followers subscribed to each (record, subtype) pair, for posts on several threads at once:
 * one statement, keyed `recordId:subtypeId`.
 */
export async function subscribedAddresseesOf(db: Db, threads: { recordId: number; subtypeId: number }[]): Promise<Map<string, Addressee[]>> {
  const byThread = new Map<string, Addressee[]>(threads.map((t) => [threadKey(t.recordId, t.subtypeId), []]));
  if (threads.length === 0) return byThread;
  const { rows } = await sql<{ record_id: number; subtype_id: number; partner_id: number; role: string | null; notification: Addressee['internalNotification'] }>`
    SELECT t.record_id, t.subtype_id, f.partner_id, u.role, u.notification
    FROM unnest(${threads.map((t) => t.recordId)}::bigint[], ${threads.map((t) => t.subtypeId)}::bigint[]) AS t(record_id, subtype_id)
    JOIN followers f ON f.record_id = t.record_id
    JOIN follower_subtypes fs ON fs.follower_id = f.id AND fs.subtype_id = t.subtype_id
    LEFT JOIN users u ON u.partner_id = f.partner_id`.execute(db);
  for (const r of rows) {
    byThread.get(threadKey(r.record_id, r.subtype_id))?.push({ partnerId: r.partner_id, internalNotification: r.role === 'internal' ? r.notification : null });
  }
  return byThread;
}

export function threadKey(recordId: number, subtypeId: number): string {
  return `${recordId}:${subtypeId}`;
}
