// API keys authenticate host applications. Only a hash is stored: the key is shown once, at creation.
// The secret is 32 random bytes, so a plain SHA-256 is enough (no password-style stretching needed).
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { insertApiKey, listApiKeys, revokeApiKey, useApiKey, type ApiKeyRow } from './apikeys.store.ts';

const KEY_PATTERN = /^fct_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(db: Db, name: string): Promise<{ id: number; key: string; prefix: string }> {
  const prefix = randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 8);
  const key = `fct_${prefix}_${randomBytes(32).toString('base64url')}`;
  const id = await insertApiKey(db, { name, prefix, secretHash: hashOf(key) });
  return { id, key, prefix };
}

/** The key's id when it is well-formed, known and not revoked. */
export async function authenticateApiKey(db: Db, key: string): Promise<number | undefined> {
  if (!KEY_PATTERN.test(key)) return undefined;
  return useApiKey(db, hashOf(key));
}

export { listApiKeys, revokeApiKey, type ApiKeyRow };
