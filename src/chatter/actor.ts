// Who a call acts for: the host application itself (system), or one of its users.
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import { findUsers, type UserRow } from './users.store.ts';

export type Actor = { kind: 'system' } | { kind: 'user'; user: UserRow };

export const SYSTEM: Actor = { kind: 'system' };

export async function actorFor(db: Db, userId: number | undefined): Promise<Actor> {
  if (userId === undefined) return SYSTEM;
  const [user] = await findUsers(db, [userId]);
  if (!user) throw new FacteurError('USER_NOT_FOUND', `The call acts for user ${userId}, who does not exist.`, { userId });
  return { kind: 'user', user };
}

/**
 * Administration (companies, users, subtypes, servers) is the host application's — calls made for no
 * user — or an administrator's, in the web UI.
 */
export function requireSystem(actor: Actor, action: string): void {
  if (actor.kind === 'user' && actor.user.isAdmin) return;
  if (actor.kind !== 'system') {
    throw new FacteurError('FORBIDDEN', `Only the host application or an administrator may ${action}: make the call without X-Facteur-User.`);
  }
}

/** Staff work (contacts, lists of people): the host application or an internal user, never a portal user. */
export function requireInternal(actor: Actor, action: string): void {
  if (actor.kind === 'user' && actor.user.role !== 'internal') {
    throw new FacteurError('FORBIDDEN', `A portal user may not ${action}.`);
  }
}

/** True when the call is made for this very user. */
export function isSelf(actor: Actor, userId: number): boolean {
  return actor.kind === 'user' && actor.user.id === userId;
}
