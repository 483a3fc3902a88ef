// The aliases table (seed 000 §3.3).
import type { Db } from '../db/database.ts';
import type { ContactPolicy } from '../db/schema.ts';

export interface AliasView {
  id: number;
  name: string;
  domain: string;
  companyId: number;
  model: string;
  recordId: number | null;
  parentRecordId: number | null;
  contactPolicy: ContactPolicy;
  active: boolean;
}

export interface AliasValues {
  aliasDomainId: number;
  name: string;
  model: string;
  recordId: number | null;
  parentRecordId: number | null;
  contactPolicy: ContactPolicy;
}

const view = (db: Db) =>
  db
    .selectFrom('aliases as a')
    .innerJoin('alias_domains as d', 'd.id', 'a.alias_domain_id')
    .select(['a.id', 'a.name', 'd.domain', 'd.company_id as companyId', 'a.model', 'a.record_id as recordId', 'a.parent_record_id as parentRecordId', 'a.contact_policy as contactPolicy', 'a.active']);

export async function listAliases(db: Db): Promise<AliasView[]> {
  return view(db).orderBy('d.domain').orderBy('a.name').execute();
}

export async function findAlias(db: Db, id: number): Promise<AliasView | undefined> {
  return view(db).where('a.id', '=', id).executeTakeFirst();
}

export async function findAliasDomainId(db: Db, domain: string): Promise<number | undefined> {
  const row = await db.selectFrom('alias_domains').select('id').where('domain', '=', domain).executeTakeFirst();
  return row?.id;
}

/** Returns the new id, or null when the domain already has an alias of that name. */
export async function insertAlias(db: Db, values: AliasValues): Promise<number | null> {
  const row = await db
    .insertInto('aliases')
    .values({
      alias_domain_id: values.aliasDomainId,
      name: values.name,
      model: values.model,
      record_id: values.recordId,
      parent_record_id: values.parentRecordId,
      contact_policy: values.contactPolicy,
    })
    .onConflict((oc) => oc.columns(['alias_domain_id', 'name']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function deleteAlias(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('aliases').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
