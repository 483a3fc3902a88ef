// The send queue (seed 002) and the built-in catcher.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { replyToCaught } from '../../mail/catcher-reply.ts';
import { caughtRaw, listCaught, readCaught } from '../../mail/catcher.ts';
import type { MailDeps } from '../../mail/deps.ts';
import { cancelQueued, outboxCounts, readOutbox, readOutboxEntry, retryFailed, sendQueueNow } from '../../outbox/outbox.ts';
import { cursorQuery, idParam } from '../schemas.ts';

const state = z.enum(['queued', 'sending', 'sent', 'delivered', 'exception', 'canceled']);

export function outboxRoutes(app: FastifyInstance, deps: MailDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['outbox'];
  r.get(
    '/api/outbox',
    {
      schema: {
        tags,
        summary: 'The send queue: one entry per email recipient, newest first',
        querystring: cursorQuery.extend({
          state: state.optional().describe('queued (pending), sending, sent, delivered, exception (error), canceled'),
          channel: z.enum(['email', 'sms']).optional(),
          messageId: z.coerce.number().int().positive().optional(),
          companyId: z.coerce.number().int().positive().optional(),
          recipient: z.string().optional().describe('Part of the recipient address'),
        }),
      },
    },
    async (req) => readOutbox(deps, req.actor, req.query),
  );
  r.get(
    '/api/outbox/:id',
    { schema: { tags, summary: 'One entry with its email as it is (or would be) sent: headers, body, attachments', params: idParam } },
    async (req) => readOutboxEntry(deps, req.actor, req.params.id),
  );
  r.get('/api/outbox/counts', { schema: { tags, summary: 'How many entries are in each state' } }, async (req) => outboxCounts(deps, req.actor));
  r.post('/api/outbox/send', { schema: { tags, summary: 'Send pending now: process every due entry' } }, async (req) => sendQueueNow(deps, req.actor));
  r.post(
    '/api/outbox/retry',
    { schema: { tags, summary: 'Retry errors: entries in exception go back to the queue', body: z.object({ ids: z.array(z.number().int().positive()).max(10_000).optional() }).nullish() } },
    async (req) => retryFailed(deps, req.actor, req.body?.ids),
  );
  r.post('/api/outbox/:id/retry', { schema: { tags, summary: 'Retry one entry in error', params: idParam } }, async (req) => retryFailed(deps, req.actor, [req.params.id]));
  r.post('/api/outbox/:id/cancel', { schema: { tags, summary: 'Cancel one queued entry or entry in error', params: idParam } }, async (req, reply) => {
    await cancelQueued(deps, req.actor, req.params.id);
    return reply.status(204).send();
  });

  const catcherTags = ['catcher'];
  r.get(
    '/api/catcher',
    { schema: { tags: catcherTags, summary: 'Emails kept by the built-in catcher, newest first', querystring: cursorQuery.extend({ to: z.string().optional() }) } },
    async (req) => listCaught(deps, req.actor, req.query),
  );
  r.get('/api/catcher/:id', { schema: { tags: catcherTags, summary: 'One caught email, parsed: headers, HTML, text, attachments', params: idParam } }, async (req) =>
    readCaught(deps, req.actor, req.params.id),
  );
  r.get('/api/catcher/:id/raw', { schema: { tags: catcherTags, summary: 'One caught email as sent (message/rfc822)', params: idParam } }, async (req, reply) =>
    reply.header('content-type', 'message/rfc822').send(await caughtRaw(deps, req.actor, req.params.id)),
  );
  r.post(
    '/api/catcher/:id/reply',
    {
      schema: {
        tags: catcherTags,
        summary: 'Reply as a recipient of a caught email: the reply goes through the inbound gateway like a reply from outside',
        params: idParam,
        body: z.object({
          body: z.string().max(100_000).describe('The reply, plain text; the original is quoted below it'),
          recipient: z.string().max(320).optional().describe('Which recipient replies (an address of its To or Cc); the first To by default'),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await replyToCaught(deps, req.actor, req.params.id, req.body)),
  );
}
