import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { anyId } from '../db/ids.ts';
import type { MessageKind, NotificationChannel, NotificationStatus } from '../db/schema.ts';

export interface NewMessage {
  recordId: number;
  kind: MessageKind;
  subtypeId: number;
  authorPartnerId: number | null;
  emailFrom: string | null;
  subject: string | null;
  bodyHtml: string;
  rfcMessageId: string;
  parentMessageId: number | null;
  /** The sender's address, for messages that came by email (the sender-loop limit counts them). */
  emailFromNormalized?: string | null | undefined;
}

export interface NewAttachment {
  filename: string;
  contentType: string;
  sha256: string;
  content: Uint8Array;
  /** An inline image's Content-ID, which the body refers to as cid:… */
  contentId?: string | null | undefined;
}

/**
 * Inserts the messages in one statement; returns each one's id and time, in the order given. Their
 * Message-IDs are unique (the table says so), which is how the rows are matched back.
 */
export async function insertMessages(db: Db, messages: NewMessage[]): Promise<{ id: number; createdAt: Date }[]> {
  if (messages.length === 0) return [];
  const rows = await db
    .insertInto('messages')
    .values(
      messages.map((message) => ({
        record_id: message.recordId,
        kind: message.kind,
        subtype_id: message.subtypeId,
        author_partner_id: message.authorPartnerId,
        email_from: message.emailFrom,
        subject: message.subject,
        body_html: message.bodyHtml,
        rfc_message_id: message.rfcMessageId,
        parent_message_id: message.parentMessageId,
        email_from_normalized: message.emailFromNormalized ?? null,
      })),
    )
    .returning(['id', 'created_at', 'rfc_message_id'])
    .execute();
  const byRfcId = new Map(rows.map((r) => [r.rfc_message_id, { id: r.id, createdAt: r.created_at }]));
  return messages.map((m) => byRfcId.get(m.rfcMessageId)!);
}

export async function insertMessageRecipients(
  db: Db,
  messageId: number,
  recipients: { partnerId: number; reason: 'explicit' | 'mention' }[],
): Promise<void> {
  if (recipients.length === 0) return;
  await sql`
    INSERT INTO message_recipients (message_id, partner_id, reason)
    SELECT ${messageId}, partner_id, reason
    FROM unnest(${recipients.map((r) => r.partnerId)}::bigint[], ${recipients.map((r) => r.reason)}::text[]) AS t(partner_id, reason)
    ON CONFLICT DO NOTHING`.execute(db);
}

/** The attachments of one or more messages: each content stored once (by its SHA-256), then the links. */
export async function insertAttachments(db: Db, attachments: (NewAttachment & { messageId: number })[]): Promise<void> {
  if (attachments.length === 0) return;
  // Sorted by hash: two transactions storing the same contents take their row locks in the same order.
  const contents = [...new Map(attachments.map((a) => [a.sha256, a])).values()].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  await db
    .insertInto('attachment_contents')
    .values(contents.map((a) => ({ sha256: a.sha256, size: a.content.byteLength, content: a.content })))
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  await db
    .insertInto('attachments')
    .values(attachments.map((a) => ({ message_id: a.messageId, filename: a.filename, content_type: a.contentType, sha256: a.sha256, content_id: a.contentId ?? null })))
    .execute();
}

/** One statement for all notifications of one or many posts, however many recipients (DESIGN "Performance"). */
export async function insertNotifications(
  db: Db,
  notifications: { messageId: number; partnerId: number; channel: NotificationChannel; status: NotificationStatus }[],
): Promise<void> {
  if (notifications.length === 0) return;
  await sql`
    INSERT INTO notifications (message_id, partner_id, channel, status)
    SELECT message_id, partner_id, channel, status
    FROM unnest(${notifications.map((n) => n.messageId)}::bigint[],
                ${notifications.map((n) => n.partnerId)}::bigint[],
                ${notifications.map((n) => n.channel)}::text[],
                ${notifications.map((n) => n.status)}::text[]) AS t(message_id, partner_id, channel, status)`.execute(db);
}

export interface ThreadMessageRow {
  id: number;
  kind: MessageKind;
  subtypeId: number | null;
  authorPartnerId: number | null;
  authorName: string | null;
  emailFrom: string | null;
  subject: string | null;
  bodyHtml: string;
  rfcMessageId: string;
  parentMessageId: number | null;
  createdAt: Date;
}

