import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { containsPattern } from '../db/patterns.ts';

export interface RecordRow {
  id: number;
  model: string;
  resId: string;
  name: string;
  companyId: number | null;
  responsibleUserId: number | null;
  parentRecordId: number | null;
  createdByUserId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecordValues {
  name: string;
  companyId: number | null;
  responsibleUserId: number | null;
  parentRecordId: number | null;
}

function recordQuery(db: Db) {
  return db.selectFrom('records').selectAll();
}

function toRecordRow(r: Awaited<ReturnType<ReturnType<typeof recordQuery>['executeTakeFirstOrThrow']>>): RecordRow {
  return {
    id: r.id,
    model: r.model,
    resId: r.res_id,
    name: r.name,
    companyId: r.company_id,
    responsibleUserId: r.responsible_user_id,
    parentRecordId: r.parent_record_id,
    createdByUserId: r.created_by_user_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function findRecordByRef(db: Db, model: string, resId: string): Promise<RecordRow | undefined> {
  const row = await recordQuery(db).where('model', '=', model).where('res_id', '=', resId).executeTakeFirst();
  return row && toRecordRow(row);
}

export async function findRecordById(db: Db, id: number): Promise<RecordRow | undefined> {
  const row = await recordQuery(db).where('id', '=', id).executeTakeFirst();
  return row && toRecordRow(row);
}

/** Inserts the record, or returns undefined when another caller registered it first. */
export async function insertRecord(
  db: Db,
  values: RecordValues & { model: string; resId: string; createdByUserId: number | null },
): Promise<RecordRow | undefined> {
  const row = await db
    .insertInto('records')
    .values({
      model: values.model,
      res_id: values.resId,
      name: values.name,
      company_id: values.companyId,
      responsible_user_id: values.responsibleUserId,
      parent_record_id: values.parentRecordId,
      created_by_user_id: values.createdByUserId,
    })
    .onConflict((oc) => oc.columns(['model', 'res_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toRecordRow(row);
}

export async function updateRecord(db: Db, id: number, values: RecordValues): Promise<void> {
  await db
    .updateTable('records')
    .set({
      name: values.name,
      company_id: values.companyId,
      responsible_user_id: values.responsibleUserId,
      parent_record_id: values.parentRecordId,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function searchRecords(
  db: Db,
  filter: { model?: string | undefined; text?: string | undefined; limit: number; offset: number },
): Promise<RecordRow[]> {
  let query = recordQuery(db).orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset);
  if (filter.model) query = query.where('model', '=', filter.model);
  if (filter.text) {
    const pattern = containsPattern(filter.text);
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('res_id', '=', filter.text!)]));
  }
  return (await query.execute()).map(toRecordRow);
}

/** The models records are registered under, with how many each has: the record browser's filter. */
export async function countRecordsByModel(db: Db): Promise<{ model: string; records: number }[]> {
  const rows = await db
    .selectFrom('records')
    .select(['model', (eb) => eb.fn.countAll<number>().as('records')])
    .groupBy('model')
    .orderBy('model')
    .execute();
  return rows.map((r) => ({ model: r.model, records: Number(r.records) }));
}
