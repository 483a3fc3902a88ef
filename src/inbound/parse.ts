// Reading an inbound message with mailparser: the addresses and headers that route it, its bodies and
// attachments, and the parts of a delivery report (RFC 3464). Parsing never throws: a message
// mailparser cannot read is still kept, identified by a hash of its bytes.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';

export interface InboundAddress {
  /** Lowercased. */
  address: string;
  name: string;
}

export interface InboundAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Without angle brackets; set on inline parts the HTML refers to as cid:… */
  contentId: string | null;
}

export interface ParsedInbound {
  /** With angle brackets; `<sha256@facteur.invalid>` when the message has none. */
  rfcMessageId: string;
  hasOwnMessageId: boolean;
  from: InboundAddress | null;
  to: InboundAddress[];
  cc: InboundAddress[];
  deliveredTo: string[];
  /** The envelope sender a receiving MTA recorded (`<>` for bounces), lowercased, without brackets. */
  returnPath: string | null;
  subject: string | null;
  inReplyTo: string[];
  references: string[];
  /** Lowercased header name → its first value, unfolded. */
  headers: Map<string, string>;
  /** e.g. `multipart/report; report-type=delivery-status` */
  contentType: string;
  html: string | null;
  text: string | null;
  attachments: InboundAttachment[];
  /** The `message/delivery-status` part of a delivery report. */
  deliveryStatus: string | null;
  /** The returned message or its headers (`message/rfc822`, `text/rfc822-headers`); a forwarded message is one too, and stays an attachment. */
  returnedMessage: string | null;
  /** Why mailparser could not read the message, when it could not. */
  parseError: string | null;
}

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_MESSAGE_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

export async function parseInbound(raw: Buffer): Promise<ParsedInbound> {
  let mail: ParsedMail;
  try {
    // keepDeliveryStatus: a report's message/delivery-status part stays a part (RFC 3464 fields), not text.
    mail = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, keepDeliveryStatus: true });
  } catch (error) {
    return unreadable(raw, (error as Error).message);
  }
  const headers = new Map<string, string>();
  for (const { key, line } of mail.headerLines) {
    if (!headers.has(key)) headers.set(key, unfold(line.slice(line.indexOf(':') + 1)));
  }
  const deliveryStatus = mail.attachments.find((a) => DELIVERY_STATUS_TYPES.has(a.contentType));
  const returned = mail.attachments.find((a) => RETURNED_MESSAGE_TYPES.has(a.contentType));
  return {
    rfcMessageId: mail.messageId ? angle(mail.messageId) : syntheticMessageId(raw),
    hasOwnMessageId: Boolean(mail.messageId),
    from: addressesOf(mail.from)[0] ?? null,
    to: addressesOf(mail.to),
    cc: addressesOf(mail.cc),
    deliveredTo: addressList(headerValues(mail, 'delivered-to')),
    returnPath: returnPathOf(headers.get('return-path')),
    subject: mail.subject ?? null,
    inReplyTo: messageIds(mail.inReplyTo),
    references: messageIds(Array.isArray(mail.references) ? mail.references.join(' ') : mail.references),
    headers,
    contentType: headers.get('content-type') ?? 'text/plain',
    html: typeof mail.html === 'string' ? mail.html : null,
    text: mail.text ?? null,
    attachments: mail.attachments
      .filter((a) => a !== deliveryStatus)
      .map((a) => ({
        filename: a.filename ?? defaultFilename(a.contentType),
        contentType: a.contentType,
        content: a.content,
        contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      })),
    deliveryStatus: deliveryStatus ? deliveryStatus.content.toString('utf8') : null,
    returnedMessage: returned ? returned.content.toString('utf8') : null,
    parseError: null,
  };
}

function unreadable(raw: Buffer, reason: string): ParsedInbound {
  return {
    rfcMessageId: syntheticMessageId(raw),
    hasOwnMessageId: false,
    from: null,
    to: [],
    cc: [],
    deliveredTo: [],
    returnPath: null,
    subject: null,
    inReplyTo: [],
    references: [],
    headers: new Map(),
    contentType: 'application/octet-stream',
    html: null,
    text: null,
    attachments: [],
    deliveryStatus: null,
    returnedMessage: null,
    parseError: reason,
  };
}

/** The same bytes get the same id: a message without Message-ID fetched twice is still stored once. */
function syntheticMessageId(raw: Buffer): string {
  return `<${createHash('sha256').update(raw).digest('hex')}@facteur.invalid>`;
}

function angle(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

/** RFC 5322 §3.6.4: msg-id lists; anything between angle brackets, whitespace or not. */
function messageIds(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return [...text.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]);
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): InboundAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const flat = (entries: AddressObject['value']): InboundAddress[] =>
    entries.flatMap((e) => (e.group ? flat(e.group) : e.address ? [{ address: e.address.toLowerCase(), name: e.name ?? '' }] : []));
  return objects.flatMap((o) => flat(o.value));
}

function headerValues(mail: ParsedMail, key: string): string[] {
  return mail.headerLines.filter((h) => h.key === key).map((h) => unfold(h.line.slice(h.line.indexOf(':') + 1)));
}

function addressList(values: string[]): string[] {
  return values.flatMap((v) => addressparser(v).flatMap((a) => ('address' in a && a.address ? [a.address.toLowerCase()] : [])));
}

function returnPathOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  return value.trim().replace(/^<|>$/g, '').toLowerCase();
}

function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').trim();
}

function defaultFilename(contentType: string): string {
  return contentType.startsWith('image/') ? `image.${contentType.slice(6)}` : 'attachment';
}
