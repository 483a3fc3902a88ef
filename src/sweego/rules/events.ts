// What Sweego's outbound events mean for Facteur (seed 001 §5.4, §5.9, §6): read tolerantly, as
// providers/sweego.md advises (a single event or an array; `hard_bounce` or `hard-bounce`), and
// mapped to one action each. Shared by the webhook and the log sync, so both paths agree.
import libmime from 'libmime';
import { z } from 'zod';
import type { FailureType } from '../../mail/rules/smtp-outcome.ts';
import { outboxIdFromHeader } from '../../mail/rules/x-message-id.ts';

const eventSchema = z
  .object({
    event_type: z.string().optional(),
    /** The log API's field (seed 001 §6); webhooks say event_type. */
    status: z.string().nullish(),
    headers: z.record(z.string(), z.unknown()).nullish(),
    transaction_id: z.string().nullish(),
    swg_uid: z.string().nullish(),
    recipient: z.string().nullish(),
    email_to: z.string().nullish(),
    bounce_type: z.string().nullish(),
    response_code: z.union([z.number(), z.string()]).nullish(),
    details: z.string().nullish(),
    rejected: z.string().nullish(),
    deferred: z.string().nullish(),
  })
  .passthrough();

export type SweegoEvent = z.infer<typeof eventSchema>;

/** The events of a webhook body: one object or an array of them; what is not an object is left out. */
export function readEvents(body: unknown): SweegoEvent[] {
  const items = Array.isArray(body) ? body : [body];
  return items.flatMap((item) => {
    const parsed = eventSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The kind of an event, with Sweego's mixed separators made one: `soft-bounce` → `soft_bounce`. */
export function eventKind(event: SweegoEvent): string {
  return (event.event_type ?? event.status ?? '').trim().toLowerCase().replace(/-/g, '_');
}

/** What is recorded of a report after delivery: the partner unsubscribed, or the recipient opened or clicked (issue 5 §4). */
export type Engagement = 'unsubscribed' | 'open' | 'click';

export type EventAction =
  | { kind: 'log'; level: 'info' | 'warn' }
  /** Logged, and recorded. */
  | { kind: 'record'; what: Engagement }
  | { kind: 'confirm' }
  | { kind: 'undelivered'; failureType: FailureType }
  | { kind: 'ignore' };

/** Whether the action settles the email (it no longer waits for Sweego's confirmation). */
export function settles(action: EventAction): boolean {
  return action.kind === 'confirm' || action.kind === 'undelivered';
}

/**
 * Seed 001 §5.9 (webhook) and §6 (log sync, status `undelivered` read with its bounce type, §5.4).
 * Unknown kinds are ignored: Sweego may add events, and SMS events come to the same endpoint.
 */
export function actionFor(event: SweegoEvent): EventAction {
  switch (eventKind(event)) {
    case 'delivered':
      return { kind: 'confirm' };
    case 'soft_bounce':
      return { kind: 'undelivered', failureType: 'mail_smtp' };
    case 'hard_bounce':
      return { kind: 'undelivered', failureType: 'mail_email_invalid' };
    case 'undelivered':
      return { kind: 'undelivered', failureType: undeliveredFailure(event) };
    case 'complaint':
      return { kind: 'log', level: 'warn' };
    case 'email_sent':
      return { kind: 'log', level: 'info' };
    case 'list_unsub':
      return { kind: 'record', what: 'unsubscribed' };
    case 'email_opened':
      return { kind: 'record', what: 'open' };
    case 'email_clicked':
      return { kind: 'record', what: 'click' };
    default:
      return { kind: 'ignore' };
  }
}

/** Seed 001 §5.4: a log record `undelivered` — hard, soft, blacklisted, or unknown. */
function undeliveredFailure(event: SweegoEvent): FailureType {
  if (isBlacklisted(event)) return 'mail_bl';
  const bounce = (event.bounce_type ?? '').toLowerCase();
  if (bounce === 'hard') return 'mail_email_invalid';
  if (bounce === 'soft') return 'mail_smtp';
  return 'unknown';
}

/** The seed's `x-emails-blacklisted` marker is not publicly documented: looked for among headers and fields. */
function isBlacklisted(event: SweegoEvent): boolean {
  const marker = 'x-emails-blacklisted';
  const headers = event.headers ?? {};
  return Object.keys(headers).some((k) => k.toLowerCase() === marker) || Object.keys(event).some((k) => k.toLowerCase() === marker);
}

/**
 * The outbox entry an event is about, from our X-Message-Id echoed in its headers. Sweego's MTA may
 * have re-encoded a long value in RFC 2047 (seed 001 §5.1): decoded before it is read.
 */
export function outboxIdOf(event: SweegoEvent): number | null {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'x-message-id');
  const value = key === undefined ? undefined : headers[key];
  if (typeof value !== 'string') return null;
  return outboxIdFromHeader(decodeHeader(value));
}

function decodeHeader(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** The remote server's words for a failure: the MTA line's reply in parentheses, or the log's text. */
export function failureReason(event: SweegoEvent): string {
  const details = event.details ?? event.rejected ?? event.deferred ?? '';
  const reply = /\(([^()]*)\)\s*$/.exec(details)?.[1];
  const code = event.response_code != null ? String(event.response_code) : null;
  const text = (reply ?? details).trim();
  if (text !== '') return code && !text.startsWith(code) ? `${code} ${text}` : text;
  return `Sweego reported ${eventKind(event) || 'a failure'}${code ? ` (${code})` : ''}`;
}
