// Embedding (issue 6 §7): the host's backend mints, through the API, a short-lived token for one user
// and one record; the iframe page /embed/chatter uses it in place of a session. The token is signed
// (HMAC-SHA256 with a key derived from the installation's secret), so nothing is stored.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { requireSystem, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { requireRecord, requireUser } from '../chatter/lookups.ts';
import type { Db } from '../db/database.ts';
import { replySecret } from '../mail/reply-secret.ts';

export interface EmbedScope {
  userId: number;
  model: string;
  resId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export const EMBED_TOKEN_PREFIX = 'fet_';
export const MAX_EMBED_SECONDS = 24 * 3600;

async function embedKey(db: Db): Promise<Buffer> {
  return createHmac('sha256', await replySecret(db)).update('facteur embed token').digest();
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

export async function mintEmbedToken(
  deps: ChatterDeps,
  actor: Actor,
  input: { userId: number; model: string; resId: string; ttlSeconds: number },
): Promise<{ token: string; expiresAt: Date; path: string }> {
  requireSystem(actor, 'mint embedding tokens');
  await requireUser(deps.db, input.userId);
  await requireRecord(deps.db, { model: input.model, resId: input.resId });
  const scope: EmbedScope = { userId: input.userId, model: input.model, resId: input.resId, expiresAt: Math.floor(Date.now() / 1000) + input.ttlSeconds };
  const payload = Buffer.from(JSON.stringify(scope)).toString('base64url');
  const token = `${EMBED_TOKEN_PREFIX}${payload}.${sign(await embedKey(deps.db), payload)}`;
  deps.log.info({ userId: input.userId, model: input.model, resId: input.resId, ttlSeconds: input.ttlSeconds }, 'embed token minted');
  const query = new URLSearchParams({ model: input.model, resId: input.resId, token });
  return { token, expiresAt: new Date(scope.expiresAt * 1000), path: `/embed/chatter?${query}` };
}

/** The token's scope when its signature is right and it has not expired. */
export async function readEmbedToken(db: Db, token: string): Promise<EmbedScope | undefined> {
  if (!token.startsWith(EMBED_TOKEN_PREFIX)) return undefined;
  const [payload, signature] = token.slice(EMBED_TOKEN_PREFIX.length).split('.');
  if (!payload || !signature) return undefined;
  const expected = Buffer.from(sign(await embedKey(db), payload));
  const actual = Buffer.from(signature);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  try {
    const scope = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as EmbedScope;
    return scope.expiresAt > Date.now() / 1000 ? scope : undefined;
  } catch {
    return undefined;
  }
}
