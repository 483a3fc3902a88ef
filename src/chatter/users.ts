import type { NotificationPreference, UserRole } from '../db/schema.ts';
import { FacteurError } from '../errors.ts';
import type { ChatterDeps } from './deps.ts';
import { requirePartners, requireUser } from './lookups.ts';
import { insertPartner } from './partners.store.ts';
import { partnerValues, type PartnerInput } from './partners.ts';
import { findUserOfPartner, findUsers, insertUser, isLoginTaken, updateUser as updateUserRow, type UserRow } from './users.store.ts';

export interface UserInput {
  login: string;
  role: UserRole;
  notification?: NotificationPreference | undefined;
  /** An existing partner, or the details of a new one. */
  partnerId?: number | undefined;
  partner?: PartnerInput | undefined;
}

/** Seed 000 §1.5: only internal users may choose the inbox; external users are notified by email. */
function checkPreference(role: UserRole, notification: NotificationPreference): void {
  if (role === 'portal' && notification === 'inbox') {
    throw new FacteurError('VALIDATION_FAILED', 'Portal users are always notified by email; only internal users can choose the inbox.', { role, notification });
  }
}

export async function createUser(deps: ChatterDeps, input: UserInput): Promise<UserRow> {
  const notification = input.notification ?? 'email';
  checkPreference(input.role, notification);
  if ((input.partnerId === undefined) === (input.partner === undefined)) {
    throw new FacteurError('VALIDATION_FAILED', 'Give either partnerId (an existing partner) or partner (a new one), not both nor neither.');
  }
  if (await isLoginTaken(deps.db, input.login)) {
    throw new FacteurError('DUPLICATE', `The login "${input.login}" is already taken.`, { login: input.login });
  }
  const { id, partnerId } = await deps.db.transaction().execute(async (tx) => {
    const partnerId = input.partnerId ?? (await insertPartner(tx, await partnerValues(tx, input.partner!)));
    await requirePartners(tx, [partnerId]);
    const existing = await findUserOfPartner(tx, partnerId);
    if (existing !== undefined) {
      throw new FacteurError('DUPLICATE', `Partner ${partnerId} is already user ${existing}.`, { partnerId, userId: existing });
    }
    return { id: await insertUser(tx, { partnerId, login: input.login, role: input.role, notification }), partnerId };
  });
  deps.log.info({ userId: id, partnerId, role: input.role }, 'user created');
  return requireUser(deps.db, id);
}

export async function updateUser(
  deps: ChatterDeps,
  id: number,
  input: { role?: UserRole | undefined; notification?: NotificationPreference | undefined },
): Promise<UserRow> {
  const current = await requireUser(deps.db, id);
  const role = input.role ?? current.role;
  const notification = input.notification ?? (role === 'portal' ? 'email' : current.notification);
  checkPreference(role, notification);
  await updateUserRow(deps.db, id, { role, notification });
  return requireUser(deps.db, id);
}

export function listUsers(deps: ChatterDeps): Promise<UserRow[]> {
  return findUsers(deps.db);
}

export function getUser(deps: ChatterDeps, id: number): Promise<UserRow> {
  return requireUser(deps.db, id);
}
