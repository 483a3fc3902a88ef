// The built-in catcher (the embedded default transport): every email "sent" with no server configured
// is kept, and can be listed and read — raw or rendered — so a newcomer sees what Facteur sends.
import { simpleParser } from 'mailparser';
import { requireInternal, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { FacteurError } from '../errors.ts';
import { findCaughtEmailRaw, listCaughtEmails, type CaughtEmailSummary } from './catcher.store.ts';
import { addressesOf } from '../inbound/parse.ts';

export async function listCaught(
  deps: ChatterDeps,
  actor: Actor,
  page: { limit: number; before?: number | undefined; to?: string | undefined },
): Promise<CaughtEmailSummary[]> {
  requireInternal(actor, 'read the mail catcher');
  return listCaughtEmails(deps.db, { limit: page.limit, beforeId: page.before, to: page.to });
}

export async function caughtRaw(deps: ChatterDeps, actor: Actor, id: number): Promise<Buffer> {
  requireInternal(actor, 'read the mail catcher');
  const [found] = await findCaughtEmailRaw(deps.db, [id]);
  if (!found) throw new FacteurError('CAUGHT_EMAIL_NOT_FOUND', `The catcher has no email ${id}.`, { caughtEmailId: id });
  return Buffer.from(found.raw);
}

export interface RenderedEmail {
  id: number;
  headers: { name: string; value: string }[];
  from: string | null;
  to: string | null;
  replyTo: string | null;
  /** The addresses it was sent to (To, then Cc): who may "reply as this recipient". */
  recipients: string[];
  subject: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  date: Date | null;
  html: string | null;
  text: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
}

/** The email as a mail client would show it, parsed back from its raw MIME by mailparser. */
export async function readCaught(deps: ChatterDeps, actor: Actor, id: number): Promise<RenderedEmail> {
  return { id, ...(await renderEmail(await caughtRaw(deps, actor, id))) };
}

/** Any raw email as a mail client would show it (the send queue shows its entries this way too). */
export async function renderEmail(raw: Buffer): Promise<Omit<RenderedEmail, 'id'>> {
  const parsed = await simpleParser(raw);
  const text = (value: { text: string } | { text: string }[] | undefined) =>
    value === undefined ? null : Array.isArray(value) ? value.map((v) => v.text).join(', ') : value.text;
  return {
    headers: parsed.headerLines.map((line) => ({ name: line.key, value: line.line.slice(line.line.indexOf(':') + 1).trim() })),
    from: text(parsed.from),
    to: text(parsed.to),
    replyTo: text(parsed.replyTo),
    recipients: [...addressesOf(parsed.to), ...addressesOf(parsed.cc)].map((a) => a.address),
    subject: parsed.subject ?? null,
    messageId: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo ?? null,
    date: parsed.date ?? null,
    html: parsed.html === false ? null : parsed.html,
    text: parsed.text ?? null,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
  };
}
