// The send queue as people drive it (seed 002 "file d'envoi"): list, counts, send now, retry, cancel.
// Seed 002's states map onto ours: pending → queued, sending → sending, sent → sent, error → exception,
// delivered → delivered (and canceled for what was withdrawn).
import { requireInternal, requireSystem, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { FacteurError } from '../errors.ts';
import { findCaughtCopyOfOutbox } from '../mail/catcher.store.ts';
import { renderEmail, type RenderedEmail } from '../mail/catcher.ts';
import type { MailDeps } from '../mail/deps.ts';
import { buildRaw } from '../mail/transports.ts';
import { listOutbox, type OutboxFilter, type OutboxRow } from './outbox.store.ts';
import { cancelEntry, countByState, findEntryState, requeueFailed } from './queue.store.ts';
import { composeEntry, type BatchReport } from './send.ts';
import { drainQueue } from './worker.ts';

export async function readOutbox(
  deps: ChatterDeps,
  actor: Actor,
  filter: Omit<OutboxFilter, 'beforeId'> & { before?: number | undefined },
): Promise<OutboxRow[]> {
  requireInternal(actor, 'read the send queue');
  return listOutbox(deps.db, { ...filter, beforeId: filter.before });
}

export interface OutboxEntryDetail {
  entry: OutboxRow;
  /**
   * The email: the catcher's copy when the catcher took it ("caught": exactly what went out), else
   * composed now by the worker's own code ("composed"); null when nothing would be sent.
   */
  email: (Omit<RenderedEmail, 'id'> & { envelope: { from: string; to: string[] } | null; source: 'caught' | 'composed' }) | null;
  /** Why the worker would not send it as things stand (no From allowed, no address…). */
  wouldNotSend: { failureType: string; reason: string } | null;
}

/** One entry with its email as it is, or would be, sent. */
export async function readOutboxEntry(deps: MailDeps, actor: Actor, id: number): Promise<OutboxEntryDetail> {
  requireInternal(actor, 'read the send queue');
  const [entry] = await listOutbox(deps.db, { id, limit: 1 });
  if (!entry) throw new FacteurError('OUTBOX_ENTRY_NOT_FOUND', `No outbox entry has id ${id} (sent entries are deleted after their retention).`, { outboxId: id });
  const caught = await findCaughtCopyOfOutbox(deps.db, id);
  if (caught) {
    const envelope = { from: caught.envelopeFrom ?? '', to: caught.envelopeTo };
    return { entry, email: { ...(await renderEmail(Buffer.from(caught.raw))), envelope, source: 'caught' }, wouldNotSend: null };
  }
  const composed = await composeEntry(deps, id);
  if (!composed) return { entry, email: null, wouldNotSend: null };
  if (!('message' in composed)) return { entry, email: null, wouldNotSend: { failureType: composed.addressing.failureType, reason: composed.addressing.reason } };
  const envelope = composed.message.envelope as { from: string; to: string[] } | undefined;
  return { entry, email: { ...(await renderEmail(await buildRaw(composed.message))), envelope: envelope ?? null, source: 'composed' }, wouldNotSend: null };
}

export async function outboxCounts(deps: ChatterDeps, actor: Actor): Promise<Record<string, number>> {
  requireInternal(actor, 'read the send queue');
  return countByState(deps.db);
}

/** "Send pending now": what is due is sent at once, by this call, alongside any running worker. */
export async function sendQueueNow(deps: MailDeps, actor: Actor, onProgress?: (total: BatchReport) => void): Promise<BatchReport> {
  requireSystem(actor, 'send the queue');
  return drainQueue(deps, onProgress);
}

/** seed 002 "retry_queue": entries in error are queued again, all of them or the ones named. */
export async function retryFailed(deps: ChatterDeps, actor: Actor, ids?: number[]): Promise<{ requeued: number[] }> {
  requireSystem(actor, 'retry the queue');
  const requeued = await requeueFailed(deps.db, ids);
  if (ids?.length === 1 && requeued.length === 0) await explainWhyNot(deps, ids[0]!, 'retried: only entries in error can be');
  deps.log.info({ outboxIds: requeued }, 'outbox entries requeued');
  return { requeued };
}

export async function cancelQueued(deps: ChatterDeps, actor: Actor, id: number): Promise<void> {
  requireSystem(actor, 'cancel emails');
  if (!(await cancelEntry(deps.db, id, 'Canceled by hand.'))) await explainWhyNot(deps, id, 'canceled: only queued entries or entries in error can be');
  deps.log.info({ outboxId: id }, 'outbox entry canceled');
}

async function explainWhyNot(deps: ChatterDeps, id: number, what: string): Promise<never> {
  const state = await findEntryState(deps.db, id);
  if (state === undefined) throw new FacteurError('OUTBOX_ENTRY_NOT_FOUND', `No outbox entry has id ${id} (sent entries are deleted after their retention).`, { outboxId: id });
  throw new FacteurError('OUTBOX_ENTRY_NOT_CHANGEABLE', `Outbox entry ${id} is ${state} and cannot be ${what}.`, { outboxId: id, state });
}
