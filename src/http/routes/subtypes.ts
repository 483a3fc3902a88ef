import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatterDeps } from '../../chatter/deps.ts';
import { createSubtype, listSubtypes, updateSubtype } from '../../chatter/subtypes.ts';
import { idParam } from '../schemas.ts';

const subtypeBody = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'lowercase letters, digits, _ and .'),
  name: z.string().min(1).max(200),
  description: z.string().max(1000).nullish(),
  model: z.string().min(1).max(128).nullish().describe('Only for records of this model; none for every model'),
  internal: z.boolean().optional().describe('Seen by internal users only, like notes'),
  isDefault: z.boolean().optional().describe('Given to new followers'),
  hidden: z.boolean().optional(),
  sequence: z.number().int().optional(),
  parent: z
    .object({ code: z.string(), model: z.string() })
    .nullish()
    .describe('The subtype of the parent record that propagates to this one, e.g. {"code":"quotation_sent","model":"crm.team"}'),
});

export function subtypeRoutes(app: FastifyInstance, deps: ChatterDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['subtypes'];
  r.get('/api/subtypes', { schema: { tags, summary: 'List subtypes, or those that apply to a model', querystring: z.object({ model: z.string().optional() }) } }, async (req) =>
    listSubtypes(deps, req.query.model),
  );
  r.post('/api/subtypes', { schema: { tags, summary: 'Define a subtype', body: subtypeBody } }, async (req, reply) =>
    reply.status(201).send(await createSubtype(deps, req.actor, req.body)),
  );
  r.patch('/api/subtypes/:id', { schema: { tags, params: idParam, body: subtypeBody.partial() } }, async (req) =>
    updateSubtype(deps, req.actor, req.params.id, req.body),
  );
}
