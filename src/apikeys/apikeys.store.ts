import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function insertApiKey(db: Db, values: { name: string; prefix: string; secretHash: string }): Promise<number> {
  const row = await db
    .insertInto('api_keys')
    .values({ name: values.name, prefix: values.prefix, secret_hash: values.secretHash })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The active key with this hash, marking it used. */
export async function useApiKey(db: Db, secretHash: string): Promise<number | undefined> {
  const row = await db
    .updateTable('api_keys')
    .set({ last_used_at: sql`now()` })
    .where('secret_hash', '=', secretHash)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export async function revokeApiKey(db: Db, id: number): Promise<boolean> {
  const result = await db.updateTable('api_keys').set({ revoked_at: sql`now()` }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
