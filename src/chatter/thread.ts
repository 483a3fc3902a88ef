// Reading a record's thread as the acting user sees it (seed 000 §9, §10).
import { FacteurError } from '../errors.ts';
import type { Db } from '../db/database.ts';
import type { Actor } from './actor.ts';
import type { ChatterDeps } from './deps.ts';
import { followedSubtypeIds } from './followers.store.ts';
import { requireRecord, type RecordRef } from './lookups.ts';
import {
  findAttachment,
  listAttachmentsOf,
  listNotificationsOf,
  listRecipientsOf,
  listThreadMessages,
  type AttachmentRow,
  type MessageNotificationRow,
  type ThreadMessageRow,
} from './messages.store.ts';
import { findRecordById } from './records.store.ts';
import { canSeeMessage, canSeeRecipient, type Viewer } from './rules/visibility.ts';
import { listSubtypes } from './subtypes.store.ts';

export interface ThreadMessage extends ThreadMessageRow {
  subtype: { code: string; name: string; internal: boolean } | null;
  recipients: { partnerId: number; name: string; reason: 'explicit' | 'mention' }[];
  notifications: Omit<MessageNotificationRow, 'messageId'>[];
  attachments: Omit<AttachmentRow, 'messageId' | 'sha256'>[];
}

export interface Thread {
  /** The id live updates name the record by (GET /api/live). */
  recordId: number;
  messages: ThreadMessage[];
  /** Pass as `before` to read older messages; null when there are none. */
  nextBefore: number | null;
}

async function viewerOf(db: Db, actor: Actor, recordId: number): Promise<Viewer> {
  if (actor.kind === 'system') return { kind: 'system' };
  const { user } = actor;
  const followed = user.role === 'portal' ? await followedSubtypeIds(db, recordId, user.partnerId) : [];
  return { kind: 'user', role: user.role, partnerId: user.partnerId, followedSubtypeIds: new Set(followed) };
}

export async function readThread(
  deps: ChatterDeps,
  actor: Actor,
  ref: RecordRef,
  page: { limit: number; before?: number | undefined; ids?: number[] | undefined },
): Promise<Thread> {
  const record = await requireRecord(deps.db, ref);
  const viewer = await viewerOf(deps.db, actor, record.id);
  const subtypes = new Map((await listSubtypes(deps.db)).map((s) => [s.id, s]));
  const rows = await listThreadMessages(deps.db, record.id, { limit: page.limit, beforeId: page.before, ids: page.ids });
  const visible = rows.filter((m) => canSeeMessage(viewer, { subtypeId: m.subtypeId, subtypeInternal: subtypes.get(m.subtypeId ?? -1)?.internal ?? false }));
  const ids = visible.map((m) => m.id);
  const [notifications, recipients, attachments] = await Promise.all([
    listNotificationsOf(deps.db, ids),
    listRecipientsOf(deps.db, ids),
    listAttachmentsOf(deps.db, ids),
  ]);
  const messages = visible.map((m): ThreadMessage => {
    const subtype = m.subtypeId === null ? undefined : subtypes.get(m.subtypeId);
    return {
      ...m,
      subtype: subtype ? { code: subtype.code, name: subtype.name, internal: subtype.internal } : null,
      recipients: recipients
        .filter((r) => r.messageId === m.id && canSeeRecipient(viewer, r.partnerId))
        .map((r) => ({ partnerId: r.partnerId, name: r.partnerName, reason: r.reason })),
      notifications: notifications
        .filter((n) => n.messageId === m.id && canSeeRecipient(viewer, n.partnerId))
        .map(({ messageId: _messageId, ...n }) => n),
      attachments: attachments.filter((a) => a.messageId === m.id).map(({ messageId: _m, sha256: _s, ...a }) => a),
    };
  });
  return { recordId: record.id, messages, nextBefore: rows.length === page.limit ? rows[rows.length - 1]!.id : null };
}

/** An attachment's content, for whoever may see the message it belongs to. */
export async function downloadAttachment(deps: ChatterDeps, actor: Actor, id: number) {
  const attachment = await findAttachment(deps.db, id);
  const notFound = new FacteurError('ATTACHMENT_NOT_FOUND', `No attachment has id ${id}.`, { attachmentId: id });
  if (!attachment) throw notFound;
  const viewer = await viewerOf(deps.db, actor, attachment.recordId);
  const subtype = (await listSubtypes(deps.db)).find((s) => s.id === attachment.messageSubtypeId);
  // What a viewer may not see does not exist for them.
  if (!canSeeMessage(viewer, { subtypeId: attachment.messageSubtypeId, subtypeInternal: subtype?.internal ?? false })) throw notFound;
  const record = await findRecordById(deps.db, attachment.recordId);
  return { ...attachment, record: record && { model: record.model, resId: record.resId } };
}
