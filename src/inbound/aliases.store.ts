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
  /** The records behind recordId and parentRecordId, as the host application names them (for people reading the list). */
  record: AliasRecord | null;
  parent: AliasRecord | null;
  contactPolicy: ContactPolicy;
  active: boolean;
}

export interface AliasRecord {
  model: string;
  resId: string;
  name: string;
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
    .leftJoin('records as r', 'r.id', 'a.record_id')
    .leftJoin('records as p', 'p.id', 'a.parent_record_id')
    .select(['a.id', 'a.name', 'd.domain', 'd.company_id as companyId', 'a.model', 'a.record_id as recordId', 'a.parent_record_id as parentRecordId', 'a.contact_policy as contactPolicy', 'a.active'])
    .select(['r.model as recordModel', 'r.res_id as recordResId', 'r.name as recordName', 'p.model as parentModel', 'p.res_id as parentResId', 'p.name as parentName']);

type ViewRow = Awaited<ReturnType<ReturnType<typeof view>['executeTakeFirstOrThrow']>>;

function toView({ recordModel, recordResId, recordName, parentModel, parentResId, parentName, ...alias }: ViewRow): AliasView {
  const ref = (model: string | null, resId: string | null, name: string | null) => (model !== null && resId !== null ? { model, resId, name: name ?? '' } : null);
  return { ...alias, record: ref(recordModel, recordResId, recordName), parent: ref(parentModel, parentResId, parentName) };
}

export async function listAliases(db: Db): Promise<AliasView[]> {
  return (await view(db).orderBy('d.domain').orderBy('a.name').execute()).map(toView);
}

export async function findAlias(db: Db, id: number): Promise<AliasView | undefined> {
  const row = await view(db).where('a.id', '=', id).executeTakeFirst();
  return row && toView(row);
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
