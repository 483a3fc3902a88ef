// Inbound tests: a record whose thread sent real emails (through the built-in catcher), and the
// answers that come back, built as real MIME by nodemailer's composer.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer';
import { sql } from 'kysely';
import type Mail from 'nodemailer/lib/mailer';
import { receiveInbound, type ReceiveResult } from '../../src/inbound/gateway.ts';
import { company, customer, drain, follow, post, record, staff, unique, type OutboundApp } from './smtp-app.ts';

export interface SentThread {
  domain: string;
  companyId: number;
  ref: { model: string; resId: string };
  recordId: number;
  user1: Awaited<ReturnType<typeof staff>>;
  user2: Awaited<ReturnType<typeof staff>>;
  client: Awaited<ReturnType<typeof customer>>;
  /** The comment the customer received. */
  comment: { id: number; rfcMessageId: string };
  note: { id: number; rfcMessageId: string };
  /** The Reply-To (reply token address) and X-Message-Id of the customer's email. */
  replyTo: string;
  xMessageId: string;
  outboxId: number;
}

/**
 * Seed 000 §12: User 1 writes to the customer on a quotation followed by User 2; emails are sent.
 * Fresh addresses by default; the fixture corpus asks for its fixed ones (facteur.test, S00023 = 23).
 */
export async function sentThread(t: OutboundApp, fixed: { domain: string; clientEmail: string; resId: string } | null = null): Promise<SentThread> {
  const domain = fixed?.domain ?? `d${unique()}.facteur.test`;
  const { id: companyId } = await company(t, `Company ${domain}`, domain);
  const user1 = await staff(t, { name: 'User 1', email: `user1@${domain}`, companyId });
  const user2 = await staff(t, { name: 'User 2', email: `user2@${domain}`, companyId });
  const client = await customer(t, 'Monsieur Client', fixed?.clientEmail ?? `client.${unique()}@customer.test`, null);
  const row = await record(t, { name: 'S00023', companyId, resId: fixed?.resId });
  const ref = { model: row.model, resId: row.resId };
  await follow(t, ref, user1.partnerId);
  await follow(t, ref, user2.partnerId, ['discussion', 'note']);
  await follow(t, ref, client.id);
  const comment = await post(t, ref, { authorPartnerId: user1.partnerId, subject: 'Your quotation S00023', body: '<p>Here is your quotation.</p>' });
  const note = await post(t, ref, { kind: 'note', authorPartnerId: user1.partnerId, body: '<p>Internal: check the discount.</p>' });
  await drain(t);
  const { rows } = await sql<{ id: number; reply_to: string }>`
    SELECT o.id, o.reply_to FROM outbox o WHERE o.message_id = ${comment.id} AND o.partner_id = ${client.id}`.execute(t.db);
  const entry = rows[0]!;
  return {
    domain,
    companyId,
    ref,
    recordId: row.id,
    user1,
    user2,
    client,
    comment: { id: comment.id, rfcMessageId: comment.rfcMessageId },
    note: { id: note.id, rfcMessageId: note.rfcMessageId },
    replyTo: entry.reply_to,
    xMessageId: `<facteur-outbox-${entry.id}@${domain}>`,
    outboxId: entry.id,
  };
}

/** A real MIME message, as a mail client would send it. */
export async function mime(options: Mail.Options & { headers?: Record<string, string> }): Promise<Buffer> {
  return new MailComposer({ messageId: `<${unique()}.${Date.now()}@mail.customer.test>`, date: new Date(), ...options }).compile().build();
}

export async function receive(t: OutboundApp, raw: Buffer): Promise<ReceiveResult> {
  return receiveInbound(t.app.mail, { raw, source: 'api' });
}

export async function messageRow(t: OutboundApp, id: number) {
  return t.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function notificationsOf(t: OutboundApp, messageId: number) {
  return t.db.selectFrom('notifications').select(['partner_id', 'channel', 'status', 'failure_type', 'failure_reason']).where('message_id', '=', messageId).orderBy('partner_id').execute();
}

/** The corpus of .eml fixtures (test/fixtures/inbound, see its README). */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/inbound');

/** The thread's reply-token address with a wrong signature. */
export function forgedReplyAddress(thread: SentThread): string {
  return thread.replyTo.replace(/\.([0-9a-f]{8})@/, (_, sig: string) => `.${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}@`);
}

/** A fixture's bytes, its placeholders replaced by the thread's real identifiers. */
export function fixtureBytes(thread: SentThread, file: string): Buffer {
  const text = readFileSync(path.join(FIXTURES, file), 'latin1')
    .replaceAll('{{SENT_MESSAGE_ID}}', thread.comment.rfcMessageId)
    .replaceAll('{{NOTE_MESSAGE_ID}}', thread.note.rfcMessageId)
    .replaceAll('{{X_MESSAGE_ID}}', thread.xMessageId)
    .replaceAll('{{FORGED_REPLY_ADDRESS}}', forgedReplyAddress(thread))
    .replaceAll('{{REPLY_ADDRESS}}', thread.replyTo)
    .replace('{{LARGE_ATTACHMENT_BASE64}}', () => largeAttachmentBase64());
  return Buffer.from(text, 'latin1');
}

/**
 * 768 KiB of bytes that do not compress, as base64 in 76-character lines (RFC 2045 §6.8): the large
 * attachment of the corpus, made here rather than kept in the repository. Deterministic (SHA-256 in
 * counter mode), so every run parses the same message.
 */
function largeAttachmentBase64(): string {
  const blocks = Array.from({ length: 786_432 / 32 }, (_, i) => createHash('sha256').update(`facteur-large-attachment-${i}`).digest());
  return Buffer.concat(blocks).toString('base64').replace(/.{76}/g, '$&\n').trimEnd();
}
