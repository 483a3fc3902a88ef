// What a bounce says: which of our emails failed, for whom, and why. Delivery reports (RFC 3464)
// carry it in fields; MTAs that write prose (Exim, old Sendmail) quote our headers in their text,
// so the returned text is searched for our own identifiers.

export interface BounceFacts {
  /** Outbox entries named by our X-Message-Id (`<facteur-outbox-{id}@…>`), most reliable first. */
  outboxIds: number[];
  /** Message-IDs found in the returned headers: ours identify the message, the recipient the entry. */
  messageIds: string[];
  /** The address that failed, lowercased, when the report says it. */
  recipient: string | null;
  /** In the remote server's words when it gave them. */
  diagnostic: string;
}

const OUTBOX_ID = /facteur-outbox-(\d+)@/gi;
const MESSAGE_ID_HEADER = /^message-id:\s*(<[^<>\s]+>)/gim;
const QMAIL_FAILURE = /^<[^<>\s]+@[^<>\s]+>:\s*\r?\n(.+)$/m;
const SMTP_REPLY = /\b[45]\d\d[ -](?:[45]\.\d{1,3}\.\d{1,3}\b)?.*$/m;

export function readBounce(input: { deliveryStatus: string | null; returnedMessage: string | null; text: string | null }): BounceFacts {
  const fields = input.deliveryStatus ? deliveryStatusFields(input.deliveryStatus) : new Map<string, string>();
  const searched = [input.returnedMessage, input.text, input.deliveryStatus].filter((s): s is string => s !== null).join('\n');
  const outboxIds = [...new Set([...searched.matchAll(OUTBOX_ID)].map((m) => Number(m[1])))];
  const messageIds = [...new Set([...searched.matchAll(MESSAGE_ID_HEADER)].map((m) => m[1]!))];
  return { outboxIds, messageIds, recipient: recipientOf(fields, input.text), diagnostic: diagnosticOf(fields, input.text) };
}

/**
 * RFC 3464 §2.1: per-message fields, a blank line, then per-recipient fields — header-like lines.
 * The first recipient block is the one read (our emails have one recipient each).
 */
export function deliveryStatusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (match && !fields.has(match[1]!.toLowerCase())) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  return fields;
}

function recipientOf(fields: Map<string, string>, text: string | null): string | null {
  // RFC 3464 §2.3.2: "Final-Recipient: rfc822; user@host"
  for (const key of ['final-recipient', 'original-recipient', 'x-failed-recipients']) {
    const value = fields.get(key);
    if (value) return addressIn(value);
  }
  // Exim: "X-Failed-Recipients:" is a header of the bounce itself; its text lists the address indented.
  const indented = text ? (/^\s{2,}(\S+@\S+?)\s*$/m.exec(text)?.[1] ?? /^<([^<>\s]+@[^<>\s]+)>:\s*$/m.exec(text)?.[1]) : undefined;
  return indented ? addressIn(indented) : null;
}

function diagnosticOf(fields: Map<string, string>, text: string | null): string {
  const code = fields.get('diagnostic-code');
  if (code) return code.replace(/^smtp;\s*/i, '').trim();
  const fromText = text ? SMTP_REPLY.exec(text)?.[0]?.trim() : undefined;
  if (fromText) return fromText;
  // qmail: "<user@host>:" then the remote's words on the next line.
  const qmail = text ? QMAIL_FAILURE.exec(text)?.[1]?.trim() : undefined;
  if (qmail) return qmail;
  const status = fields.get('status');
  if (status) return `status ${status}${fields.get('action') ? ` (${fields.get('action')})` : ''}`;
  return 'the receiving server reported a delivery failure without details';
}

function addressIn(value: string): string | null {
  const address = /([^\s;<>"]+@[^\s;<>"]+)/.exec(value)?.[1];
  return address ? address.toLowerCase() : null;
}
