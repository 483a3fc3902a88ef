// Builds one email of a notification: one recipient, our Message-ID, threading headers, the layout of
// the recipient's group, HTML and text. nodemailer writes the MIME; we only say what goes in it.
import type { SendMailOptions } from 'nodemailer';
import type { EmailToSend } from '../outbox/delivery.store.ts';
import { renderNotificationEmail, type RecipientGroup } from '../templates/layouts.ts';
import type { Addressing } from './rules/addressing.ts';
import { outboxMessageIdHeader } from './rules/x-message-id.ts';

export interface ComposeContext {
  /** Renders the message's body in a layout; the same for every recipient of a group, so callers may cache it. */
  render: (email: EmailToSend) => { html: string; text: string };
  /** Domain that qualifies X-Message-Id (the alias domain, or a neutral one). */
  headerDomain: string;
  attachments: { filename: string; contentType: string; content: Uint8Array }[];
}

export function recordUrl(publicUrl: string, record: { model: string; resId: string }): string {
  return `${publicUrl.replace(/\/$/, '')}/records/${encodeURIComponent(record.model)}/${encodeURIComponent(record.resId)}`;
}

export function recipientGroup(email: EmailToSend): RecipientGroup {
  return email.recipient.userRole === 'internal' ? 'internal' : 'external';
}

/**
 * A renderer that renders each (message, recipient group) once: a post to 10,000 followers is laid
 * out twice at most, not 10,000 times.
 */
export function cachedRenderer(publicUrl: string): ComposeContext['render'] {
  const cache = new Map<string, { html: string; text: string }>();
  return (email) => {
    const group = recipientGroup(email);
    const key = `${email.message.id}:${group}`;
    let rendered = cache.get(key);
    if (!rendered) {
      rendered = renderNotificationEmail({
        group,
        bodyHtml: email.message.bodyHtml,
        recordName: email.record.name,
        authorName: email.author.name,
        subtypeName: email.message.subtypeName,
        recordUrl: recordUrl(publicUrl, email.record),
      });
      cache.set(key, rendered);
    }
    return rendered;
  };
}

export function composeEmail(email: EmailToSend, addressing: Extract<Addressing, { kind: 'send' }>, context: ComposeContext): SendMailOptions {
  const { html, text } = context.render(email);
  const root = email.threadRootRfcMessageId;
  return {
    from: addressing.from.name ? { name: addressing.from.name, address: addressing.from.address } : addressing.from.address,
    to: email.recipient.name ? { name: email.recipient.name, address: email.emailTo! } : email.emailTo!,
    ...(addressing.replyTo ? { replyTo: addressing.replyTo } : {}),
    subject: email.message.subject ?? email.record.name,
    html,
    text,
    // Every copy of a message carries the message's own Message-ID, so a reply names the message it answers.
    messageId: email.message.rfcMessageId,
    ...(root ? { inReplyTo: root, references: [root] } : {}),
    headers: {
      'X-Message-Id': outboxMessageIdHeader(email.outboxId, context.headerDomain),
      // RFC 3834 §5: automatic notifications say so, so that auto-responders stay quiet.
      'Auto-Submitted': 'auto-generated',
    },
    envelope: { from: addressing.envelopeFrom, to: [email.emailTo!] },
    attachments: context.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })),
  };
}

/**
 * A notice Facteur writes itself (the answer to an unrouted message): plain text, in reply to the
 * message it answers, marked as an automatic reply (RFC 3834 §5) and with X-Facteur-Loop, so that a
 * notice that comes back, or its bounce, is dropped rather than answered again.
 */
export function composeNotice(
  notice: { emailTo: string; subject: string; bodyText: string; inReplyTo: string | null },
  addressing: Extract<Addressing, { kind: 'send' }>,
  rfcMessageId: string,
): SendMailOptions {
  return {
    from: addressing.from.name ? { name: addressing.from.name, address: addressing.from.address } : addressing.from.address,
    to: notice.emailTo,
    subject: notice.subject,
    text: notice.bodyText,
    messageId: rfcMessageId,
    ...(notice.inReplyTo ? { inReplyTo: notice.inReplyTo, references: [notice.inReplyTo] } : {}),
    envelope: { from: addressing.envelopeFrom, to: [notice.emailTo] },
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Facteur-Loop': 'notice', 'X-Message-Id': rfcMessageId },
  };
}
