// Inbound messages as people see them (issue 4 §5): listed with their state and reason, read raw,
// re-processed on demand; and a raw message handed in by the host application.
import { requireSystem, type Actor } from '../chatter/actor.ts';
import type { InboundState } from '../db/schema.ts';
import { FacteurError } from '../errors.ts';
import type { MailDeps } from '../mail/deps.ts';
import { receiveInbound, type ReceiveResult } from './gateway.ts';
import { countInboundByState, findInboundEmail, findInboundRaw, listInboundEmails, type InboundEmailRow } from './inbound.store.ts';
import { processInbound } from './process.ts';

export type { InboundEmailRow, ReceiveResult };

/** Beyond this a message is refused by the API (the SMTP listener and IMAP have their own limits). */
export const MAX_RAW_BYTES = 40 * 1024 * 1024;

export async function receiveRaw(deps: MailDeps, actor: Actor, raw: Buffer): Promise<ReceiveResult> {
  requireSystem(actor, 'handle inbound email');
  if (raw.length === 0) throw new FacteurError('VALIDATION_FAILED', 'The message is empty: send the raw RFC 5322 message as the request body.');
  return receiveInbound(deps, { raw, source: 'api' });
}

export async function listInbound(deps: MailDeps, actor: Actor, query: { state?: InboundState | undefined; limit: number; beforeId?: number | undefined }) {
  requireSystem(actor, 'handle inbound email');
  const [emails, counts] = await Promise.all([listInboundEmails(deps.db, query), countInboundByState(deps.db)]);
  return { emails, counts };
}

export async function getInbound(deps: MailDeps, actor: Actor, id: number): Promise<InboundEmailRow> {
  requireSystem(actor, 'handle inbound email');
  const row = await findInboundEmail(deps.db, id);
  if (!row) throw new FacteurError('INBOUND_EMAIL_NOT_FOUND', `There is no inbound email ${id}.`);
  return row;
}

export async function getInboundRaw(deps: MailDeps, actor: Actor, id: number): Promise<Buffer> {
  requireSystem(actor, 'handle inbound email');
  const raw = await findInboundRaw(deps.db, id);
  if (!raw) throw new FacteurError('INBOUND_EMAIL_NOT_FOUND', `There is no inbound email ${id}.`);
  return raw;
}

/** Processes a kept message again (after an alias was added, a record registered…). */
export async function retryInbound(deps: MailDeps, actor: Actor, id: number): Promise<InboundEmailRow> {
  const row = await getInbound(deps, actor, id);
  if (row.state === 'routed' || row.state === 'bounced') {
    throw new FacteurError('INBOUND_EMAIL_NOT_RETRYABLE', `Inbound email ${id} is already ${row.state}; only received, unrouted, dropped and failed messages are processed again.`);
  }
  await processInbound(deps, id);
  return (await findInboundEmail(deps.db, id))!;
}
