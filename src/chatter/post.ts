// Posting a message or logging a note: DESIGN "Posting"; seed 000 §5, §7, §9, §10, §11.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import { enqueueEmailNotifications } from '../outbox/outbox.store.ts';
import type { Actor } from './actor.ts';
import { findCompanies } from './companies.store.ts';
import type { ChatterDeps } from './deps.ts';
import { addFollowers, followerPartnerIds, subscribedAddressees } from './followers.store.ts';
import { requirePartners, requireRecord, subtypeByCode, type RecordRef } from './lookups.ts';
import { insertAttachments, insertMessageRecipients, insertMessages, insertNotifications, type NewAttachment } from './messages.store.ts';
import type { PartnerRow } from './partners.store.ts';
import { isBlank, sanitizeBody } from './rules/html.ts';
import { parseMentions, renderMentions } from './rules/mentions.ts';
import { decideRecipients, type Addressee, type Recipient } from './rules/recipients.ts';
import { defaultSubtypeIds } from './rules/subscriptions.ts';
import { trackingHtml, type TrackedChange } from './rules/tracking.ts';
import { listSubtypes } from './subtypes.store.ts';

/** Beyond this, a "mention" is a mailing: follow the record or use a campaign instead. */
const MAX_MENTIONS = 1000;

export interface PostInput {
  kind: 'comment' | 'note' | 'notification' | 'tracking';
  /** HTML; mentions are written @[Name](partner:ID). For tracking, an optional comment under the changes. */
  body: string;
  /** Tracking only: the fields that changed, shown as tracking lines above the body. */
  changes?: TrackedChange[] | undefined;
  subject?: string | null | undefined;
  /** Subtype code; `discussion` for a message and `note` for a note when absent. */
  subtype?: string | undefined;
  /** Partners added in the composer: notified, and made followers (seed 000 §7.2–7.3). */
  recipientIds?: number[] | undefined;
  /** Who the post is from, when the host application posts for someone (system calls only). */
  authorPartnerId?: number | null | undefined;
  attachments?: { filename: string; contentType: string; content: Uint8Array; contentId?: string | null }[] | undefined;
}

export interface PostedMessage {
  id: number;
  rfcMessageId: string;
  kind: PostInput['kind'];
  subtype: string;
  createdAt: Date;
  notified: { inbox: number; email: number };
  newFollowerPartnerIds: number[];
}

/** Our own Message-ID (RFC 5322 §3.6.4), on the record's company's alias domain. */
async function newMessageId(db: Db, companyId: number | null): Promise<string> {
  const [company] = companyId === null ? [] : await findCompanies(db, [companyId]);
  return `<${randomUUID()}@${company?.aliasDomain?.domain ?? 'facteur.localhost'}>`;
}

/** Inbox notifications are delivered as soon as they exist; emails wait for the outbox worker. */
export function notificationsOf(messageId: number, recipients: Recipient[]) {
  return recipients.map((r) => ({ messageId, partnerId: r.partnerId, channel: r.channel, status: r.channel === 'inbox' ? ('sent' as const) : ('ready' as const) }));
}

function addresseeOf(partner: PartnerRow): Addressee {
  return { partnerId: partner.id, internalNotification: partner.userRole === 'internal' ? partner.notification : null };
}

function authorOf(actor: Actor, input: PostInput): number | null {
  if (actor.kind === 'user') {
    if (input.authorPartnerId != null && input.authorPartnerId !== actor.user.partnerId) {
      throw new FacteurError('FORBIDDEN', 'A user posts as themselves; only the host application may post for another author.');
    }
    return actor.user.partnerId;
  }
  return input.authorPartnerId ?? null;
}

