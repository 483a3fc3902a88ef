// Sweego's webhooks (seed 001 §9). Authenticated by their signature, not by an API key: Sweego calls
// them from outside. The signature covers the body's exact bytes, so they are read raw.
import type { FastifyInstance } from 'fastify';
import type { MailDeps } from '../../mail/deps.ts';
import { receiveOutboundWebhook } from '../../sweego/outbound-webhook.ts';
import type { WebhookHeaders } from '../../sweego/signature.ts';

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export async function sweegoRoutes(app: FastifyInstance, deps: MailDeps): Promise<void> {
  // In a scope of its own: JSON stays raw here and only here.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.post(
      '/sweego/webhook/outbound',
      { schema: { tags: ['sweego'], summary: 'Sweego outbound events (delivered, bounces, opens…), signed with Standard Webhooks', security: [] } },
      async (request) => {
        const headers: WebhookHeaders = {
          'webhook-id': header(request.headers['webhook-id']),
          'webhook-timestamp': header(request.headers['webhook-timestamp']),
          'webhook-signature': header(request.headers['webhook-signature']),
        };
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return receiveOutboundWebhook(deps, body, headers);
      },
    );
  });
}
