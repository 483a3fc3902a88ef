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
import { insertAttachments, insertMessage, insertMessageRecipients, insertNotifications, type NewAttachment } from './messages.store.ts';
import type { PartnerRow } from './partners.store.ts';
import { isBlank, sanitizeBody } from './rules/html.ts';
import { parseMentions, renderMentions } from './rules/mentions.ts';
import { decideRecipients, type Addressee } from './rules/recipients.ts';
import { defaultSubtypeIds } from './rules/subscriptions.ts';
import { listSubtypes } from './subtypes.store.ts';

/** Beyond this, a "mention" is a mailing: follow the record or use a campaign instead. */
const MAX_MENTIONS = 1000;

export interface PostInput {
  kind: 'comment' | 'note' | 'notification';
  /** HTML; mentions are written @[Name](partner:ID). */
  body: string;
  subject?: string | null | undefined;
  /** Subtype code; `discussion` for a message and `note` for a note when absent. */
  subtype?: string | undefined;
  /** Partners added in the composer: notified, and made followers (seed 000 §7.2–7.3). */
  recipientIds?: number[] | undefined;
  /** Who the post is from, when the host application posts for someone (system calls only). */
  authorPartnerId?: number | null | undefined;
  attachments?: { filename: string; contentType: string; content: Uint8Array; contentId?: string | null }[] | undefined;
  /**
   * A message that came in by email (the inbound gateway, system calls only): its body is already
   * sanitised and is never read for mentions — a stranger's text must not notify anyone.
   */
  email?: { from: string; fromNormalized: string; rfcMessageId: string; parentMessageId: number | null } | undefined;
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

export async function postMessage(deps: ChatterDeps, actor: Actor, ref: RecordRef, input: PostInput): Promise<PostedMessage> {
  const isNote = input.kind === 'note';
  const recipientIds = input.recipientIds ?? [];
  if (isNote && recipientIds.length > 0) {
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
  if (input.email && actor.kind !== 'system') throw new FacteurError('FORBIDDEN', 'Only the inbound gateway posts messages received by email.');
  const mentions = input.email ? [] : parseMentions(input.body);
  if (mentions.length > MAX_MENTIONS) {
    throw new FacteurError('VALIDATION_FAILED', `A message may mention at most ${MAX_MENTIONS} partners; this one mentions ${mentions.length}. Add followers instead.`);
  }
  const bodyHtml = input.email ? input.body : sanitizeBody(renderMentions(input.body));
  const authorPartnerId = authorOf(actor, input);

  const result = await deps.db.transaction().execute(async (tx) => {
    const record = await requireRecord(tx, ref);
    const subtypes = await listSubtypes(tx);
    const subtype = subtypeByCode(subtypes, input.subtype ?? (isNote ? 'note' : 'discussion'), record.model);
    if (isNote && !subtype.internal) {
      throw new FacteurError('VALIDATION_FAILED', `A note needs an internal subtype; "${subtype.code}" is not internal.`);
    }
    if (actor.kind === 'user' && actor.user.role === 'portal' && (isNote || subtype.internal)) {
      throw new FacteurError('PORTAL_CANNOT_LOG_NOTE', 'Portal users cannot log notes or post with an internal subtype; they can send messages.');
    }
    if (authorPartnerId !== null) await requirePartners(tx, [authorPartnerId]);
    const explicit = await requirePartners(tx, recipientIds);
    const mentioned = await requirePartners(tx, mentions.map((m) => m.partnerId), 'UNKNOWN_MENTION');

    const rfcMessageId = input.email?.rfcMessageId ?? (await newMessageId(tx, record.companyId));
    const message = await insertMessage(tx, {
      recordId: record.id,
      kind: input.kind,
      subtypeId: subtype.id,
      authorPartnerId,
      emailFrom: input.email?.from ?? null,
      emailFromNormalized: input.email?.fromNormalized ?? null,
      subject: input.subject ?? null,
      bodyHtml,
      rfcMessageId,
      parentMessageId: input.email?.parentMessageId ?? null,
    });

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
    await insertAttachments(tx, message.id, attachments);
    // Inbox notifications are delivered as soon as they exist; emails wait for the outbox worker.
    await insertNotifications(
      tx,
      message.id,
      decision.recipients.map((r) => ({ partnerId: r.partnerId, channel: r.channel, status: r.channel === 'inbox' ? 'sent' : 'ready' })),
    );
    const emails = await enqueueEmailNotifications(tx, message.id);
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
