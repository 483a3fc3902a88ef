// POST /sweego/webhook/inbound (seed 001 §5.5–§5.7): a customer's reply that reached the alias
// domain through Sweego's inbound MX. Verified with the inbound secret; loops are answered 200 and
// ignored; otherwise an RFC 5322 message is rebuilt from the payload — nodemailer's MailComposer
// writes the MIME, the attachments are downloaded from Sweego's API — and handed to the same gateway
// as IMAP mail, which stores it, routes it by its reply token and posts it on its thread.
import MailComposer from 'nodemailer/lib/mail-composer';
import { FacteurError } from '../errors.ts';
import { receiveInbound, type ReceiveResult } from '../inbound/gateway.ts';
import type { MailDeps } from '../mail/deps.ts';
import { sweegoWebhookSecrets } from '../mail/servers.ts';
import { downloadAttachment } from './api.ts';
import { recordWebhookDelivery, webhookDeliverySeen } from './deliveries.store.ts';
import { addressingOf, inboundLoop, readInboundPayload, rebuiltMessageId, type InboundPayload } from './rules/inbound-payload.ts';
import { sweegoApiAccess } from './settings.ts';
import { verifyWebhook, type WebhookHeaders } from './signature.ts';
import { escapeHtml } from '../chatter/rules/html.ts';

/** `ignored` says why nothing was stored (a loop, a redelivery); otherwise the gateway's result. */
export type InboundReceipt = { ignored: string } | ({ ignored: null } & ReceiveResult);

export async function receiveInboundWebhook(deps: MailDeps, rawBody: Buffer, headers: WebhookHeaders): Promise<InboundReceipt> {
  const verification = verifyWebhook(await sweegoWebhookSecrets(deps, 'inbound'), rawBody, headers);
  if (!verification.ok) {
    deps.log.warn({ webhookId: headers['webhook-id'], reason: verification.reason, endpoint: 'inbound' }, 'invalid webhook signature');
    throw new FacteurError('INVALID_WEBHOOK_SIGNATURE', `The webhook signature does not verify: ${verification.reason}. Check the inbound webhook secret of the Sweego server.`);
  }
  if (await webhookDeliverySeen(deps.db, headers['webhook-id']!)) {
    deps.log.info({ webhookId: headers['webhook-id'] }, 'Sweego inbound webhook already received');
    return { ignored: 'already received (same webhook-id)' };
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new FacteurError('VALIDATION_FAILED', 'The webhook body is not JSON.');
  }
  const payload = readInboundPayload(body);
  if (!payload) throw new FacteurError('VALIDATION_FAILED', 'The webhook body is not an email_inbound event (from_, to, subject, text or html).');
  const loop = inboundLoop(payload);
  if (loop) {
    deps.log.info({ webhookId: headers['webhook-id'], swgUid: payload.swg_uid, loop }, 'Sweego inbound email ignored: loop');
    return { ignored: `loop: ${loop}` };
  }
  const raw = await rebuild(deps, payload);
  const result = await receiveInbound(deps, { raw, source: 'webhook' });
  // Recorded once stored: a delivery that failed before is tried again by Sweego and not taken for done.
  await recordWebhookDelivery(deps.db, headers['webhook-id']!, 'inbound');
  return { ignored: null, ...result };
}

/** The message as a mail client would have sent it, from what Sweego kept of it. */
async function rebuild(deps: MailDeps, payload: InboundPayload): Promise<Buffer> {
  const { from, to, cc, deliveredTo } = addressingOf(payload);
  const attachments: { filename: string; contentType: string; content: Buffer }[] = [];
  const missing: string[] = [];
  if ((payload.attachments ?? []).length > 0) {
    const access = await sweegoApiAccess(deps);
    for (const attachment of payload.attachments ?? []) {
      const filename = attachment.name ?? attachment.uuid;
      try {
        attachments.push({ filename, contentType: attachment.content_type ?? 'application/octet-stream', content: await downloadAttachment(access, attachment.uuid) });
      } catch (error) {
        // Seed 001 §10.3: the message is still posted; it says which file is missing.
        deps.log.warn({ swgUid: payload.swg_uid, attachment: attachment.uuid, filename, err: error }, 'failed to download attachment');
        missing.push(filename);
      }
    }
  }
  const note = missing.length > 0 ? `[Attachment not downloaded from Sweego: ${missing.join(', ')}]` : null;
  const text = [payload.text ?? null, note].filter((part): part is string => part !== null).join('\n\n') || undefined;
  const html = payload.html ? (note ? `${payload.html}<p><em>${escapeHtml(note)}</em></p>` : payload.html) : undefined;
  const messageId = rebuiltMessageId(payload);
  const date = payload.timestamp ? new Date(payload.timestamp) : new Date();
  return new MailComposer({
    from: from ? { name: from.name, address: from.address } : undefined,
    to: to.map((a) => ({ name: a.name, address: a.address })),
    cc: cc.map((a) => ({ name: a.name, address: a.address })),
    subject: payload.subject ?? undefined,
    text,
    html,
    attachments,
    ...(messageId ? { messageId } : {}),
    date: Number.isNaN(date.getTime()) ? new Date() : date,
    headers: [
      ...deliveredTo.map((address) => ({ key: 'Delivered-To', value: address })),
      ...(payload.swg_uid ? [{ key: 'X-Sweego-Swg-Uid', value: payload.swg_uid }] : []),
    ],
  })
    .compile()
    .build();
}

