// Records and their thread: registration, followers (the bell), posting and reading.
import { create as contentDisposition } from 'content-disposition';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatterDeps } from '../../chatter/deps.ts';
import { FacteurError } from '../../errors.ts';
import { editFollowerSubtypes, followRecord, listRecordFollowers, unfollowRecord } from '../../chatter/followers.ts';
import { postMessage } from '../../chatter/post.ts';
import { getRecord, listModels, listRecords, registerRecord } from '../../chatter/records.ts';
import { downloadAttachment, readThread } from '../../chatter/thread.ts';
import { cursorQuery, idParam, pageQuery, recordParams, recordRef } from '../schemas.ts';

const recordBody = z.object({
  name: z.string().min(1).max(500).describe('Display name, e.g. S00023'),
  companyId: z.number().int().positive().nullish(),
  responsibleUserId: z.number().int().positive().nullish().describe('Follows the record (internal users)'),
  parent: recordRef.nullish().describe('A parent record, such as the sales team; its followers follow this record'),
  createdByUserId: z.number().int().positive().nullish().describe('Defaults to the acting user; follows the record (internal users)'),
});

const subtypeCodes = z.array(z.string().min(1)).max(50);

const postBody = z.object({
  kind: z
    .enum(['comment', 'note', 'notification', 'tracking'])
    .default('comment')
    .describe('comment = "Send message"; note = "Log note"; tracking = fields that changed (tracking lines), logged as a note unless a subtype is given'),
  body: z.string().max(1_000_000).optional().describe('HTML. Mention a partner with @[Name](partner:ID). Required, except for tracking'),
  changes: z
    .array(z.object({ field: z.string().min(1).max(200), from: z.string().max(2000).nullable(), to: z.string().max(2000).nullable() }))
    .min(1)
    .max(50)
    .optional()
    .describe('kind tracking: e.g. [{"field":"Stage","from":"New","to":"Won"}]'),
  subject: z.string().max(998).nullish(),
  subtype: z.string().optional().describe('Subtype code; discussion for a message, note for a note'),
  recipientIds: z.array(z.number().int().positive()).max(1000).optional().describe('Partners to notify; they become followers'),
  authorPartnerId: z.number().int().positive().nullish().describe('Post as this partner (host application only)'),
  attachments: z
    .array(z.object({ filename: z.string().min(1).max(255), contentType: z.string().min(3).max(255).default('application/octet-stream'), contentBase64: z.base64() }))
    .max(50)
    .optional(),
}).superRefine((post, context) => {
  // A tracking post may be its changes alone; every other post says something.
  if (post.body === undefined && post.kind !== 'tracking') context.addIssue({ code: 'custom', path: ['body'], message: 'body is required' });
});

export function recordRoutes(app: FastifyInstance, deps: ChatterDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['records'];
  const base = '/api/records/:model/:resId';

  r.get(
    '/api/records',
    { schema: { tags, summary: 'Browse records, by model and name', querystring: pageQuery.extend({ model: z.string().optional(), q: z.string().optional() }) } },
    async (req) => listRecords(deps, req.actor, { model: req.query.model, text: req.query.q, limit: req.query.limit, offset: req.query.offset }),
  );
  r.get('/api/models', { schema: { tags, summary: 'The models records are registered under, with their number of records' } }, async (req) => listModels(deps, req.actor));
  r.put(base, { schema: { tags, summary: 'Register a record, or update it; new records get their default followers', params: recordParams, body: recordBody } }, async (req, reply) => {
    const { record, created } = await registerRecord(deps, req.actor, { ...req.params, ...req.body });
    return reply.status(created ? 201 : 200).send(record);
  });
  r.get(base, { schema: { tags, params: recordParams } }, async (req) => getRecord(deps, req.params));

  r.get(`${base}/followers`, { schema: { tags, summary: 'List followers and their subtypes', params: recordParams } }, async (req) =>
    listRecordFollowers(deps, req.actor, req.params),
  );
  r.post(
    `${base}/followers`,
    { schema: { tags, summary: 'Add a follower (default subtypes unless given)', params: recordParams, body: z.object({ partnerId: z.number().int().positive(), subtypes: subtypeCodes.optional() }) } },
    async (req, reply) => reply.status(201).send(await followRecord(deps, req.actor, req.params, req.body)),
  );
  r.put(
    `${base}/followers/:partnerId`,
    { schema: { tags, summary: 'The bell: set a follower\'s subtypes', params: recordParams.extend({ partnerId: z.coerce.number().int().positive() }), body: z.object({ subtypes: subtypeCodes }) } },
    async (req) => editFollowerSubtypes(deps, req.actor, req.params, req.params.partnerId, req.body.subtypes),
  );
  r.delete(
    `${base}/followers/:partnerId`,
    { schema: { tags, summary: 'Remove a follower', params: recordParams.extend({ partnerId: z.coerce.number().int().positive() }) } },
    async (req, reply) => {
      await unfollowRecord(deps, req.actor, req.params, req.params.partnerId);
      return reply.status(204).send();
    },
  );

  r.post(`${base}/messages`, { schema: { tags, summary: 'Send a message or log a note', params: recordParams, body: postBody } }, async (req, reply) => {
    const { attachments, ...input } = req.body;
    const posted = await postMessage(deps, req.actor, req.params, {
      ...input,
      body: input.body ?? '',
      attachments: attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') })),
    });
    return reply.status(201).send(posted);
  });
  r.get(
    `${base}/messages`,
    {
      schema: {
        tags,
        summary: 'Read the thread, newest first, as the acting user sees it',
        params: recordParams,
        querystring: cursorQuery.extend({
          ids: z
            .string()
            .regex(/^\d+(,\d+)*$/, 'a comma-separated list of message ids')
            .optional()
            .describe('Only these messages (comma-separated ids): what a live update names'),
        }),
      },
    },
    async (req) => readThread(deps, req.actor, req.params, { ...req.query, ids: req.query.ids?.split(',').map(Number) }),
  );

  r.get('/api/attachments/:id', { schema: { tags, summary: 'Download an attachment', params: idParam } }, async (req, reply) => {
    const attachment = await downloadAttachment(deps, req.actor, req.params.id);
    const scope = req.embedScope;
    // An embedded chatter downloads the attachments of its record only.
    if (scope && (attachment.record?.model !== scope.model || attachment.record.resId !== scope.resId)) {
      throw new FacteurError('EMBED_SCOPE', 'An embed token opens one record\'s chatter only.', { model: scope.model, resId: scope.resId });
    }
    return reply
      .header('content-type', attachment.contentType)
      .header('content-disposition', contentDisposition(attachment.filename)) // RFC 6266 / 8187, with an ASCII fallback
      .send(Buffer.from(attachment.content));
  });
}
