import type { Db } from '../db/database.ts';

export interface TemplateRow {
  id: number;
  name: string;
  /** Offered on records of this model only; null for every model. */
  model: string | null;
  subject: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateValues {
  name: string;
  model: string | null;
  subject: string;
  body: string;
}

function toRow(r: { id: number; name: string; model: string | null; subject: string; body: string; created_at: Date; updated_at: Date }): TemplateRow {
  return { id: r.id, name: r.name, model: r.model, subject: r.subject, body: r.body, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** Templates are few (tens): all of them, or those offered on a model (its own and the generic ones). */
export async function listTemplates(db: Db, model?: string): Promise<TemplateRow[]> {
  let query = db.selectFrom('mail_templates').selectAll().orderBy('name').orderBy('id');
  if (model !== undefined) query = query.where((eb) => eb.or([eb('model', '=', model), eb('model', 'is', null)]));
  return (await query.execute()).map(toRow);
}

export async function findTemplate(db: Db, id: number): Promise<TemplateRow | undefined> {
  const row = await db.selectFrom('mail_templates').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRow(row);
}

export async function insertTemplate(db: Db, values: TemplateValues): Promise<number> {
  const row = await db.insertInto('mail_templates').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTemplate(db: Db, id: number, values: TemplateValues): Promise<boolean> {
  const result = await db.updateTable('mail_templates').set({ ...values, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteTemplate(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('mail_templates').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The first followers of a record (oldest first), as a template names them. */
export async function templateFollowers(db: Db, recordId: number, limit: number): Promise<{ name: string; email: string | null }[]> {
  return db
    .selectFrom('followers as f')
    .innerJoin('partners as p', 'p.id', 'f.partner_id')
    .select(['p.name', 'p.email'])
    .where('f.record_id', '=', recordId)
    .orderBy('f.id')
    .limit(limit)
    .execute();
}
