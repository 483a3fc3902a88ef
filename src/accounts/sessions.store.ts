import type { Db } from '../db/database.ts';

export async function insertSession(db: Db, values: { tokenHash: string; userId: number; expiresAt: Date }): Promise<void> {
  await db.insertInto('user_sessions').values({ token_hash: values.tokenHash, user_id: values.userId, expires_at: values.expiresAt }).execute();
}

/** The user of a session that has not expired. */
export async function findSessionUser(db: Db, tokenHash: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('user_sessions')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row?.user_id;
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('user_sessions').where((eb) => eb.or([eb('token_hash', '=', tokenHash), eb('expires_at', '<', new Date())])).execute();
}

export async function deleteSessionsOf(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('user_sessions').where('user_id', '=', userId).execute();
}
