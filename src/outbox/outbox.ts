import { requireInternal, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import type { OutboxState } from '../db/schema.ts';
import { listOutbox, type OutboxRow } from './outbox.store.ts';

export async function readOutbox(
  deps: ChatterDeps,
  actor: Actor,
  filter: { state?: OutboxState | undefined; messageId?: number | undefined; limit: number; before?: number | undefined },
): Promise<OutboxRow[]> {
  requireInternal(actor, 'read the send queue');
  return listOutbox(deps.db, { ...filter, beforeId: filter.before });
}
