import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';
import type { NotificationPreference, UserRole } from '../db/schema.ts';

export interface UserRow {
  id: number;
  partnerId: number;
  login: string;
  role: UserRole;
  notification: NotificationPreference;
  name: string;
  email: string | null;
  /** May administer Facteur in the web UI, as the host application does through the API. */
  isAdmin: boolean;
  /** The web UI's language (en, fr); null follows the browser. */
  language: string | null;
  /** Can log in to the web UI. */
  hasPassword: boolean;
}

export async function insertUser(
  db: Db,
  values: { partnerId: number; login: string; role: UserRole; notification: NotificationPreference; isAdmin?: boolean; language?: string | null; passwordHash?: string | null },
): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({
      partner_id: values.partnerId,
      login: values.login,
      role: values.role,
      notification: values.notification,
      is_admin: values.isAdmin ?? false,
      language: values.language ?? null,
      password_hash: values.passwordHash ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUser(
  db: Db,
  id: number,
  values: { role: UserRole; notification: NotificationPreference; isAdmin: boolean; language: string | null },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ role: values.role, notification: values.notification, is_admin: values.isAdmin, language: values.language })
    .where('id', '=', id)
    .execute();
}

export async function setPasswordHash(db: Db, id: number, passwordHash: string | null): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export async function findLoginCredentials(db: Db, login: string): Promise<{ id: number; passwordHash: string | null } | undefined> {
  const row = await db.selectFrom('users').select(['id', 'password_hash']).where('login', '=', login).executeTakeFirst();
  return row && { id: row.id, passwordHash: row.password_hash };
}

/** The first administrator, and whether they can log in yet. */
export async function findFirstAdministrator(db: Db): Promise<{ id: number; login: string; hasPassword: boolean } | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'login', 'password_hash'])
    .where('is_admin', '=', true)
    .orderBy(sql`password_hash IS NULL`)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row && { id: row.id, login: row.login, hasPassword: row.password_hash !== null };
}

export async function isLoginTaken(db: Db, login: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst()) !== undefined;
}

export async function findUsers(db: Db, ids?: number[]): Promise<UserRow[]> {
  let query = db
    .selectFrom('users as u')
    .innerJoin('partners as p', 'p.id', 'u.partner_id')
    .select(['u.id', 'u.partner_id', 'u.login', 'u.role', 'u.notification', 'u.is_admin', 'u.language', 'u.password_hash', 'p.name', 'p.email'])
    .orderBy('u.id');
  if (ids) {
    if (ids.length === 0) return [];
    query = query.where('u.id', '=', anyId(ids));
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    partnerId: r.partner_id,
    login: r.login,
    role: r.role,
    notification: r.notification,
    name: r.name,
    email: r.email,
    isAdmin: r.is_admin,
    language: r.language,
    hasPassword: r.password_hash !== null,
  }));
}

export async function findUserOfPartner(db: Db, partnerId: number): Promise<number | undefined> {
  const row = await db.selectFrom('users').select('id').where('partner_id', '=', partnerId).executeTakeFirst();
  return row?.id;
}
