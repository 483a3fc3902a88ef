// Sweego's webhooks (seed 001 §9). Authenticated by their signature, not by an API key: Sweego calls
// them from outside. The signature covers the body's exact bytes, so they are read raw.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MailDeps } from '../../mail/deps.ts';
import { syncSweegoNow } from '../../sweego/log-sync.ts';
import { receiveInboundWebhook } from '../../sweego/inbound-webhook.ts';
import { receiveOutboundWebhook } from '../../sweego/outbound-webhook.ts';
import { getSweegoSettings, updateSweegoSettings } from '../../sweego/settings.ts';
import type { WebhookHeaders } from '../../sweego/signature.ts';

const settingsBody = z.object({
  apiKey: z.string().max(512).nullish().describe("Sweego's API key (its dashboard, section API): stored encrypted, never returned (see hasApiKey); null removes it"),
  clientUuid: z.string().max(64).nullish().describe("The account UUID from Sweego's dashboard: builds the inbound attachment URLs"),
  apiUrl: z.string().max(300).nullish().describe('The API base URL; default https://api.sweego.io'),
});

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export async function sweegoRoutes(app: FastifyInstance, deps: MailDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['sweego'];
  r.get('/api/settings/sweego', { schema: { tags, summary: 'The Sweego settings shared by its features (never the API key)' } }, async (req) =>
    getSweegoSettings(deps, req.actor),
  );
  r.patch('/api/settings/sweego', { schema: { tags, summary: 'Change the Sweego settings', body: settingsBody } }, async (req) =>
    updateSweegoSettings(deps, req.actor, req.body),
  );
  r.post(
    '/api/sweego/sync',
    { schema: { tags, summary: "Sync Sweego's delivery logs now (the worker does it every SWEEGO_SYNC_MINUTES): confirms or marks undelivered the emails whose webhook never came" } },
    async (req) => syncSweegoNow(deps, req.actor),
  );

  // In a scope of its own: JSON stays raw here and only here.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    const signed = (request: { headers: Record<string, string | string[] | undefined>; body: unknown }) => ({
      headers: {
        'webhook-id': header(request.headers['webhook-id']),
        'webhook-timestamp': header(request.headers['webhook-timestamp']),
        'webhook-signature': header(request.headers['webhook-signature']),
      } satisfies WebhookHeaders,
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    });
    scope.post(
      '/sweego/webhook/outbound',
      { schema: { tags, summary: 'Sweego outbound events (delivered, bounces, opens…), signed with Standard Webhooks', security: [] } },
      async (request) => {
        const { headers, body } = signed(request);
        return receiveOutboundWebhook(deps, body, headers);
      },
    );
    scope.post(
      '/sweego/webhook/inbound',
      { schema: { tags, summary: 'Sweego inbound emails (email_inbound): rebuilt and handed to the inbound gateway', security: [] } },
      async (request) => {
        const { headers, body } = signed(request);
        return receiveInboundWebhook(deps, body, headers);
      },
    );
  });
}
