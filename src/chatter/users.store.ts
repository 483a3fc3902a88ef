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
}

export async function insertUser(
  db: Db,
  values: { partnerId: number; login: string; role: UserRole; notification: NotificationPreference },
): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ partner_id: values.partnerId, login: values.login, role: values.role, notification: values.notification })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUser(
  db: Db,
  id: number,
  values: { role: UserRole; notification: NotificationPreference },
): Promise<void> {
  await db.updateTable('users').set(values).where('id', '=', id).execute();
}

export async function isLoginTaken(db: Db, login: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst()) !== undefined;
}

export async function findUsers(db: Db, ids?: number[]): Promise<UserRow[]> {
  let query = db
    .selectFrom('users as u')
    .innerJoin('partners as p', 'p.id', 'u.partner_id')
    .select(['u.id', 'u.partner_id', 'u.login', 'u.role', 'u.notification', 'p.name', 'p.email'])
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
  }));
}

export async function findUserOfPartner(db: Db, partnerId: number): Promise<number | undefined> {
  const row = await db.selectFrom('users').select('id').where('partner_id', '=', partnerId).executeTakeFirst();
  return row?.id;
}
