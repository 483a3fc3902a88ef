// Companies (with their alias domain), partners and users.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createCompany, getCompany, listCompanies, updateCompany } from '../../chatter/companies.ts';
import type { ChatterDeps } from '../../chatter/deps.ts';
import { createPartner, getPartner, searchPartners, updatePartner } from '../../chatter/partners.ts';
import { createUser, getUser, listUsers, UI_LANGUAGES, updateUser } from '../../chatter/users.ts';
import { email, idParam, pageQuery } from '../schemas.ts';

const aliasDomain = z.object({
  domain: z.string().min(3).max(253).describe('e.g. example.com'),
  catchall: z.string().min(1).max(64).optional().describe('Local part of the catchall (Reply-To) address; default "catchall"'),
  bounce: z.string().min(1).max(64).optional().describe('Local part of the bounce address; default "bounce"'),
  defaultFrom: z.string().min(1).max(64).optional().describe('Local part of the notifications address; default "notifications"'),
});
const companyBody = z.object({ name: z.string().min(1).max(200), aliasDomain: aliasDomain.optional() });

const partnerBody = z.object({
  name: z.string().min(1).max(200),
  email: email.nullish(),
  phone: z.string().max(50).nullish(),
  lang: z.string().min(2).max(16).optional().describe('e.g. en, fr_FR'),
  companyId: z.number().int().positive().nullish(),
});

const role = z.enum(['internal', 'portal']);
const notification = z.enum(['email', 'inbox']).describe('Internal users only: email or inbox, never both (seed 000 §1.5)');
const userBody = z.object({
  login: z.string().min(1).max(200),
  role,
  notification: notification.optional(),
  partnerId: z.number().int().positive().optional().describe('An existing partner'),
  partner: partnerBody.optional().describe('Or a new partner'),
  isAdmin: z.boolean().optional().describe('Administers Facteur in the web UI'),
  password: z.string().max(1000).optional().describe('Lets the user log in to the web UI (8 characters at least)'),
  language: z.enum(UI_LANGUAGES).nullish().describe('The web UI\'s language; none follows the browser'),
});

export function directoryRoutes(app: FastifyInstance, deps: ChatterDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['directory'];

  r.get('/api/companies', { schema: { tags, summary: 'List companies' } }, async (req) => listCompanies(deps, req.actor));
  r.post('/api/companies', { schema: { tags, summary: 'Create a company, with its alias domain', body: companyBody } }, async (req, reply) =>
    reply.status(201).send(await createCompany(deps, req.actor, req.body)),
  );
  r.get('/api/companies/:id', { schema: { tags, params: idParam } }, async (req) => getCompany(deps, req.actor, req.params.id));
  r.patch('/api/companies/:id', { schema: { tags, params: idParam, body: companyBody.partial() } }, async (req) =>
    updateCompany(deps, req.actor, req.params.id, req.body),
  );

  r.get(
    '/api/partners',
    { schema: { tags, summary: 'List or search partners (name or email contains q)', querystring: pageQuery.extend({ q: z.string().optional() }) } },
    async (req) => searchPartners(deps, req.actor, { text: req.query.q, limit: req.query.limit, offset: req.query.offset }),
  );
  r.post('/api/partners', { schema: { tags, summary: 'Create a partner (contact)', body: partnerBody } }, async (req, reply) =>
    reply.status(201).send(await createPartner(deps, req.actor, req.body)),
  );
  r.get('/api/partners/:id', { schema: { tags, params: idParam } }, async (req) => getPartner(deps, req.actor, req.params.id));
  r.patch('/api/partners/:id', { schema: { tags, params: idParam, body: partnerBody.partial() } }, async (req) =>
    updatePartner(deps, req.actor, req.params.id, req.body),
  );

  r.get('/api/users', { schema: { tags, summary: 'List users' } }, async (req) => listUsers(deps, req.actor));
  r.post('/api/users', { schema: { tags, summary: 'Create an internal or portal user', body: userBody } }, async (req, reply) =>
    reply.status(201).send(await createUser(deps, req.actor, req.body)),
  );
  r.get('/api/users/:id', { schema: { tags, params: idParam } }, async (req) => getUser(deps, req.actor, req.params.id));
  r.patch(
    '/api/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a user\'s role, notification preference, administration right, language or password',
        params: idParam,
        body: z.object({
          role: role.optional(),
          notification: notification.optional(),
          isAdmin: z.boolean().optional(),
          language: z.enum(UI_LANGUAGES).nullish(),
          password: z.string().max(1000).nullable().optional().describe('A new password (their sessions end); null takes the web UI away'),
        }),
      },
    },
    async (req) => updateUser(deps, req.actor, req.params.id, req.body),
  );
}
