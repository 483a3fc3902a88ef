// "Reply as this recipient" (issue 6): from the catcher, answer a caught email the way the person it
// was sent to would from their mail client — so a newcomer can try the whole loop (send, reply,
// routed back to the thread) with no mail server at all. The reply is real MIME written by
// nodemailer's MailComposer and goes through the same inbound gateway as any reply from outside.
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { requireSystem, type Actor } from '../chatter/actor.ts';
import { findRecordById } from '../chatter/records.store.ts';
import { FacteurError } from '../errors.ts';
import { receiveInbound, type ReceiveResult } from '../inbound/gateway.ts';
import { addressesOf as addresses, type InboundAddress as Address } from '../inbound/parse.ts';
import { caughtRaw } from './catcher.ts';
import type { MailDeps } from './deps.ts';

export interface CatcherReplyInput {
  /** Plain text, as the recipient types it above the quoted original. */
  body: string;
  /** Which recipient of the caught email replies; the first To by default. */
  recipient?: string | undefined;
}

export interface CatcherReplyResult extends ReceiveResult {
  /** The record the reply was posted on, to open it; null when it was not routed to one. */
  record: { model: string; resId: string; name: string } | null;
}

export async function replyToCaught(deps: MailDeps, actor: Actor, id: number, input: CatcherReplyInput): Promise<CatcherReplyResult> {
  requireSystem(actor, 'reply from the mail catcher');
  if (input.body.trim() === '') throw new FacteurError('VALIDATION_FAILED', 'The reply is empty: write some text to send.');
  const original = await simpleParser(await caughtRaw(deps, actor, id));
  const raw = await composeReply(original, chooseRecipient(original, input.recipient), input.body);
  const result = await receiveInbound(deps, { raw, source: 'api' });
  const record = result.recordId === null ? undefined : await findRecordById(deps.db, result.recordId);
  deps.log.info(
    { caughtEmailId: id, inboundId: result.id, state: result.state, route: result.route, recordId: result.recordId, messageId: result.messageId },
    'catcher reply handed to the inbound gateway',
  );
  return { ...result, record: record ? { model: record.model, resId: record.resId, name: record.name } : null };
}


/** The recipient who answers: one the email was addressed to (To, then Cc). */
function chooseRecipient(original: ParsedMail, wanted: string | undefined): Address {
  const candidates = [...addresses(original.to), ...addresses(original.cc)];
  if (wanted === undefined || wanted.trim() === '') {
    const first = candidates[0];
    if (!first) throw new FacteurError('VALIDATION_FAILED', 'This email has no To recipient to reply as.');
    return first;
  }
  const found = candidates.find((a) => a.address.toLowerCase() === wanted.trim().toLowerCase());
  if (!found) {
    throw new FacteurError('VALIDATION_FAILED', `${wanted} is not a recipient of this email; reply as one of: ${candidates.map((a) => a.address).join(', ')}.`);
  }
  return found;
}

/** The answer a mail client writes: to the Reply-To, threaded by In-Reply-To/References, original quoted. */
async function composeReply(original: ParsedMail, from: Address, body: string): Promise<Buffer> {
  const to = addresses(original.replyTo).length > 0 ? addresses(original.replyTo) : addresses(original.from);
  if (to.length === 0) throw new FacteurError('VALIDATION_FAILED', 'This email has neither Reply-To nor From: there is no one to reply to.');
  const previous = original.references === undefined ? [] : Array.isArray(original.references) ? original.references : [original.references];
  const references = [...previous, ...(original.messageId ? [original.messageId] : [])];
  const subject = original.subject ?? '';
  const sender = addresses(original.from)[0];
  const quoted = (original.text ?? '').trimEnd().split('\n').map((line) => `> ${line}`.trimEnd()).join('\n');
  const attribution = `On ${(original.date ?? new Date()).toUTCString()}, ${sender ? (sender.name ? `${sender.name} <${sender.address}>` : sender.address) : 'the sender'} wrote:`;
  return new MailComposer({
    from,
    to,
    subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`,
    inReplyTo: original.messageId,
    references: references.length > 0 ? references : undefined,
    date: new Date(),
    text: `${body.trimEnd()}\n\n${attribution}\n${quoted}\n`,
  })
    .compile()
    .build();
}
