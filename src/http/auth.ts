// Who calls. Host applications authenticate with an API key (Authorization: Bearer fct_…) and may act
// for one of their users with the X-Facteur-User header (a user id): the call then sees and does what
// that user may. People in the web UI carry a session cookie; an embedded chatter carries a
// short-lived embed token (Bearer fet_…, or ?token= where a header cannot be set, as for EventSource)
// that opens one record's thread to one user, and nothing else.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EMBED_TOKEN_PREFIX, readEmbedToken, type EmbedScope } from '../accounts/embed-tokens.ts';
import { sessionUser } from '../accounts/sessions.ts';
import { authenticateApiKey } from '../apikeys/apikeys.ts';
import { actorFor, SYSTEM, type Actor } from '../chatter/actor.ts';
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** Set when the call is made with an embed token: the one record it may touch. */
    embedScope: EmbedScope | null;
  }
}

const PUBLIC_PATHS = [/^\/api\/health$/, /^\/api\/openapi\.json$/, /^\/api\/docs(\/|$)/];

export const ACT_AS_HEADER = 'x-facteur-user';
export const SESSION_COOKIE = 'facteur_session';

/** What an embedded chatter may call: its record's thread and followers, attachments, mentions, live updates. */
function embedAllows(method: string, path: string, scope: EmbedScope): boolean {
  const recordPrefix = `/api/records/${encodeURIComponent(scope.model)}/${encodeURIComponent(scope.resId)}`;
  if (path === recordPrefix || path.startsWith(`${recordPrefix}/`)) return true;
  // Rendering a template names its record in the body: the route checks it against the scope.
  if (method === 'POST' && /^\/api\/templates\/\d+\/render$/.test(path)) return true;
  if (method === 'GET' && (/^\/api\/attachments\/\d+$/.test(path) || path === '/api/partners' || path === '/api/live' || path === '/api/session' || path === '/api/subtypes' || path === '/api/templates')) return true;
  return false;
}

function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token.startsWith(EMBED_TOKEN_PREFIX) ? token : '';
}

export function installAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest('actor', null as never);
  app.decorateRequest('embedScope', null);
  app.addHook('onRequest', async (request) => {
    request.actor = SYSTEM;
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/api/') || PUBLIC_PATHS.some((p) => p.test(path))) return;
    if (request.method === 'POST' && path === '/api/session') return; // logging in
    const bearer = bearerOf(request);
    if (bearer.startsWith(EMBED_TOKEN_PREFIX)) {
      const scope = await readEmbedToken(db, bearer);
      if (!scope) throw new FacteurError('UNAUTHENTICATED', 'The embed token is invalid or has expired: ask the host application for a new one.');
      if (!embedAllows(request.method, path, scope)) {
        throw new FacteurError('EMBED_SCOPE', 'An embed token opens one record\'s chatter only.', { model: scope.model, resId: scope.resId });
      }
      request.embedScope = scope;
      request.actor = await actorFor(db, scope.userId);
      return;
    }
    if (!bearer) {
      const session = request.cookies[SESSION_COOKIE];
      const userId = session ? await sessionUser(db, session) : undefined;
      if (userId !== undefined) {
        request.actor = await actorFor(db, userId);
        return;
      }
      // The web UI asks who is logged in before anyone is: the answer is "nobody", not an error.
      if (request.method === 'GET' && path === '/api/session') return;
      throw new FacteurError('UNAUTHENTICATED', 'This call needs an API key: send "Authorization: Bearer <key>" (create one with `facteur apikey create`), or log in to the web UI.');
    }
    const keyId = await authenticateApiKey(db, bearer);
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
