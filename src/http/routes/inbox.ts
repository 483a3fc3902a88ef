import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatterDeps } from '../../chatter/deps.ts';
import { markRead, readInbox } from '../../chatter/inbox.ts';
import { cursorQuery, idParam } from '../schemas.ts';

export function inboxRoutes(app: FastifyInstance, deps: ChatterDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['inbox'];
  r.get(
    '/api/users/:id/inbox',
    { schema: { tags, summary: 'A user\'s inbox notifications, newest first, with the unread count', params: idParam, querystring: cursorQuery.extend({ unread: z.stringbool().default(false) }) } },
    async (req) => readInbox(deps, req.actor, req.params.id, { unreadOnly: req.query.unread, limit: req.query.limit, before: req.query.before }),
  );
  r.post(
    '/api/users/:id/inbox/read',
    {
      schema: {
        tags,
        summary: 'Mark inbox notifications read (all of them when notificationIds is absent)',
        params: idParam,
        // A POST without a body arrives as null: it means "mark everything read".
        body: z.object({ notificationIds: z.array(z.number().int().positive()).max(1000).optional() }).nullish(),
      },
    },
    async (req) => markRead(deps, req.actor, req.params.id, req.body?.notificationIds),
  );
}
