// The reference of the `outbound` benchmark: bare nodemailer, with the same pooled transport options
// as Facteur's (the product's own transportOptions, same maxConnections), sending equivalent emails to
// the same sink as fast as its pool allows. No database, no composing per recipient beyond what
// nodemailer itself does (MIME building happens inside sendMail, as it does for Facteur).
import { randomUUID } from 'node:crypto';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { transportOptions, type OutgoingServer } from '../../src/mail/servers.ts';
import { renderNotificationEmail } from '../../src/templates/layouts.ts';

export interface RawMessageShape {
  /** The post's sanitised HTML body. */
  bodyHtml: string;
  /** The record's model and id: the reply token's length depends on them. */
  model: string;
  resId: string;
  recordName: string;
  authorName: string;
  authorAddress: string;
  domain: string;
  subtypeName: string;
}

/**
 * One email per recipient, shaped like composeEmail's: From, To with a name, Reply-To, our headers,
 * HTML + text; the same size within a few bytes (the sink prints the bytes per email of both).
 */
export function rawMessages(shape: RawMessageShape, count: number): (i: number) => SendMailOptions {
  // Rendered once: the reference measures sending, not templating (Facteur renders each email; that is its cost).
  const { html, text } = renderNotificationEmail({
    group: 'external',
    bodyHtml: shape.bodyHtml,
    recordName: shape.recordName,
    authorName: shape.authorName,
    subtypeName: shape.subtypeName,
    recordUrl: 'http://127.0.0.1:8025/records/x/y',
  });
  // The same lengths as Facteur's: a UUID Message-ID, reply+HEX(resId-model).HMAC8, facteur-outbox-ID.
  const messageId = `<${randomUUID()}@${shape.domain}>`;
  const replyTo = `reply+${Buffer.from(`${shape.resId}-${shape.model}`, 'utf8').toString('hex')}.00000000@${shape.domain}`;
  return (i) => {
    const address = `raw${i + 1}@example.com`;
    return {
      from: { name: shape.authorName, address: shape.authorAddress },
      to: { name: `raw ${i + 1}`, address },
      replyTo,
      subject: shape.recordName,
      html,
      text,
      messageId,
      headers: { 'X-Message-Id': `<facteur-outbox-${count + i}@${shape.domain}>`, 'Auto-Submitted': 'auto-generated' },
      envelope: { from: `bounce@${shape.domain}`, to: [address] },
    };
  };
}

export function sinkServer(port: number): OutgoingServer {
  return {
    id: 0,
    name: 'sink',
    kind: 'smtp',
    host: '127.0.0.1',
    port,
    security: 'none',
    username: null,
    password: null,
    fromFilter: null,
    sequence: 10,
    deleteAfterDelivery: false,
    replyTokenSecret: null,
  };
}

/**
 * Sends `count` messages through one pooled transport, at most `inFlight` sendMail calls pending at
 * a time (a sliding window: as soon as one is accepted the next starts). Returns the elapsed ms.
 * `extra` overrides transport options (e.g. maxMessages) for the side experiments.
 */
export async function sendRaw(
  port: number,
  count: number,
  message: (i: number) => SendMailOptions,
  options: { maxConnections: number; inFlight: number; extra?: Record<string, unknown> },
): Promise<number> {
  const transporter = nodemailer.createTransport({ ...transportOptions(sinkServer(port), { maxConnections: options.maxConnections }), ...options.extra });
  let next = 0;
  let failed = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try {
        await transporter.sendMail(message(i));
      } catch {
        failed++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.inFlight, count) }, lane));
  } finally {
    transporter.close();
  }
  const elapsed = performance.now() - start;
  if (failed > 0) throw new Error(`The reference failed to send ${failed} of ${count} messages.`);
  return elapsed;
}
