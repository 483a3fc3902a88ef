// Seed 001 §5.8: every Sweego webhook is checked with Standard Webhooks — HMAC-SHA256 over
// `{webhook-id}.{webhook-timestamp}.{raw body}`, keyed with the base64-decoded secret, and a timestamp
// within 5 minutes — by the standardwebhooks library. Sweego documents a bare base64 signature where
// the standard writes `v1,<base64>` (several may be space-separated): both are accepted.
import { Webhook } from 'standardwebhooks';

export type Verification = { ok: true } | { ok: false; reason: string };

export interface WebhookHeaders {
  'webhook-id'?: string | undefined;
  'webhook-timestamp'?: string | undefined;
  'webhook-signature'?: string | undefined;
}

export function verifyWebhook(secrets: string[], rawBody: Buffer, headers: WebhookHeaders): Verification {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (!id || !timestamp || !signature) return { ok: false, reason: 'the webhook-id, webhook-timestamp and webhook-signature headers are required' };
  if (secrets.length === 0) return { ok: false, reason: 'no Sweego server has this webhook secret configured' };
  const standard = signature
    .split(' ')
    .filter((s) => s !== '')
    .map((s) => (s.includes(',') ? s : `v1,${s}`))
    .join(' ');
  let reason = '';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(rawBody, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': standard });
      return { ok: true };
    } catch (error) {
      reason = (error as Error).message;
    }
  }
  return { ok: false, reason };
}
