// A first start creates an administrator and prints how to log in (issue 6): a newcomer opens the UI
// at once. Later starts leave things as they are; `facteur user create --admin` makes more.
import { randomBytes } from 'node:crypto';
import { SYSTEM } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { createUser } from '../chatter/users.ts';
import { hasAdministrator, isLoginTaken } from '../chatter/users.store.ts';

export async function ensureAdministrator(deps: ChatterDeps): Promise<{ login: string; password: string } | null> {
  if (await hasAdministrator(deps.db)) return null;
  let login = 'admin';
  for (let n = 2; await isLoginTaken(deps.db, login); n++) login = `admin${n}`;
  const password = randomBytes(12).toString('base64url');
  await createUser(deps, SYSTEM, { login, role: 'internal', notification: 'inbox', isAdmin: true, password, partner: { name: 'Administrator' } });
  return { login, password };
}
