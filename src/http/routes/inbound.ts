// Inbound mail (issue 4): raw messages handed in by the host application, the list of what came in
// with its state and reason, re-processing; aliases; and the events the host application reads.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listEventsAfter } from '../../events/events.ts';
import { createAlias, listAliases, removeAlias } from '../../inbound/aliases.ts';
import { attachInbound } from '../../inbound/attach.ts';
import { getInbound, getInboundRaw, listInbound, MAX_RAW_BYTES, receiveRaw, retryInbound } from '../../inbound/inbound.ts';
import type { MailDeps } from '../../mail/deps.ts';
import { idParam, recordRef } from '../schemas.ts';

const state = z.enum(['received', 'routed', 'bounced', 'dropped', 'unrouted', 'failed']);

export function inboundRoutes(app: FastifyInstance, deps: MailDeps): void {
  // A raw RFC 5322 message travels as itself, not wrapped in JSON.
  for (const type of ['message/rfc822', 'text/plain', 'application/octet-stream']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_RAW_BYTES }, (_req, body, done) => done(null, body));
  }
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['inbound'];
  r.post(
    '/api/inbound',
    {
      schema: {
        tags,
        summary: 'Hand in a raw email (Content-Type: message/rfc822): stored, then routed like mail from IMAP or SMTP',
        body: z.instanceof(Buffer).describe('The raw message, as received (RFC 5322)'),
      },
    },
    async (req, reply) => {
      const result = await receiveRaw(deps, req.actor, req.body);
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  );
  r.get(
    '/api/inbound',
    {
      schema: {
        tags,
        summary: 'Received emails, newest first, with their state, route and reason; and the counts per state',
        querystring: z.object({
          state: state.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z.coerce.number().int().positive().optional().describe('Only emails with a smaller id (the next page)'),
        }),
      },
    },
    async (req) => listInbound(deps, req.actor, { state: req.query.state, limit: req.query.limit, beforeId: req.query.before }),
  );
  r.get('/api/inbound/:id', { schema: { tags, summary: 'One received email: state, route, reason, record and message', params: idParam } }, async (req) =>
    getInbound(deps, req.actor, req.params.id),
  );
  r.get('/api/inbound/:id/raw', { schema: { tags, summary: 'One received email, raw (message/rfc822)', params: idParam } }, async (req, reply) =>
    reply.header('content-type', 'message/rfc822').send(await getInboundRaw(deps, req.actor, req.params.id)),
  );
  r.post('/api/inbound/:id/retry', { schema: { tags, summary: 'Process a received, unrouted, dropped or failed email again', params: idParam } }, async (req) =>
    retryInbound(deps, req.actor, req.params.id),
  );

  r.post(
    '/api/inbound/:id/attach',
    {
      schema: {
        tags,
        summary: 'Post an unrouted, dropped or failed email on the thread of a record you choose, as the gateway posts a reply; it becomes routed (route "manual")',
        params: idParam,
        body: recordRef,
      },
    },
    async (req) => attachInbound(deps, req.actor, req.params.id, req.body),
  );

  const aliasTags = ['aliases'];
  r.get('/api/aliases', { schema: { tags: aliasTags, summary: 'Aliases: name@alias-domain → records of a model' } }, async (req) => listAliases(deps, req.actor));
  r.post(
    '/api/aliases',
    {
      schema: {
        tags: aliasTags,
        summary: 'Create an alias (seed 000 §3.3)',
        body: z.object({
          name: z.string().min(1).max(64).describe('The part before the @'),
          domain: z.string().min(1).max(253).describe("One of the companies' alias domains"),
          model: z.string().min(1).max(128).describe('The model of the records it creates'),
          record: recordRef.nullish().describe('Post every message on this record instead of creating one'),
          parent: recordRef.nullish().describe('New records get this parent; its followers follow them'),
          contactPolicy: z.enum(['everyone', 'partners', 'followers']).optional().describe('Who may write: everyone (default), known partners, or followers'),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await createAlias(deps, req.actor, req.body)),
  );
  r.delete('/api/aliases/:id', { schema: { tags: aliasTags, summary: 'Remove an alias', params: idParam } }, async (req, reply) => {
    await removeAlias(deps, req.actor, req.params.id);
    return reply.status(204).send();
  });

  r.get(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        summary: 'What Facteur did on its own (record.created by an alias…), oldest first, after the id you last saw',
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          type: z.string().optional(),
        }),
      },
    },
    async (req) => ({ events: await listEventsAfter(deps, req.actor, req.query) }),
  );
}
