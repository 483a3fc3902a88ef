// The inbound gateway (DESIGN "Inbound"): every source hands its raw messages to receiveInbound —
// one at a time (an SMTP session, the API) or a batch (an IMAP fetch) — which stores them before
// anything else, then routes them. Nothing is lost: whatever happens after a message is stored, it
// stays in inbound_emails with its state and reason, and can be processed again.
import type { InboundSource, InboundState } from '../db/schema.ts';
import type { MailDeps } from '../mail/deps.ts';
import { findInboundEmailsByMessageIds, insertInboundEmails, type InboundOutcome } from './inbound.store.ts';
import { parseInThreads } from './parse-pool.ts';
import { parseInbound, type ParsedInbound } from './parse.ts';
import { processInboundBatch, type StoredInbound } from './process.ts';

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
  return (await receiveInboundBatch(deps, [input]))[0]!;
}

/**
 * Stores the messages (one statement: all of them or, if the database refuses, none — and the call
 * rejects), then routes them together. Results come in the order given. Two copies with the same
 * Message-ID are stored and processed once; the second is reported as a duplicate of the first.
 */
export async function receiveInboundBatch(deps: MailDeps, inputs: ReceiveInput[]): Promise<ReceiveResult[]> {
  return routeBatch(deps, await storeBatch(deps, inputs));
}

export type BatchOutcome = { results: ReceiveResult[] } | { error: unknown };

/**
 * Many batches, as a fetch downloads them. Each batch is parsed and stored as soon as it is handed
 * in, up to `ahead` batches before the one being routed, so that parsing (in its threads), storing
 * and routing overlap. Routing takes the batches strictly in order: a message that answers one of an
 * earlier batch finds its thread. `onReceived` hears of each batch in order, with its results or the
 * error that kept it from being stored; if it throws, no later batch is taken or reported (those
 * already stored are still routed), and the call rejects with that error.
 */
export async function receiveInboundBatches<T>(
  deps: MailDeps,
  batches: AsyncIterable<T[]> | Iterable<T[]>,
  inputOf: (item: T) => ReceiveInput,
  onReceived: (items: T[], outcome: BatchOutcome) => Promise<void>,
  ahead = 3,
): Promise<void> {
  let routing: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;
  const inFlight: Promise<void>[] = [];
  // If the batches themselves fail (a download cut short), the batches already handed in are still
  // stored and routed before the error is passed on: nothing goes on behind the caller's back.
  try {
    for await (const items of batches) {
      const stored = storeBatch(deps, items.map(inputOf));
      stored.catch(() => {}); // its error is reported below, in its turn
      routing = routing.then(async () => {
        let outcome: BatchOutcome;
        try {
          outcome = { results: await routeBatch(deps, await stored) };
        } catch (error) {
          outcome = { error };
        }
        if (failure) return;
        try {
          await onReceived(items, outcome);
        } catch (error) {
          failure = { error };
        }
      });
      inFlight.push(routing);
      if (inFlight.length >= ahead) await inFlight.shift();
      if (failure) break;
    }
  } finally {
    await routing;
  }
  if (failure) throw (failure as { error: unknown }).error;
}

/** A batch parsed and stored, waiting to be routed. */
interface StoredBatch {
  inputs: ReceiveInput[];
  parsed: ParsedInbound[];
  /** Message-ID → the position of its first copy in the batch. */
  first: Map<string, number>;
  /** Message-ID → the id of the row this batch stored; a Message-ID missing here was kept before. */
  ids: Map<string, number>;
  stored: StoredInbound[];
}

async function storeBatch(deps: MailDeps, inputs: ReceiveInput[]): Promise<StoredBatch> {
  // One message is parsed here; a batch in the parsing threads, while this thread routes the one before.
  const parsed = inputs.length === 1 ? [await parseInbound(inputs[0]!.raw, inputs[0]!.identity)] : await parseInThreads(inputs);
  const first = new Map<string, number>();
  parsed.forEach((mail, i) => first.has(mail.rfcMessageId) || first.set(mail.rfcMessageId, i));
  const fresh = [...first.values()];
  const ids = await insertInboundEmails(
    deps.db,
    fresh.map((i) => ({
      source: inputs[i]!.source,
      incomingServerId: inputs[i]!.incomingServerId ?? null,
      rfcMessageId: parsed[i]!.rfcMessageId,
      raw: inputs[i]!.raw,
      sender: parsed[i]!.from?.address ?? null,
      subject: parsed[i]!.subject,
    })),
  );
  const stored: StoredInbound[] = [];
  for (const i of fresh) {
    const { rfcMessageId, from } = parsed[i]!;
    const inboundId = ids.get(rfcMessageId);
    if (inboundId === undefined) continue;
    deps.log.info({ inboundId, rfcMessageId, source: inputs[i]!.source, from: from?.address }, 'inbound email received');
    stored.push({ inboundId, mail: parsed[i]! });
  }
  return { inputs, parsed, first, ids, stored };
}

async function routeBatch(deps: MailDeps, { inputs, parsed, first, ids, stored }: StoredBatch): Promise<ReceiveResult[]> {
  const outcomes = await processInboundBatch(deps, stored);
  const results = new Map<string, Omit<ReceiveResult, 'duplicate'>>(stored.map((s, k) => [s.mail.rfcMessageId, resultOf(s.inboundId, outcomes[k]!)]));
  const keptBefore = parsed.filter((p) => !results.has(p.rfcMessageId)).map((p) => p.rfcMessageId);
  for (const row of await findInboundEmailsByMessageIds(deps.db, keptBefore)) {
    results.set(row.rfcMessageId, resultOf(row.id, row));
  }
  return parsed.map((mail, i) => {
    const result = results.get(mail.rfcMessageId)!;
    const duplicate = first.get(mail.rfcMessageId) !== i || !ids.has(mail.rfcMessageId);
    if (duplicate) deps.log.info({ inboundId: result.id, rfcMessageId: mail.rfcMessageId, source: inputs[i]!.source }, 'inbound email already received');
    return { ...result, duplicate };
  });
}

function resultOf(id: number, outcome: InboundOutcome): Omit<ReceiveResult, 'duplicate'> {
  return { id, state: outcome.state, route: outcome.route, reason: outcome.reason, recordId: outcome.recordId ?? null, messageId: outcome.messageId ?? null };
}

export type { ParsedInbound };
