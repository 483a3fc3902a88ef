// Reading an inbound message with mailparser: the addresses and headers that route it, its bodies and
// attachments, and the parts of a delivery report (RFC 3464). Parsing never throws: a message
// mailparser cannot read is still kept, identified by a hash of its bytes.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { replyBody, type ReplyBody } from './rules/quote.ts';

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
  /** The text part (a delivery report's human-readable part is read from it). */
  text: string | null;
  /** What the message is posted with (rules/quote.ts), read here with the rest: it is parsing's other heavy half. */
  body: ReplyBody;
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

/**
 * `identity`: the bytes that identify a message without Message-ID — the message as its sender sent
 * it, without the trace fields a receiving server wrote above it (they change on every redelivery).
 */
export async function parseInbound(raw: Buffer, identity: Buffer = raw): Promise<ParsedInbound> {
  try {
    return readParsed(await simpleParser(raw, PARSER_OPTIONS), identity);
  } catch (error) {
    // mailparser gave up, or handed back a shape we did not expect: the message is kept all the same.
    return unreadable(identity, (error as Error).message);
  }
}

// keepDeliveryStatus: a report's message/delivery-status part stays a part (RFC 3464 fields), not text.
const PARSER_OPTIONS = { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, keepDeliveryStatus: true };

function readParsed(mail: ParsedMail, identity: Buffer): ParsedInbound {
  const headers = new Map<string, string>();
  for (const { key, line } of mail.headerLines) {
    if (!headers.has(key)) headers.set(key, withoutNul(unfold(line.slice(line.indexOf(':') + 1))));
  }
  // A part may come without a usable Content-Type (`Content-Type: ;`): RFC 2045 §5.2 says text/plain.
  const parts = mail.attachments.map((a) => ({ ...a, contentType: typeof a.contentType === 'string' && a.contentType !== '' ? withoutNul(a.contentType) : 'text/plain' }));
  const deliveryStatus = parts.find((a) => DELIVERY_STATUS_TYPES.has(a.contentType));
  const returned = parts.find((a) => RETURNED_MESSAGE_TYPES.has(a.contentType));
  const html = typeof mail.html === 'string' ? withoutNul(mail.html) : null;
  const text = mail.text === undefined ? null : withoutNul(mail.text);
  return {
    rfcMessageId: mail.messageId ? angle(withoutNul(mail.messageId)) : syntheticMessageId(identity),
    hasOwnMessageId: Boolean(mail.messageId),
    from: addressesOf(mail.from)[0] ?? null,
    to: addressesOf(mail.to),
    cc: addressesOf(mail.cc),
    deliveredTo: addressList(headerValues(mail, 'delivered-to')),
    returnPath: returnPathOf(headers.get('return-path')),
    subject: mail.subject === undefined ? null : withoutNul(mail.subject),
    inReplyTo: messageIds(mail.inReplyTo),
    references: messageIds(Array.isArray(mail.references) ? mail.references.join(' ') : mail.references),
    headers,
    contentType: headers.get('content-type') ?? 'text/plain',
    text,
    body: replyBody(html, text),
    attachments: parts
      .filter((a) => a !== deliveryStatus)
      .map((a) => ({
        filename: withoutNul(a.filename ?? defaultFilename(a.contentType)),
        contentType: a.contentType,
        content: a.content,
        contentId: a.contentId ? withoutNul(a.contentId.replace(/^<|>$/g, '')) : null,
      })),
    deliveryStatus: deliveryStatus ? withoutNul(deliveryStatus.content.toString('utf8')) : null,
    returnedMessage: returned ? withoutNul(returned.content.toString('utf8')) : null,
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
    text: null,
    body: { html: '', blank: true },
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

/** The messages a reply names, nearest first: In-Reply-To, then References from the most recent. */
export function threadIdsOf(mail: Pick<ParsedInbound, 'inReplyTo' | 'references'>): string[] {
  return [...mail.inReplyTo, ...[...mail.references].reverse()];
}

/** RFC 5322 §3.6.4: msg-id lists; anything between angle brackets, whitespace or not. */
function messageIds(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return [...withoutNul(text).matchAll(/<[^<>\s]+>/g)].map((m) => m[0]);
}

/** The addresses of a parsed header (To, Cc, Reply-To…), groups flattened, lowercased. */
export function addressesOf(value: AddressObject | AddressObject[] | undefined): InboundAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const flat = (entries: AddressObject['value']): InboundAddress[] =>
    entries.flatMap((e) => (e.group ? flat(e.group) : e.address ? [{ address: withoutNul(e.address.toLowerCase()), name: withoutNul(e.name ?? '') }] : []));
  return objects.flatMap((o) => flat(o.value));
}

function headerValues(mail: ParsedMail, key: string): string[] {
  return mail.headerLines.filter((h) => h.key === key).map((h) => unfold(h.line.slice(h.line.indexOf(':') + 1)));
}

function addressList(values: string[]): string[] {
  return values.flatMap((v) => addressparser(v).flatMap((a) => ('address' in a && a.address ? [withoutNul(a.address.toLowerCase())] : [])));
}

function returnPathOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  return withoutNul(value.trim().replace(/^<|>$/g, '').toLowerCase());
}

/** PostgreSQL text cannot hold NUL (U+0000): a message carrying some is still stored and routed, without them. */
function withoutNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').trim();
}

function defaultFilename(contentType: string): string {
  return contentType.startsWith('image/') ? `image.${contentType.slice(6)}` : 'attachment';
}
