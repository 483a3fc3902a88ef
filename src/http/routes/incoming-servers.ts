// Incoming servers (seed 000 §3.2, seed 003): the IMAP mailboxes Facteur reads, "Test connection" and
// "Fetch now". Passwords go in, never out.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fetchServerNow } from '../../inbound/imap-fetch.ts';
import {
  createIncomingServer,
  deleteIncomingServer,
  getIncomingServer,
  listIncomingServers,
  testIncomingServer,
  updateIncomingServer,
} from '../../inbound/incoming-servers.ts';
import type { MailDeps } from '../../mail/deps.ts';
import { idParam } from '../schemas.ts';

const incomingServerBody = z.object({
  name: z.string().min(1).max(200).describe('What people call this mailbox, e.g. "Replies"'),
  host: z.string().min(1).max(253).describe('The IMAP server: a host name or IP address alone, e.g. imap.example.com'),
  port: z.number().int().min(1).max(65535).nullish().describe('Default 993 with tls, 143 with starttls or none'),
  security: z.enum(['none', 'starttls', 'tls']).optional().describe('tls (default): TLS from the first byte (usually port 993); starttls: upgrade with STARTTLS, required; none: never encrypt'),
  username: z.string().min(1).max(320).describe('The login of the mailbox account'),
  password: z.string().min(1).max(1024).optional().describe('Stored encrypted and never returned (see hasPassword); on PATCH, leave it out to keep it'),
  folder: z.string().min(1).max(500).optional().describe('The folder to read (default INBOX)'),
  intervalMinutes: z.number().int().min(1).max(10080).optional().describe('How often the folder is read, in minutes (default 5)'),
  active: z.boolean().optional().describe('An inactive server is not fetched on schedule (default true)'),
});

const fetchReport = z.object({
  unseen: z.number().describe('Unseen messages found in the folder'),
  stored: z.number().describe('Stored by the gateway and marked seen'),
  duplicates: z.number().describe('Already stored (same Message-ID): not stored again, marked seen'),
  failed: z.number().describe('Could not be stored: left unseen for the next fetch'),
  error: z.string().nullable().describe('Why the fetch ended early (connection, login, folder); null when it went through'),
});

export function incomingServerRoutes(app: FastifyInstance, deps: MailDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['incoming servers'];

  r.get('/api/incoming-servers', { schema: { tags, summary: 'List incoming servers: IMAP mailboxes read for replies, bounces and aliases (never their password)' } }, async (req) =>
    listIncomingServers(deps, req.actor),
  );
  r.post(
    '/api/incoming-servers',
    { schema: { tags, summary: 'Add an incoming server: an IMAP mailbox whose unseen messages are fetched every few minutes', body: incomingServerBody } },
    async (req, reply) => reply.status(201).send(await createIncomingServer(deps, req.actor, req.body)),
  );
  r.get('/api/incoming-servers/:id', { schema: { tags, summary: 'One incoming server, with its last fetch and last error (never its password)', params: idParam } }, async (req) =>
    getIncomingServer(deps, req.actor, req.params.id),
  );
  r.patch(
    '/api/incoming-servers/:id',
    { schema: { tags, summary: 'Change an incoming server', params: idParam, body: incomingServerBody.partial() } },
    async (req) => updateIncomingServer(deps, req.actor, req.params.id, req.body),
  );
  r.delete('/api/incoming-servers/:id', { schema: { tags, summary: 'Remove an incoming server (the mail it brought stays)', params: idParam } }, async (req, reply) => {
    await deleteIncomingServer(deps, req.actor, req.params.id);
    return reply.status(204).send();
  });
  r.post(
    '/api/incoming-servers/:id/test',
    {
      schema: {
        tags,
        summary: "Test connection: connect, TLS as configured, log in and open the folder, then log out; answers { ok: true } or { ok: false, reason } in the server's own words",
        params: idParam,
      },
    },
    async (req) => testIncomingServer(deps, req.actor, req.params.id),
  );
  r.post(
    '/api/incoming-servers/:id/fetch',
    {
      schema: {
        tags,
        summary: 'Fetch now: store every unseen message, then mark it seen; answers the counts, and the error when the fetch ended early',
        params: idParam,
        response: { 200: fetchReport },
      },
    },
    async (req) => fetchServerNow(deps, req.actor, req.params.id),
  );
}
