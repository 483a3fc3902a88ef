// Host applications authenticate with an API key (Authorization: Bearer fct_…) and may act for one of
// their users with the X-Facteur-User header (a user id): the call then sees and does what that user may.
import type { FastifyInstance } from 'fastify';
import { authenticateApiKey } from '../apikeys/apikeys.ts';
import { actorFor, SYSTEM, type Actor } from '../chatter/actor.ts';
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

const PUBLIC_PATHS = [/^\/api\/health$/, /^\/api\/openapi\.json$/, /^\/api\/docs(\/|$)/];

export const ACT_AS_HEADER = 'x-facteur-user';

export function installAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest('actor', null as never);
  app.addHook('onRequest', async (request) => {
    request.actor = SYSTEM;
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/api/') || PUBLIC_PATHS.some((p) => p.test(path))) return;
    const header = request.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!key) {
      throw new FacteurError('UNAUTHENTICATED', 'This call needs an API key: send "Authorization: Bearer <key>" (create one with `facteur apikey create`).');
    }
    const keyId = await authenticateApiKey(db, key);
    if (keyId === undefined) throw new FacteurError('UNAUTHENTICATED', 'The API key is unknown or revoked.');
    const actAs = request.headers[ACT_AS_HEADER];
    if (actAs === undefined) return;
    const userId = Number(actAs);
    if (!Number.isSafeInteger(userId) || userId <= 0) {
      throw new FacteurError('VALIDATION_FAILED', `The ${ACT_AS_HEADER} header must be a user id; got "${String(actAs)}".`);
    }
    request.actor = await actorFor(db, userId);
    request.log.debug({ apiKeyId: keyId, userId }, 'acting for user');
  });
}
