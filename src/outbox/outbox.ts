// The send queue as people drive it (seed 002 "file d'envoi"): list, counts, send now, retry, cancel.
// Seed 002's states map onto ours: pending → queued, sending → sending, sent → sent, error → exception,
// delivered → delivered (and canceled for what was withdrawn).
import { requireInternal, requireSystem, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { FacteurError } from '../errors.ts';
import type { MailDeps } from '../mail/deps.ts';
import { listOutbox, type OutboxFilter, type OutboxRow } from './outbox.store.ts';
import { cancelEntry, countByState, findEntryState, requeueFailed } from './queue.store.ts';
import type { BatchReport } from './send.ts';
import { drainQueue } from './worker.ts';

export async function readOutbox(
  deps: ChatterDeps,
  actor: Actor,
  filter: Omit<OutboxFilter, 'beforeId'> & { before?: number | undefined },
): Promise<OutboxRow[]> {
  requireInternal(actor, 'read the send queue');
  return listOutbox(deps.db, { ...filter, beforeId: filter.before });
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
