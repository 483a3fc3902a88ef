// The inbox of internal users who chose "inbox" as their notification preference (seed 000 §1.5, §2.3).
import { FacteurError } from '../errors.ts';
import type { Actor } from './actor.ts';
import { announce } from '../live/live.store.ts';
import type { ChatterDeps } from './deps.ts';
import { countUnread, listInbox, markInboxRead, type InboxItemRow } from './inbox.store.ts';
import { requireUser } from './lookups.ts';

function checkOwnInbox(actor: Actor, userId: number): void {
  if (actor.kind === 'user' && actor.user.id !== userId) {
    throw new FacteurError('FORBIDDEN', 'A user can only read their own inbox.');
  }
}

export async function readInbox(
  deps: ChatterDeps,
  actor: Actor,
  userId: number,
  filter: { unreadOnly: boolean; limit: number; before?: number | undefined },
): Promise<{ unread: number; items: InboxItemRow[]; nextBefore: number | null }> {
  checkOwnInbox(actor, userId);
  const user = await requireUser(deps.db, userId);
  const items = await listInbox(deps.db, user.partnerId, { unreadOnly: filter.unreadOnly, limit: filter.limit, beforeId: filter.before });
  return {
    unread: await countUnread(deps.db, user.partnerId),
    items,
    nextBefore: items.length === filter.limit ? items[items.length - 1]!.notificationId : null,
  };
}

/** Marks the given notifications read, or the whole inbox when none are named. */
export async function markRead(deps: ChatterDeps, actor: Actor, userId: number, notificationIds?: number[]): Promise<{ marked: number; unread: number }> {
  checkOwnInbox(actor, userId);
  const user = await requireUser(deps.db, userId);
  const marked = await markInboxRead(deps.db, user.partnerId, notificationIds);
  if (marked > 0) await announce(deps.db, { topics: ['inbox'] });
  return { marked, unread: await countUnread(deps.db, user.partnerId) };
}
