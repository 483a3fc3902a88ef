// The web UI's session (log in, who am I, my preferences, log out), embed tokens for host
// applications, and API keys for administrators.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_EMBED_SECONDS, mintEmbedToken } from '../../accounts/embed-tokens.ts';
import { logIn, logOut, SESSION_DAYS } from '../../accounts/sessions.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../apikeys/apikeys.ts';
import { requireSystem, type Actor } from '../../chatter/actor.ts';
import type { ChatterDeps } from '../../chatter/deps.ts';
import { requireUser } from '../../chatter/lookups.ts';
import { UI_LANGUAGES, updateUser } from '../../chatter/users.ts';
import { FacteurError } from '../../errors.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { idParam } from '../schemas.ts';

function requireUserActor(actor: Actor): number {
  if (actor.kind !== 'user') throw new FacteurError('UNAUTHENTICATED', 'Log in to the web UI first (this call is made for a person, not with an API key alone).');
  return actor.user.id;
}

export function sessionRoutes(app: FastifyInstance, deps: ChatterDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['session'];
  r.post(
    '/api/session',
    { schema: { tags, summary: 'Log in to the web UI (sets the session cookie)', security: [], body: z.object({ login: z.string().min(1).max(200), password: z.string().min(1).max(1000) }) } },
    async (req, reply) => {
      const session = await logIn(deps, req.body.login, req.body.password);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: req.protocol === 'https',
        maxAge: SESSION_DAYS * 24 * 3600,
      });
      return requireUser(deps.db, session.userId);
    },
  );
  r.get('/api/session', { schema: { tags, summary: 'The logged-in user (or the embed token\'s), null when nobody is logged in', security: [] } }, async (req) =>
    req.actor.kind === 'user' ? { ...(await requireUser(deps.db, req.actor.user.id)), embed: req.embedScope } : null,
  );
  r.patch(
    '/api/session',
    {
      schema: {
        tags,
        summary: 'Change my notification preference, language or password',
        body: z.object({
          notification: z.enum(['email', 'inbox']).optional(),
          language: z.enum(UI_LANGUAGES).nullable().optional(),
          password: z.string().max(1000).optional(),
        }),
      },
    },
    async (req) => updateUser(deps, req.actor, requireUserActor(req.actor), req.body),
  );
  r.delete('/api/session', { schema: { tags, summary: 'Log out' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await logOut(deps.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  r.post(
    '/api/embed-tokens',
    {
      schema: {
        tags: ['embedding'],
        summary: 'Mint a short-lived token that opens one record\'s chatter to one user, for /embed/chatter',
        body: z.object({
          userId: z.number().int().positive(),
          model: z.string().min(1).max(128),
          resId: z.coerce.string().min(1).max(128),
          ttlSeconds: z.number().int().min(30).max(MAX_EMBED_SECONDS).default(900),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await mintEmbedToken(deps, req.actor, req.body)),
  );

  const keyTags = ['api keys'];
  r.get('/api/apikeys', { schema: { tags: keyTags, summary: 'List API keys (never their secret)' } }, async (req) => {
    requireSystem(req.actor, 'list API keys');
    return listApiKeys(deps.db);
  });
  r.post('/api/apikeys', { schema: { tags: keyTags, summary: 'Create an API key; the key is in this answer only', body: z.object({ name: z.string().min(1).max(200) }) } }, async (req, reply) => {
    requireSystem(req.actor, 'create API keys');
    const created = await createApiKey(deps.db, req.body.name);
    deps.log.info({ apiKeyId: created.id }, 'api key created');
    return reply.status(201).send({ ...created, name: req.body.name });
  });
  r.delete('/api/apikeys/:id', { schema: { tags: keyTags, summary: 'Revoke an API key', params: idParam } }, async (req, reply) => {
    requireSystem(req.actor, 'revoke API keys');
    if (!(await revokeApiKey(deps.db, req.params.id))) throw new FacteurError('VALIDATION_FAILED', `No active API key has id ${req.params.id}.`);
    deps.log.info({ apiKeyId: req.params.id }, 'api key revoked');
    return reply.status(204).send();
  });
}
