import type { Db } from '../db/database.ts';
import type { SubtypeInfo } from './rules/subscriptions.ts';

export interface SubtypeRow extends SubtypeInfo {
  name: string;
  description: string | null;
  hidden: boolean;
  sequence: number;
}

export interface SubtypeValues {
  code: string;
  name: string;
  description: string | null;
  model: string | null;
  internal: boolean;
  isDefault: boolean;
  hidden: boolean;
  parentSubtypeId: number | null;
  sequence: number;
}

function toColumns(values: SubtypeValues) {
  return {
    code: values.code,
    name: values.name,
    description: values.description,
    model: values.model,
    internal: values.internal,
    is_default: values.isDefault,
    hidden: values.hidden,
    parent_subtype_id: values.parentSubtypeId,
    sequence: values.sequence,
  };
}

/** Subtypes are few (tens): callers load them all once and decide in memory. */
export async function listSubtypes(db: Db): Promise<SubtypeRow[]> {
  const rows = await db.selectFrom('subtypes').selectAll().orderBy('sequence').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    description: r.description,
    model: r.model,
    internal: r.internal,
    isDefault: r.is_default,
    hidden: r.hidden,
    parentSubtypeId: r.parent_subtype_id,
    sequence: r.sequence,
  }));
}

export async function insertSubtype(db: Db, values: SubtypeValues): Promise<number> {
  const row = await db.insertInto('subtypes').values(toColumns(values)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateSubtype(db: Db, id: number, values: SubtypeValues): Promise<void> {
  await db.updateTable('subtypes').set(toColumns(values)).where('id', '=', id).execute();
}
