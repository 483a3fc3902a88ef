// The reply token (DESIGN "reply token"; seed 001 §5.1, §5.5, §7): the Reply-To local part
// `reply+{hex("{resId}-{model}")}.{signature}` that brings an answer back to its record's thread.
// Followed from seed 001 where it is precise:
//  - §7.1 "Le payload `{id}-{model}` est encodé en hexadécimal (résistant à la normalisation
//    minuscules par les serveurs mail)": the payload is the UTF-8 of `{resId}-{model}`, in lowercase
//    hex, and we read tokens case-insensitively;
//  - §7.1 "signature → cb8e0be9 (8 premiers caractères HMAC-SHA256)": 8 hex characters.
// The seed does not say what is hashed; as DESIGN's format implies, the HMAC is over the hex payload.
// Its key is the caller's secret, used as given (UTF-8).
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'reply+';
/** Seed 001 §7.1: eight hex characters, the floor as well as the length we issue. */
const SIGNATURE_HEX = 8;
/** RFC 5321 §4.5.3.1.1: "The maximum total length of a user name or other local-part is 64 octets." */
const LOCAL_PART_MAX = 64;
/** Read: 8 to 64 hex characters (a whole SHA-256), so that longer signatures stay verifiable. */
const TOKEN = /^([0-9a-f]+)\.([0-9a-f]{8,64})$/;

export type ReplyTokenCheck =
  | { kind: 'none' }
  | { kind: 'valid'; model: string; resId: string }
  | { kind: 'invalid-signature' }
  | { kind: 'malformed' };

/**
 * `reply+<hex>.<sig>`, or null when no token can carry this record (the caller falls back to the
 * catchall): it would exceed 64 octets, or its model contains '-'. The payload is split at its
 * LAST '-' when read (host applications' ids, like `INV-2024-7`, may contain '-'; model names,
 * dotted like `sale.order`, normally do not), so a model with '-' could not be read back.
 */
export function replyTokenLocalPart(record: { model: string; resId: string }, secret: string): string | null {
  requireSecret(secret);
  if (record.model === '' || record.resId === '' || record.model.includes('-')) return null;
  const hex = Buffer.from(`${record.resId}-${record.model}`, 'utf8').toString('hex');
  const localPart = `${PREFIX}${hex}.${sign(hex, secret).slice(0, SIGNATURE_HEX)}`;
  return localPart.length <= LOCAL_PART_MAX ? localPart : null;
}

/** Reads a token from an address (`reply+…@domain`, `<reply+…@domain>`) or a bare local part. */
export function readReplyToken(address: string, secret: string): ReplyTokenCheck {
  requireSecret(secret);
  const localPart = localPartOf(address).toLowerCase();
  if (!localPart.startsWith(PREFIX)) return { kind: 'none' };
  const match = TOKEN.exec(localPart.slice(PREFIX.length));
  const hex = match?.[1];
  const signature = match?.[2];
  if (hex === undefined || signature === undefined || hex.length % 2 !== 0) return { kind: 'malformed' };
  // Constant time: both sides are ASCII hex of the same length, so the buffers are equal-length.
  const expected = Buffer.from(sign(hex, secret).slice(0, signature.length), 'ascii');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'ascii'))) return { kind: 'invalid-signature' };
  let payload: string;
  try {
    payload = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(hex, 'hex'));
  } catch {
    return { kind: 'malformed' };
  }
  const dash = payload.lastIndexOf('-');
  if (dash <= 0 || dash === payload.length - 1) return { kind: 'malformed' };
  return { kind: 'valid', resId: payload.slice(0, dash), model: payload.slice(dash + 1) };
}

/**
 * readReplyToken with several secrets: the installation's, and each Sweego server's outbound webhook
 * secret, which signs the tokens of mail sent through it (seed 001 §7.1). Valid if one of them signed it.
 */
export function readReplyTokenWithAny(address: string, secrets: readonly string[]): ReplyTokenCheck {
  let first: ReplyTokenCheck = { kind: 'none' };
  for (const [i, secret] of secrets.entries()) {
    const check = readReplyToken(address, secret);
    if (check.kind === 'valid' || check.kind === 'none' || check.kind === 'malformed') return check;
    if (i === 0) first = check;
  }
  return first;
}

function sign(hex: string, secret: string): string {
  return createHmac('sha256', secret).update(hex, 'ascii').digest('hex');
}

/** An empty key would make every token forgeable (DESIGN, Security: forged tokens are not routed). */
function requireSecret(secret: string): void {
  if (secret === '') throw new RangeError('The reply token secret is empty.');
}

function localPartOf(address: string): string {
  const trimmed = address.trim();
  const bracketed = /<([^<>]*)>$/.exec(trimmed)?.[1] ?? trimmed;
  const at = bracketed.lastIndexOf('@');
  return (at >= 0 ? bracketed.slice(0, at) : bracketed).trim();
}
