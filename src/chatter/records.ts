// Registering a host application's record, and its default followers (seed 000 §4, DESIGN "Default followers").
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import { requireInternal, type Actor } from './actor.ts';
import type { ChatterDeps } from './deps.ts';
import { addFollowers, listFollowers, type NewFollower } from './followers.store.ts';
import { requireCompany, requireRecord, requireUser, type RecordRef } from './lookups.ts';
import { countRecordsByModel, findRecordById, findRecordByRef, insertRecord, searchRecords, updateRecord, type RecordRow } from './records.store.ts';
import { defaultSubtypeIds, propagatedSubtypeIds } from './rules/subscriptions.ts';
import { listSubtypes } from './subtypes.store.ts';
import { findUsers } from './users.store.ts';

export interface RecordInput extends RecordRef {
  name: string;
  companyId?: number | null | undefined;
  responsibleUserId?: number | null | undefined;
  parent?: RecordRef | null | undefined;
  /** Who created it in the host application; defaults to the acting user. */
  createdByUserId?: number | null | undefined;
}

export interface RegisteredRecord {
  record: RecordRow;
  created: boolean;
}

/** Creates the record, or updates it when (model, resId) is already registered. */
export async function registerRecord(deps: ChatterDeps, actor: Actor, input: RecordInput): Promise<RegisteredRecord> {
  const result = await deps.db.transaction().execute(async (tx) => {
    if (input.companyId != null) await requireCompany(tx, input.companyId);
    if (input.responsibleUserId != null) await requireUser(tx, input.responsibleUserId);
    const parent = input.parent ? await findRecordByRef(tx, input.parent.model, input.parent.resId) : null;
    if (input.parent && !parent) {
      throw new FacteurError('PARENT_RECORD_NOT_FOUND', `The parent record ${input.parent.model} ${input.parent.resId} is not registered; register it first.`, { ...input.parent });
    }
    const existing = await findRecordByRef(tx, input.model, input.resId);
    const values = {
      name: input.name,
      companyId: input.companyId === undefined ? (existing?.companyId ?? null) : input.companyId,
      responsibleUserId: input.responsibleUserId === undefined ? (existing?.responsibleUserId ?? null) : input.responsibleUserId,
      parentRecordId: input.parent === undefined ? (existing?.parentRecordId ?? null) : (parent?.id ?? null),
    };
    if (!existing) {
      const createdByUserId = input.createdByUserId ?? (actor.kind === 'user' ? actor.user.id : null);
      if (createdByUserId !== null) await requireUser(tx, createdByUserId);
      const inserted = await insertRecord(tx, { ...values, model: input.model, resId: input.resId, createdByUserId });
      if (!inserted) throw new FacteurError('DUPLICATE', `Record ${input.model} ${input.resId} was registered by another call at the same time; retry.`);
      await subscribeDefaultFollowers(tx, inserted, [createdByUserId, values.responsibleUserId], parent?.id ?? null);
      return { id: inserted.id, created: true };
    }
    await updateRecord(tx, existing.id, values);
    // A new responsible user or a new parent brings their followers, as at creation; nobody is removed.
    const newResponsible = values.responsibleUserId !== existing.responsibleUserId ? values.responsibleUserId : null;
    const newParent = values.parentRecordId !== existing.parentRecordId ? values.parentRecordId : null;
    await subscribeDefaultFollowers(tx, { ...existing, ...values }, [newResponsible], newParent);
    return { id: existing.id, created: false };
  });
  const record = (await findRecordById(deps.db, result.id))!;
  deps.log.info({ recordId: record.id, model: record.model, resId: record.resId, created: result.created }, result.created ? 'record registered' : 'record updated');
  return { record, created: result.created };
}

/**
 * Seed 000 §4: the creator and the responsible user (internal users) follow with their default subtypes;
 * the followers of the parent record (the sales team) follow with the subtypes mapped from theirs.
 * The customer does not follow until someone adds them.
 */
async function subscribeDefaultFollowers(db: Db, record: RecordRow, userIds: (number | null)[], parentRecordId: number | null): Promise<void> {
  const subtypes = await listSubtypes(db);
  const wanted = new Map<number, NewFollower>();
  if (parentRecordId !== null) {
    for (const follower of await listFollowers(db, parentRecordId)) {
      const subtypeIds = propagatedSubtypeIds(follower.subtypeIds, subtypes, record.model);
      if (subtypeIds.length > 0) wanted.set(follower.partnerId, { partnerId: follower.partnerId, subtypeIds });
    }
  }
  const ids = userIds.filter((id): id is number => id !== null);
  for (const user of await findUsers(db, ids)) {
    if (user.role !== 'internal') continue;
    const defaults = defaultSubtypeIds(subtypes, record.model, true);
    const propagated = wanted.get(user.partnerId)?.subtypeIds ?? [];
    wanted.set(user.partnerId, { partnerId: user.partnerId, subtypeIds: [...new Set([...defaults, ...propagated])] });
  }
  await addFollowers(db, record.id, [...wanted.values()]);
}

export function getRecord(deps: ChatterDeps, ref: RecordRef): Promise<RecordRow> {
  return requireRecord(deps.db, ref);
}

/** Browsing every record is staff work; a portal user reaches the records the host application shows them. */
export async function listRecords(
  deps: ChatterDeps,
  actor: Actor,
  filter: { model?: string | undefined; text?: string | undefined; limit: number; offset: number },
): Promise<RecordRow[]> {
  requireInternal(actor, 'browse records');
  return searchRecords(deps.db, filter);
}

export async function listModels(deps: ChatterDeps, actor: Actor): Promise<{ model: string; records: number }[]> {
  requireInternal(actor, 'browse records');
  return countRecordsByModel(deps.db);
}
