// Seed 000 §10: a message is for everyone who can see the record; a note (or any internal subtype)
// is for internal users only, unless an external partner explicitly follows that subtype.
import type { UserRole } from '../../db/schema.ts';

export type Viewer =
  | { kind: 'system' }
  | { kind: 'user'; role: UserRole; partnerId: number; followedSubtypeIds: ReadonlySet<number> };

export function canSeeMessage(viewer: Viewer, message: { subtypeId: number | null; subtypeInternal: boolean }): boolean {
  if (viewer.kind === 'system' || viewer.role === 'internal') return true;
  if (!message.subtypeInternal) return true;
  return message.subtypeId !== null && viewer.followedSubtypeIds.has(message.subtypeId);
}

/** Seed 000 §9: external recipients do not know who else was notified. */
export function canSeeRecipient(viewer: Viewer, recipientPartnerId: number): boolean {
  if (viewer.kind === 'system' || viewer.role === 'internal') return true;
  return recipientPartnerId === viewer.partnerId;
}
