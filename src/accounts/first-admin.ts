// A first start creates an administrator and prints how to log in (issue 6): a newcomer opens the UI
// at once. An administrator without a password (the demo's) gets one; later starts change nothing;
// `facteur user create --admin` makes more.
import { randomBytes } from 'node:crypto';
import { SYSTEM } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { createUser, updateUser } from '../chatter/users.ts';
import { findFirstAdministrator, isLoginTaken } from '../chatter/users.store.ts';

export async function ensureAdministrator(deps: ChatterDeps): Promise<{ login: string; password: string } | null> {
  const existing = await findFirstAdministrator(deps.db);
  if (existing?.hasPassword) return null;
  const password = randomBytes(12).toString('base64url');
  if (existing) {
    await updateUser(deps, SYSTEM, existing.id, { password });
    return { login: existing.login, password };
  }
  let login = 'admin';
  for (let n = 2; await isLoginTaken(deps.db, login); n++) login = `admin${n}`;
  await createUser(deps, SYSTEM, { login, role: 'internal', notification: 'inbox', isAdmin: true, password, partner: { name: 'Administrator' } });
  return { login, password };
}
