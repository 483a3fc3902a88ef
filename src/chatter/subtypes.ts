import { FacteurError } from '../errors.ts';
import { requireSystem, type Actor } from './actor.ts';
import type { ChatterDeps } from './deps.ts';
import { subtypeByCode } from './lookups.ts';
import { appliesTo } from './rules/subscriptions.ts';
import { insertSubtype, listSubtypes as listSubtypeRows, updateSubtype as updateSubtypeRow, type SubtypeRow, type SubtypeValues } from './subtypes.store.ts';

export interface SubtypeInput {
  code: string;
  name: string;
  description?: string | null | undefined;
  /** The model it belongs to; none for a subtype of every model. */
  model?: string | null | undefined;
  internal?: boolean | undefined;
  isDefault?: boolean | undefined;
  hidden?: boolean | undefined;
  sequence?: number | undefined;
  /** The subtype of the parent record that propagates to this one (a sales team's "quotation sent"). */
  parent?: { code: string; model: string } | null | undefined;
}

async function valuesOf(deps: ChatterDeps, input: SubtypeInput, all: SubtypeRow[]): Promise<SubtypeValues> {
  const model = input.model ?? null;
  const parent = input.parent ? subtypeByCode(all, input.parent.code, input.parent.model) : null;
  if (parent && model === null) {
    throw new FacteurError('VALIDATION_FAILED', 'A subtype with a parent subtype must name its own model (the child records).');
  }
  return {
    code: input.code,
    name: input.name,
    description: input.description ?? null,
    model,
    internal: input.internal ?? false,
    isDefault: input.isDefault ?? false,
    hidden: input.hidden ?? false,
    parentSubtypeId: parent?.id ?? null,
    sequence: input.sequence ?? 10,
  };
}

export async function createSubtype(deps: ChatterDeps, actor: Actor, input: SubtypeInput): Promise<SubtypeRow> {
  requireSystem(actor, 'define subtypes');
  const all = await listSubtypeRows(deps.db);
  if (all.some((s) => s.code === input.code && s.model === (input.model ?? null))) {
    throw new FacteurError('DUPLICATE', `A subtype "${input.code}" already exists for ${input.model ?? 'every model'}.`, { code: input.code });
  }
  const id = await insertSubtype(deps.db, await valuesOf(deps, input, all));
  deps.log.info({ subtypeId: id, code: input.code, model: input.model ?? null }, 'subtype created');
  return (await listSubtypeRows(deps.db)).find((s) => s.id === id)!;
}

export async function updateSubtype(deps: ChatterDeps, actor: Actor, id: number, input: Partial<SubtypeInput>): Promise<SubtypeRow> {
  requireSystem(actor, 'change subtypes');
  const all = await listSubtypeRows(deps.db);
  const current = all.find((s) => s.id === id);
  if (!current) throw new FacteurError('SUBTYPE_NOT_FOUND', `No subtype has id ${id}.`, { subtypeId: id });
  const currentParent = all.find((s) => s.id === current.parentSubtypeId);
  const merged: SubtypeInput = {
    ...current,
    parent: currentParent ? { code: currentParent.code, model: currentParent.model ?? '' } : null,
    ...input,
  };
  await updateSubtypeRow(deps.db, id, await valuesOf(deps, merged, all));
  return (await listSubtypeRows(deps.db)).find((s) => s.id === id)!;
}

export async function listSubtypes(deps: ChatterDeps, model?: string): Promise<SubtypeRow[]> {
  const all = await listSubtypeRows(deps.db);
  return model === undefined ? all : all.filter((s) => appliesTo(s, model));
}
