// Mail templates: written by administrators, picked and rendered on a record by internal users.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatterDeps } from '../../chatter/deps.ts';
import { FacteurError } from '../../errors.ts';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, previewTemplate, renderTemplate, updateTemplate } from '../../templates/templates.ts';
import { idParam, recordRef } from '../schemas.ts';

const subject = z.string().max(2000).describe('Liquid, rendered as text');
const body = z.string().max(200_000).describe('Liquid, rendered as HTML then sanitised like a message body');
const templateBody = z.object({
  name: z.string().min(1).max(200),
  model: z.string().min(1).max(128).nullish().describe('Offered on records of this model only; none for every model'),
  subject: subject.optional(),
  body,
});

export function templateRoutes(app: FastifyInstance, deps: ChatterDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['templates'];
  r.get(
    '/api/templates',
    { schema: { tags, summary: 'List mail templates, or those offered on a model (its own and those for every model)', querystring: z.object({ model: z.string().optional() }) } },
    async (req) => listTemplates(deps, req.actor, req.query.model),
  );
  r.post('/api/templates', { schema: { tags, summary: 'Write a mail template (Liquid)', body: templateBody } }, async (req, reply) =>
    reply.status(201).send(await createTemplate(deps, req.actor, req.body)),
  );
  r.post(
    '/api/templates/preview',
    {
      schema: {
        tags,
        summary: 'Render unsaved template text, on a record or on none',
        body: z.object({ subject, body, model: z.string().min(1).max(128).optional(), resId: z.coerce.string().min(1).max(128).optional() }),
      },
    },
    async (req) => {
      const { model, resId } = req.body;
      return previewTemplate(deps, req.actor, { subject: req.body.subject, body: req.body.body, record: model !== undefined && resId !== undefined ? { model, resId } : null });
    },
  );
  r.get('/api/templates/:id', { schema: { tags, params: idParam } }, async (req) => getTemplate(deps, req.actor, req.params.id));
  r.patch('/api/templates/:id', { schema: { tags, params: idParam, body: templateBody.partial() } }, async (req) =>
    updateTemplate(deps, req.actor, req.params.id, req.body),
  );
  r.delete('/api/templates/:id', { schema: { tags, params: idParam } }, async (req, reply) => {
    await deleteTemplate(deps, req.actor, req.params.id);
    return reply.status(204).send();
  });
  r.post(
    '/api/templates/:id/render',
    { schema: { tags, summary: 'Render a template on a record: the subject as text, the body as sanitised HTML', params: idParam, body: recordRef } },
    async (req) => {
      const scope = req.embedScope;
      if (scope && (scope.model !== req.body.model || scope.resId !== String(req.body.resId))) {
        throw new FacteurError('EMBED_SCOPE', 'An embed token opens one record\'s chatter only.', { model: scope.model, resId: scope.resId });
      }
      return renderTemplate(deps, req.actor, req.params.id, req.body);
    },
  );
}
