import { hashPassword, MIN_PASSWORD_LENGTH } from '../accounts/passwords.ts';
import { deleteSessionsOf } from '../accounts/sessions.store.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { NotificationPreference, UserRole } from '../db/schema.ts';
import { FacteurError } from '../errors.ts';
import { isSelf, requireInternal, requireSystem, type Actor } from './actor.ts';
import type { ChatterDeps } from './deps.ts';
import { requirePartners, requireUser } from './lookups.ts';
import { insertPartner } from './partners.store.ts';
import { partnerValues, type PartnerInput } from './partners.ts';
import { findUserOfPartner, findUsers, insertUser, isLoginTaken, setPasswordHash, updateUser as updateUserRow, type UserRow } from './users.store.ts';

export interface UserInput {
  login: string;
  role: UserRole;
  notification?: NotificationPreference | undefined;
  /** An existing partner, or the details of a new one. */
  partnerId?: number | undefined;
  partner?: PartnerInput | undefined;
  /** Administers Facteur in the web UI. */
  isAdmin?: boolean | undefined;
  /** Lets the user log in to the web UI. */
  password?: string | undefined;
  language?: UiLanguage | null | undefined;
}

export const UI_LANGUAGES = ['en', 'fr'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new FacteurError('VALIDATION_FAILED', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
}

/** Seed 000 §1.5: only internal users may choose the inbox; external users are notified by email. */
function checkPreference(role: UserRole, notification: NotificationPreference): void {
  if (role === 'portal' && notification === 'inbox') {
    throw new FacteurError('VALIDATION_FAILED', 'Portal users are always notified by email; only internal users can choose the inbox.', { role, notification });
  }
}

export async function createUser(deps: ChatterDeps, actor: Actor, input: UserInput): Promise<UserRow> {
  requireSystem(actor, 'create users');
  const notification = input.notification ?? 'email';
  checkPreference(input.role, notification);
  if (input.password !== undefined) checkPassword(input.password);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  if ((input.partnerId === undefined) === (input.partner === undefined)) {
    throw new FacteurError('VALIDATION_FAILED', 'Give either partnerId (an existing partner) or partner (a new one), not both nor neither.');
  }
  const loginTaken = () => new FacteurError('DUPLICATE', `The login "${input.login}" is already taken.`, { login: input.login });
  let created: { id: number; partnerId: number };
  try {
    created = await deps.db.transaction().execute(async (tx) => {
      if (await isLoginTaken(tx, input.login)) throw loginTaken();
      const partnerId = input.partnerId ?? (await insertPartner(tx, await partnerValues(tx, input.partner!)));
      await requirePartners(tx, [partnerId]);
      const existing = await findUserOfPartner(tx, partnerId);
      if (existing !== undefined) {
        throw new FacteurError('DUPLICATE', `Partner ${partnerId} is already user ${existing}.`, { partnerId, userId: existing });
      }
      const values = { partnerId, login: input.login, role: input.role, notification, isAdmin: input.isAdmin ?? false, language: input.language ?? null, passwordHash };
      return { id: await insertUser(tx, values), partnerId };
    });
  } catch (error) {
    // Two creations racing past the checks above: the unique index decides, the loser hears why.
    if (isUniqueViolation(error)) throw loginTaken();
    throw error;
  }
  deps.log.info({ userId: created.id, partnerId: created.partnerId, role: input.role, isAdmin: input.isAdmin ?? false }, 'user created');
  return requireUser(deps.db, created.id);
}

export interface UserChanges {
  role?: UserRole | undefined;
  notification?: NotificationPreference | undefined;
  isAdmin?: boolean | undefined;
  language?: UiLanguage | null | undefined;
  /** A new password; null takes the web UI away from the user. Their sessions end either way. */
  password?: string | null | undefined;
}

/**
 * The host application (or an administrator) may change anything; a user may change their own
 * notification preference (seed 000 §2.3), language and password, and nothing else.
 */
export async function updateUser(deps: ChatterDeps, actor: Actor, id: number, input: UserChanges): Promise<UserRow> {
  if (input.role !== undefined) requireSystem(actor, 'change the role of a user');
  if (input.isAdmin !== undefined) requireSystem(actor, 'make a user an administrator');
  if (!isSelf(actor, id)) requireSystem(actor, "change another user's preferences");
  if (typeof input.password === 'string') checkPassword(input.password);
  const current = await requireUser(deps.db, id);
  const role = input.role ?? current.role;
  const notification = input.notification ?? (role === 'portal' ? 'email' : current.notification);
  checkPreference(role, notification);
  const isAdmin = input.isAdmin ?? current.isAdmin;
  const language = input.language === undefined ? current.language : input.language;
  await deps.db.transaction().execute(async (tx) => {
    await updateUserRow(tx, id, { role, notification, isAdmin, language });
    if (input.password !== undefined) {
      await setPasswordHash(tx, id, input.password === null ? null : await hashPassword(input.password));
      await deleteSessionsOf(tx, id);
    }
  });
  deps.log.info({ userId: id, role, notification, isAdmin, passwordChanged: input.password !== undefined }, 'user updated');
  return requireUser(deps.db, id);
}

export async function listUsers(deps: ChatterDeps, actor: Actor): Promise<UserRow[]> {
  requireInternal(actor, 'list users');
  return findUsers(deps.db);
}

export async function getUser(deps: ChatterDeps, actor: Actor, id: number): Promise<UserRow> {
  if (!isSelf(actor, id)) requireInternal(actor, 'read other users');
  return requireUser(deps.db, id);
}