export async function postMessage(deps: ChatterDeps, actor: Actor, ref: RecordRef, given: PostInput): Promise<PostedMessage> {
  const input = withTrackingLines(given);
  const isNote = input.kind === 'note';
  // Tracking is logged like a note (Odoo's default for tracked fields) unless a subtype is given.
  const loggedAsNote = isNote || input.kind === 'tracking';
  const recipientIds = input.recipientIds ?? [];
  if (loggedAsNote && recipientIds.length > 0) {
    throw new FacteurError(
      'NOTE_RECIPIENTS_NOT_ALLOWED',
      'A note is notified only to followers of "note" and to mentioned partners; mention someone with @[Name](partner:ID) instead of adding recipients.',
    );
  }
  if (isBlank(input.body) && !input.attachments?.length) {
    throw new FacteurError('EMPTY_MESSAGE', 'The message has no text and no attachment.');
  }
  const attachments: NewAttachment[] = (input.attachments ?? []).map((a) => ({
    ...a,
    sha256: createHash('sha256').update(a.content).digest('hex'),
  }));
  const mentions = parseMentions(input.body);
  if (mentions.length > MAX_MENTIONS) {
    throw new FacteurError('VALIDATION_FAILED', `A message may mention at most ${MAX_MENTIONS} partners; this one mentions ${mentions.length}. Add followers instead.`);
  }
  const bodyHtml = sanitizeBody(renderMentions(input.body));
  const authorPartnerId = authorOf(actor, input);

  const result = await deps.db.transaction().execute(async (tx) => {
    const record = await requireRecord(tx, ref);
    const subtypes = await listSubtypes(tx);
    const subtype = subtypeByCode(subtypes, input.subtype ?? (loggedAsNote ? 'note' : 'discussion'), record.model);
    if (isNote && !subtype.internal) {
      throw new FacteurError('VALIDATION_FAILED', `A note needs an internal subtype; "${subtype.code}" is not internal.`);
    }
    if (actor.kind === 'user' && actor.user.role === 'portal' && (loggedAsNote || subtype.internal)) {
      throw new FacteurError('PORTAL_CANNOT_LOG_NOTE', 'Portal users cannot log notes or post with an internal subtype; they can send messages.');
    }
    if (authorPartnerId !== null) await requirePartners(tx, [authorPartnerId]);
    const explicit = await requirePartners(tx, recipientIds);
    const mentioned = await requirePartners(tx, mentions.map((m) => m.partnerId), 'UNKNOWN_MENTION');

    const rfcMessageId = await newMessageId(tx, record.companyId);
    const message = (await insertMessages(tx, [{
      recordId: record.id,
      kind: input.kind,
      subtypeId: subtype.id,
      authorPartnerId,
      emailFrom: null,
      subject: input.subject ?? null,
      bodyHtml,
      rfcMessageId,
      parentMessageId: null,
    }]))[0]!;

    const decision = decideRecipients({
      subscribedFollowers: await subscribedAddressees(tx, record.id, subtype.id),
      explicitRecipients: explicit.map(addresseeOf),
      mentioned: mentioned.map(addresseeOf),
      followerPartnerIds: await followerPartnerIds(tx, record.id, [...explicit, ...mentioned].map((p) => p.id)),
      authorPartnerId,
    });
    const partnersById = new Map([...explicit, ...mentioned].map((p) => [p.id, p]));
    await addFollowers(
      tx,
      record.id,
      decision.newFollowerPartnerIds.map((partnerId) => ({
        partnerId,
        subtypeIds: defaultSubtypeIds(subtypes, record.model, partnersById.get(partnerId)!.userRole === 'internal'),
      })),
    );
    await insertMessageRecipients(tx, message.id, [
      ...explicit.map((p) => ({ partnerId: p.id, reason: 'explicit' as const })),
      ...mentioned.map((p) => ({ partnerId: p.id, reason: 'mention' as const })),
    ]);
    await insertAttachments(tx, attachments.map((a) => ({ ...a, messageId: message.id })));
    await insertNotifications(tx, notificationsOf(message.id, decision.recipients));
    const emails = await enqueueEmailNotifications(tx, [message.id], { records: [record.id] });
    return {
      id: message.id,
      rfcMessageId,
      kind: input.kind,
      subtype: subtype.code,
      createdAt: message.createdAt,
      notified: { inbox: decision.recipients.length - emails, email: emails },
      newFollowerPartnerIds: decision.newFollowerPartnerIds,
      recordId: record.id,
    };
  });
  const { recordId, ...posted } = result;
  deps.log.info({ messageId: posted.id, recordId, model: ref.model, resId: ref.resId, kind: posted.kind, ...posted.notified }, 'message posted');
  return posted;
}

/** A tracking post's changes become its first lines; any other kind may not carry changes. */
function withTrackingLines(input: PostInput): PostInput {
  const changes = input.changes ?? [];
  if (input.kind !== 'tracking') {
    if (changes.length > 0) throw new FacteurError('VALIDATION_FAILED', 'Only a tracking post (kind "tracking") carries changes.');
    return input;
  }
  if (changes.length === 0) throw new FacteurError('VALIDATION_FAILED', 'A tracking post names at least one change: [{ field, from, to }].');
  return { ...input, body: `${trackingHtml(changes)}${input.body}` };
}
