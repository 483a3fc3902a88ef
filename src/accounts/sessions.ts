// Logging in to the web UI: a login and a password give a session token, kept in an HttpOnly cookie.
// Only its hash is stored (as for API keys: 32 random bytes need no stretching).
import { createHash, randomBytes } from 'node:crypto';
import type { ChatterDeps } from '../chatter/deps.ts';
import { findLoginCredentials } from '../chatter/users.store.ts';
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import { LoginThrottle } from './login-throttle.ts';
import { verifyPassword } from './passwords.ts';
import { deleteSession, findSessionUser, insertSession } from './sessions.store.ts';

export const SESSION_DAYS = 14;
const TOKEN_PATTERN = /^fcs_[A-Za-z0-9_-]{43}$/;

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const throttle = new LoginThrottle();

export async function logIn(deps: ChatterDeps, login: string, password: string): Promise<{ token: string; userId: number; expiresAt: Date }> {
  const wait = throttle.waitFor(login);
  if (wait > 0) {
    deps.log.warn({ login }, 'login throttled');
    throw new FacteurError('TOO_MANY_ATTEMPTS', `Too many wrong passwords for this login: try again in ${Math.ceil(wait / 60_000)} minute(s).`);
  }
  const credentials = await findLoginCredentials(deps.db, login);
  // The same words whether the login or the password is wrong: nobody learns which logins exist.
  if (!credentials?.passwordHash || !(await verifyPassword(password, credentials.passwordHash))) {
    throttle.failed(login);
    deps.log.info({ login }, 'login refused');
    throw new FacteurError('LOGIN_FAILED', 'Wrong login or password.');
  }
  throttle.succeeded(login);
  const token = `fcs_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000);
  await insertSession(deps.db, { tokenHash: hashOf(token), userId: credentials.id, expiresAt });
  deps.log.info({ userId: credentials.id }, 'logged in');
  return { token, userId: credentials.id, expiresAt };
}

export async function sessionUser(db: Db, token: string): Promise<number | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  return findSessionUser(db, hashOf(token));
}

export async function logOut(db: Db, token: string): Promise<void> {
  if (TOKEN_PATTERN.test(token)) await deleteSession(db, hashOf(token));
}
