import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatterDeps } from '../../chatter/deps.ts';
import { readOutbox } from '../../outbox/outbox.ts';
import { cursorQuery } from '../schemas.ts';

const state = z.enum(['queued', 'sending', 'sent', 'delivered', 'exception', 'canceled']);

export function outboxRoutes(app: FastifyInstance, deps: ChatterDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/outbox',
    { schema: { tags: ['outbox'], summary: 'The send queue: one entry per email recipient', querystring: cursorQuery.extend({ state: state.optional(), messageId: z.coerce.number().int().positive().optional() }) } },
    async (req) => readOutbox(deps, req.actor, req.query),
  );
}
