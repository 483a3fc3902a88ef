import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';
import { containsPattern } from '../db/patterns.ts';
import type { NotificationPreference, UserRole } from '../db/schema.ts';

export interface PartnerRow {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  lang: string;
  companyId: number | null;
  bounceCount: number;
  blacklisted: boolean;
  /** Present when the partner is a user. */
  userId: number | null;
  userRole: UserRole | null;
  notification: NotificationPreference | null;
}

export interface PartnerValues {
  name: string;
  email: string | null;
  emailNormalized: string | null;
  phone: string | null;
  lang: string;
  companyId: number | null;
}

const partnerColumns = [
  'p.id',
  'p.name',
  'p.email',
  'p.phone',
  'p.lang',
  'p.company_id',
  'p.bounce_count',
  'p.blacklisted',
  'u.id as user_id',
  'u.role',
  'u.notification',
] as const;

function partnerQuery(db: Db) {
  return db.selectFrom('partners as p').leftJoin('users as u', 'u.partner_id', 'p.id').select(partnerColumns);
}

type PartnerSelection = Awaited<ReturnType<ReturnType<typeof partnerQuery>['executeTakeFirstOrThrow']>>;

function toPartnerRow(r: PartnerSelection): PartnerRow {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    lang: r.lang,
    companyId: r.company_id,
    bounceCount: r.bounce_count,
    blacklisted: r.blacklisted,
    userId: r.user_id,
    userRole: r.role,
    notification: r.notification,
  };
}

function toColumns(values: PartnerValues) {
  return {
    name: values.name,
    email: values.email,
    email_normalized: values.emailNormalized,
    phone: values.phone,
    lang: values.lang,
    company_id: values.companyId,
  };
}

export async function insertPartner(db: Db, values: PartnerValues): Promise<number> {
  const row = await db
    .insertInto('partners')
    .values(toColumns(values))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePartner(db: Db, id: number, values: PartnerValues): Promise<void> {
  await db
    .updateTable('partners')
    .set({ ...toColumns(values), updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function findPartners(db: Db, ids: number[]): Promise<PartnerRow[]> {
  if (ids.length === 0) return [];
  const rows = await partnerQuery(db).where('p.id', '=', anyId(ids)).orderBy('p.id').execute();
  return rows.map(toPartnerRow);
}

/** Name or email contains `text` (case-insensitive); for lists and @mention autocompletion. */
export async function searchPartners(db: Db, text: string | undefined, limit: number, offset: number): Promise<PartnerRow[]> {
  let query = partnerQuery(db).orderBy('p.name').orderBy('p.id').limit(limit).offset(offset);
  if (text) {
    const pattern = containsPattern(text);
    query = query.where((eb) => eb.or([eb('p.name', 'ilike', pattern), eb('p.email', 'ilike', pattern)]));
  }
  return (await query.execute()).map(toPartnerRow);
}