export async function listThreadMessages(
  db: Db,
  recordId: number,
  page: { limit: number; beforeId?: number | undefined; ids?: number[] | undefined },
): Promise<ThreadMessageRow[]> {
  let query = db
    .selectFrom('messages as m')
    .leftJoin('partners as a', 'a.id', 'm.author_partner_id')
    .select([
      'm.id',
      'm.kind',
      'm.subtype_id',
      'm.author_partner_id',
      'a.name as author_name',
      'm.email_from',
      'm.subject',
      'm.body_html',
      'm.rfc_message_id',
      'm.parent_message_id',
      'm.created_at',
    ])
    .where('m.record_id', '=', recordId)
    .orderBy('m.id', 'desc')
    .limit(page.limit);
  if (page.beforeId !== undefined) query = query.where('m.id', '<', page.beforeId);
  if (page.ids !== undefined) query = query.where('m.id', '=', anyId(page.ids));
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    subtypeId: r.subtype_id,
    authorPartnerId: r.author_partner_id,
    authorName: r.author_name,
    emailFrom: r.email_from,
    subject: r.subject,
    bodyHtml: r.body_html,
    rfcMessageId: r.rfc_message_id,
    parentMessageId: r.parent_message_id,
    createdAt: r.created_at,
  }));
}

export interface MessageNotificationRow {
  id: number;
  messageId: number;
  partnerId: number;
  partnerName: string;
  channel: NotificationChannel;
  status: NotificationStatus;
  failureType: string | null;
  failureReason: string | null;
  readAt: Date | null;
}

export async function listNotificationsOf(db: Db, messageIds: number[]): Promise<MessageNotificationRow[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('notifications as n')
    .innerJoin('partners as p', 'p.id', 'n.partner_id')
    .select(['n.id', 'n.message_id', 'n.partner_id', 'p.name', 'n.channel', 'n.status', 'n.failure_type', 'n.failure_reason', 'n.read_at'])
    .where('n.message_id', '=', anyId(messageIds))
    .orderBy('n.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    partnerId: r.partner_id,
    partnerName: r.name,
    channel: r.channel,
    status: r.status,
    failureType: r.failure_type,
    failureReason: r.failure_reason,
    readAt: r.read_at,
  }));
}

export async function listRecipientsOf(
  db: Db,
  messageIds: number[],
): Promise<{ messageId: number; partnerId: number; partnerName: string; reason: 'explicit' | 'mention' }[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('message_recipients as r')
    .innerJoin('partners as p', 'p.id', 'r.partner_id')
    .select(['r.message_id', 'r.partner_id', 'p.name', 'r.reason'])
    .where('r.message_id', '=', anyId(messageIds))
    .execute();
  return rows.map((r) => ({ messageId: r.message_id, partnerId: r.partner_id, partnerName: r.name, reason: r.reason }));
}

export interface AttachmentRow {
  id: number;
  messageId: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

export async function listAttachmentsOf(db: Db, messageIds: number[]): Promise<AttachmentRow[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('attachments as a')
    .innerJoin('attachment_contents as c', 'c.sha256', 'a.sha256')
    .select(['a.id', 'a.message_id', 'a.filename', 'a.content_type', 'c.size', 'a.sha256'])
    .where('a.message_id', '=', anyId(messageIds))
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    filename: r.filename,
    contentType: r.content_type,
    size: r.size,
    sha256: r.sha256,
  }));
}

export async function findAttachment(
  db: Db,
  id: number,
): Promise<(AttachmentRow & { content: Uint8Array; recordId: number; messageSubtypeId: number | null }) | undefined> {
  const row = await db
    .selectFrom('attachments as a')
    .innerJoin('attachment_contents as c', 'c.sha256', 'a.sha256')
    .innerJoin('messages as m', 'm.id', 'a.message_id')
    .select(['a.id', 'a.message_id', 'a.filename', 'a.content_type', 'c.size', 'a.sha256', 'c.content', 'm.record_id', 'm.subtype_id'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      messageId: row.message_id,
      filename: row.filename,
      contentType: row.content_type,
      size: row.size,
      sha256: row.sha256,
      content: row.content,
      recordId: row.record_id,
      messageSubtypeId: row.subtype_id,
    }
  );
}

/** Attachments of the messages with their content, for the emails that carry them. */
export async function listAttachmentContentsOf(
  db: Db,
  messageIds: number[],
): Promise<{ messageId: number; filename: string; contentType: string; content: Uint8Array }[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('attachments as a')
    .innerJoin('attachment_contents as c', 'c.sha256', 'a.sha256')
    .select(['a.message_id', 'a.filename', 'a.content_type', 'c.content'])
    .where('a.message_id', '=', anyId(messageIds))
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({ messageId: r.message_id, filename: r.filename, contentType: r.content_type, content: r.content }));
}
