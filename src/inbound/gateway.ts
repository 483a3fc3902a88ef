// The inbound gateway (DESIGN "Inbound"): every source hands its raw message to receiveInbound,
// which stores it before anything else, then routes it. Nothing is lost: whatever happens after the
// message is stored, it stays in inbound_emails with its state and reason, and can be processed again.
import type { MailDeps } from '../mail/deps.ts';
import type { InboundSource, InboundState } from '../db/schema.ts';
import { findInboundEmailByMessageId, insertInboundEmail } from './inbound.store.ts';
import { parseInbound, type ParsedInbound } from './parse.ts';
import { processInbound } from './process.ts';

export interface ReceiveInput {
  raw: Buffer;
  /** The message as its sender sent it, when `raw` has trace fields of ours above it (the SMTP listener). */
  identity?: Buffer | undefined;
  source: InboundSource;
  incomingServerId?: number | null | undefined;
}

export interface ReceiveResult {
  id: number;
  /** A message with the same Message-ID was already kept: this copy was not stored or processed again. */
  duplicate: boolean;
  state: InboundState;
  route: string | null;
  reason: string | null;
  recordId: number | null;
  messageId: number | null;
}

/**
 * Stores then routes one raw message. Resolves once the message is stored and settled; it rejects
 * only when the message could not be stored (the database is unreachable): the caller keeps it then
 * (an IMAP message stays unseen, an SMTP client gets a temporary failure).
 */
export async function receiveInbound(deps: MailDeps, input: ReceiveInput): Promise<ReceiveResult> {
  const parsed = await parseInbound(input.raw, input.identity);
  const id = await insertInboundEmail(deps.db, {
    source: input.source,
    incomingServerId: input.incomingServerId ?? null,
    rfcMessageId: parsed.rfcMessageId,
    raw: input.raw,
    sender: parsed.from?.address ?? null,
    subject: parsed.subject,
  });
  if (id === null) {
    const kept = (await findInboundEmailByMessageId(deps.db, parsed.rfcMessageId))!;
    deps.log.info({ inboundId: kept.id, rfcMessageId: parsed.rfcMessageId, source: input.source }, 'inbound email already received');
    return { ...resultOf(kept), duplicate: true };
  }
  deps.log.info({ inboundId: id, rfcMessageId: parsed.rfcMessageId, source: input.source, from: parsed.from?.address }, 'inbound email received');
  const outcome = await processInbound(deps, id, parsed);
  return { id, duplicate: false, state: outcome.state, route: outcome.route, reason: outcome.reason, recordId: outcome.recordId ?? null, messageId: outcome.messageId ?? null };
}

function resultOf(row: { id: number; state: InboundState; route: string | null; reason: string | null; recordId: number | null; messageId: number | null }) {
  return { id: row.id, state: row.state, route: row.route, reason: row.reason, recordId: row.recordId, messageId: row.messageId };
}

export type { ParsedInbound };
