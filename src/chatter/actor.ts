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
