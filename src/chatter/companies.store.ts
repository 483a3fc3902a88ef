import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';

export interface AliasDomainRow {
  domain: string;
  catchall: string;
  bounce: string;
  defaultFrom: string;
}

export interface CompanyRow {
  id: number;
  name: string;
  aliasDomain: AliasDomainRow | null;
}

export async function insertCompany(db: Db, name: string): Promise<number> {
  const row = await db.insertInto('companies').values({ name }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCompanyName(db: Db, id: number, name: string): Promise<void> {
  await db.updateTable('companies').set({ name }).where('id', '=', id).execute();
}

export async function upsertAliasDomain(db: Db, companyId: number, alias: AliasDomainRow): Promise<void> {
  const values = {
    domain: alias.domain,
    catchall: alias.catchall,
    bounce: alias.bounce,
    default_from: alias.defaultFrom,
  };
  await db
    .insertInto('alias_domains')
    .values({ company_id: companyId, ...values })
    .onConflict((oc) => oc.column('company_id').doUpdateSet(values))
    .execute();
}

export async function isAliasDomainTaken(db: Db, domain: string, exceptCompanyId: number | null): Promise<boolean> {
  let query = db.selectFrom('alias_domains').select('id').where('domain', '=', domain);
  if (exceptCompanyId !== null) query = query.where('company_id', '<>', exceptCompanyId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function findCompanies(db: Db, ids?: number[]): Promise<CompanyRow[]> {
  let query = db
    .selectFrom('companies as c')
    .leftJoin('alias_domains as a', 'a.company_id', 'c.id')
    .select(['c.id', 'c.name', 'a.domain', 'a.catchall', 'a.bounce', 'a.default_from'])
    .orderBy('c.id');
  if (ids) {
    if (ids.length === 0) return [];
    query = query.where('c.id', '=', anyId(ids));
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    aliasDomain: r.domain
      ? { domain: r.domain, catchall: r.catchall!, bounce: r.bounce!, defaultFrom: r.default_from! }
      : null,
  }));
}
