// What the host application reads to learn what Facteur did on its own (DESIGN "Inbound": a record
// created by an alias). Polled with the id of the last event seen: nothing is missed, nothing repeats.
import { requireSystem, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { listEvents, type EventRow } from './events.store.ts';

export type { EventRow };

export async function listEventsAfter(deps: ChatterDeps, actor: Actor, query: { after: number; limit: number; type?: string | undefined }): Promise<EventRow[]> {
  requireSystem(actor, 'read events');
  return listEvents(deps.db, query);
}
