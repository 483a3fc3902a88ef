// The followers of one record and their subtypes: the list and the bell (seed 000 §2.2, §6).
import { FacteurError } from '../errors.ts';
import type { Actor } from './actor.ts';
import { announce } from '../live/live.store.ts';
import type { ChatterDeps } from './deps.ts';
import { addFollowers, listFollowers, removeFollower as removeFollowerRow, setFollowerSubtypes } from './followers.store.ts';
import { requirePartners, requireRecord, requireSubtypes, type RecordRef } from './lookups.ts';
import { defaultSubtypeIds } from './rules/subscriptions.ts';
import { listSubtypes, type SubtypeRow } from './subtypes.store.ts';
import type { PartnerRow } from './partners.store.ts';

export interface FollowerView {
  partnerId: number;
  name: string;
  email: string | null;
  isInternalUser: boolean;
  subtypes: { id: number; code: string; name: string }[];
}

function isInternalUser(partner: PartnerRow): boolean {
  return partner.userRole === 'internal';
}

/** Portal users manage only their own subscription, and never to internal subtypes (seed 000 §10). */
function checkActorMay(actor: Actor, partnerId: number, subtypes: SubtypeRow[] = []): void {
  if (actor.kind !== 'user' || actor.user.role === 'internal') return;
  if (actor.user.partnerId !== partnerId) {
    throw new FacteurError('FORBIDDEN', 'A portal user can only change their own subscription.');
  }
  const internal = subtypes.filter((s) => s.internal).map((s) => s.code);
  if (internal.length > 0) {
    throw new FacteurError('INTERNAL_SUBTYPE_FOR_PORTAL', `A portal user cannot subscribe to internal subtypes: ${internal.join(', ')}.`);
  }
}

export async function listRecordFollowers(deps: ChatterDeps, actor: Actor, ref: RecordRef): Promise<FollowerView[]> {
  const record = await requireRecord(deps.db, ref);
  let followers = await listFollowers(deps.db, record.id);
  // Seed 000 §9: external partners do not learn who else follows.
  if (actor.kind === 'user' && actor.user.role === 'portal') {
    followers = followers.filter((f) => f.partnerId === actor.user.partnerId);
  }
  const partners = new Map((await requirePartners(deps.db, followers.map((f) => f.partnerId))).map((p) => [p.id, p]));
  const subtypes = new Map((await listSubtypes(deps.db)).map((s) => [s.id, s]));
  return followers.map((f) => {
    const partner = partners.get(f.partnerId)!;
    return {
      partnerId: partner.id,
      name: partner.name,
      email: partner.email,
      isInternalUser: isInternalUser(partner),
      subtypes: f.subtypeIds.map((id) => subtypes.get(id)!).map((s) => ({ id: s.id, code: s.code, name: s.name })),
    };
  });
}

/**
 * Adds a follower with the given subtypes, or their default ones. Adding an external partner to
 * internal subtypes is allowed because someone asked for it explicitly (seed 000 §6: with care).
 * A partner who already follows keeps their subscription unless subtypes are given.
 */
export async function followRecord(
  deps: ChatterDeps,
  actor: Actor,
  ref: RecordRef,
  input: { partnerId: number; subtypes?: string[] | undefined },
): Promise<FollowerView[]> {
  await deps.db.transaction().execute(async (tx) => {
    const record = await requireRecord(tx, ref);
    const [partner] = await requirePartners(tx, [input.partnerId]);
    const chosen = input.subtypes ? await requireSubtypes(tx, input.subtypes, record.model) : undefined;
    checkActorMay(actor, input.partnerId, chosen);
    const subtypeIds = chosen?.map((s) => s.id) ?? defaultSubtypeIds(await listSubtypes(tx), record.model, isInternalUser(partner!));
    const added = await addFollowers(tx, record.id, [{ partnerId: input.partnerId, subtypeIds }]);
    if (added.length === 0 && chosen) await setFollowerSubtypes(tx, record.id, input.partnerId, subtypeIds);
    await announce(tx, { records: [record.id], topics: ['followers'] });
  });
  deps.log.info({ model: ref.model, resId: ref.resId, partnerId: input.partnerId }, 'follower added');
  return listRecordFollowers(deps, actor, ref);
}

/** The bell: replaces the follower's subtypes on this record. */
export async function editFollowerSubtypes(
  deps: ChatterDeps,
  actor: Actor,
  ref: RecordRef,
  partnerId: number,
  codes: string[],
): Promise<FollowerView[]> {
  await deps.db.transaction().execute(async (tx) => {
    const record = await requireRecord(tx, ref);
    const subtypes = await requireSubtypes(tx, codes, record.model);
    checkActorMay(actor, partnerId, subtypes);
    const found = await setFollowerSubtypes(tx, record.id, partnerId, subtypes.map((s) => s.id));
    if (!found) throw new FacteurError('FOLLOWER_NOT_FOUND', `Partner ${partnerId} does not follow ${ref.model} ${ref.resId}.`, { partnerId });
    await announce(tx, { records: [record.id], topics: ['followers'] });
  });
  return listRecordFollowers(deps, actor, ref);
}

export async function unfollowRecord(deps: ChatterDeps, actor: Actor, ref: RecordRef, partnerId: number): Promise<void> {
  const record = await requireRecord(deps.db, ref);
  checkActorMay(actor, partnerId);
  const removed = await removeFollowerRow(deps.db, record.id, partnerId);
  if (!removed) throw new FacteurError('FOLLOWER_NOT_FOUND', `Partner ${partnerId} does not follow ${ref.model} ${ref.resId}.`, { partnerId });
  await announce(deps.db, { records: [record.id], topics: ['followers'] });
  deps.log.info({ recordId: record.id, partnerId }, 'follower removed');
}
