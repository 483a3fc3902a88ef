// Outgoing servers (seed 000 §3.1, seed 003): how mail leaves, whom each server may send as, and
// "Test connection". Passwords go in, never out.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MailDeps } from '../../mail/deps.ts';
import { createServer, deleteServer, getServer, listServers, testServerConnection, updateServer } from '../../mail/servers.ts';
import { idParam } from '../schemas.ts';

const serverBody = z.object({
  name: z.string().min(1).max(200).describe('What people call this server, e.g. "Notifications"'),
  kind: z
    .enum(['smtp', 'catcher', 'sweego'])
    .optional()
    .describe('smtp (default); catcher: the built-in catcher that keeps mail inside Facteur to be read in the UI; sweego: Sweego\'s relay (port 2525, STARTTLS; host smtp.sweego.io to type in; username required) with its webhooks'),
  host: z.string().max(253).nullish().describe('SMTP only: the host name or IP address alone, e.g. smtp.example.com'),
  port: z.number().int().min(1).max(65535).nullish().describe('SMTP only; default 587 with starttls, 465 with tls, 25 with none'),
  security: z.enum(['none', 'starttls', 'tls']).optional().describe('starttls (default): upgrade with STARTTLS, required; tls: TLS from the first byte (usually port 465); none: never encrypt'),
  username: z.string().max(320).nullish().describe('SMTP only: the login of the account'),
  password: z.string().max(1024).nullish().describe('SMTP only: stored encrypted and never returned (see hasPassword); on PATCH, leave it out to keep it, null to remove it'),
  fromFilter: z
    .string()
    .max(2000)
    .nullish()
    .describe('Whom this server may send as: an address (notifications@example.com), a domain (example.com), or several separated by commas; empty: anyone'),
  sequence: z.number().int().min(-2147483648).max(2147483647).optional().describe('Servers are tried by ascending sequence (default 10)'),
  active: z.boolean().optional().describe('An inactive server is never used to send (default true)'),
  deleteAfterDelivery: z.boolean().optional().describe('Keep sent entries until the provider confirms delivery, then delete them'),
  outboundWebhookSecret: z
    .string()
    .max(512)
    .nullish()
    .describe('Sweego only: the outbound webhook secret as its dashboard shows it (base64); also signs the reply tokens of mail sent through this server. Stored encrypted, never returned (see hasOutboundWebhookSecret)'),
  inboundWebhookSecret: z
    .string()
    .max(512)
    .nullish()
    .describe('Sweego only: the inbound webhook secret (distinct from the outbound one). Stored encrypted, never returned (see hasInboundWebhookSecret)'),
});

export function serverRoutes(app: FastifyInstance, deps: MailDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['servers'];

  r.get('/api/servers', { schema: { tags, summary: 'List outgoing servers, in the order they are tried (never their password)' } }, async (req) =>
    listServers(deps, req.actor),
  );
  r.post('/api/servers', { schema: { tags, summary: 'Add an outgoing server: SMTP or the built-in catcher', body: serverBody } }, async (req, reply) =>
    reply.status(201).send(await createServer(deps, req.actor, req.body)),
  );
  r.get('/api/servers/:id', { schema: { tags, summary: 'One outgoing server (never its password)', params: idParam } }, async (req) =>
    getServer(deps, req.actor, req.params.id),
  );
  r.patch('/api/servers/:id', { schema: { tags, summary: 'Change an outgoing server', params: idParam, body: serverBody.partial() } }, async (req) =>
    updateServer(deps, req.actor, req.params.id, req.body),
  );
  r.delete('/api/servers/:id', { schema: { tags, summary: 'Remove an outgoing server', params: idParam } }, async (req, reply) => {
    await deleteServer(deps, req.actor, req.params.id);
    return reply.status(204).send();
  });
  r.post(
    '/api/servers/:id/test',
    {
      schema: {
        tags,
        summary: 'Test connection: connect, EHLO, TLS as configured and log in, then hang up; answers { ok: true } or { ok: false, reason } in the server\'s own words',
        params: idParam,
      },
    },
    async (req) => testServerConnection(deps, req.actor, req.params.id),
  );
}
