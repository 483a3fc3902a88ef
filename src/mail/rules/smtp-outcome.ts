// What a failed send means for its outbox entry: retry later, or fail with one of Odoo's failure
// types (DESIGN "Vocabulary"). The reply code decides first, as RFC 5321 §4.2.1 defines it: 2yz
// positive, 4yz "transient negative completion" (the same command may succeed later), 5yz
// "permanent negative completion" (it will not). Without a reply, nodemailer's error `code` says
// what went wrong locally or on the wire (its dist/esm/errors.js lists them).

export type FailureType =
  | 'mail_smtp'
  | 'mail_email_invalid'
  | 'mail_email_missing'
  | 'mail_from_invalid'
  | 'mail_from_missing'
  | 'mail_bl'
  | 'mail_bounce'
  | 'unknown';

export interface SmtpErrorLike {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message: string;
}

export type SendOutcome =
  | { kind: 'retry'; failureType: 'mail_smtp'; reason: string }
  | { kind: 'failed'; failureType: FailureType; reason: string };

/** The connection or the network failed, not the message: nodemailer's codes and Node's own. */
const TRANSIENT = new Set([
  'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'EABORT', 'EMAXLIMIT', 'EPROXY',
  'EOAUTH2', 'EFETCH', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
]);
/** Configuration or credentials: retrying the same message will not help until someone acts. */
const PERMANENT = new Set([
  'EAUTH', 'ENOAUTH', 'EMESSAGE', 'EREQUIRETLS', 'EMAXRECIPIENTS', 'ECONFIG', 'EFILEACCESS', 'EURLACCESS', 'ERR_ACCESS_DENIED',
]);
const REASON_MAX = 1000;

export function classifySmtpError(error: SmtpErrorLike): SendOutcome {
  const reason = reasonOf(error);
  const retry: SendOutcome = { kind: 'retry', failureType: 'mail_smtp', reason };
  const failed = (failureType: FailureType): SendOutcome => ({ kind: 'failed', failureType, reason });
  const reply = replyCode(error);
  const command = (error.command ?? '').toUpperCase();
  if (reply !== null && reply >= 400 && reply < 500) return retry;
  if (reply !== null && reply >= 500) {
    // 503 "bad sequence of commands" blames the session, not the message: a new one may succeed
    // (nodemailer's isPermanentResponseCode agrees).
    if (reply === 503) return retry;
    // RFC 4954 §6: 530 "Authentication required" and 535 are credentials, whatever the command.
    if (reply === 530 || error.code === 'EAUTH' || command.startsWith('AUTH')) return failed('mail_smtp');
    if (command.startsWith('RCPT')) return failed('mail_email_invalid');
    // RFC 1870 §6.1: 552 on MAIL FROM is the SIZE limit, not the sender.
    if (command.startsWith('MAIL')) return failed(reply === 552 ? 'mail_smtp' : 'mail_from_invalid');
    return failed('mail_smtp');
  }
  const code = error.code ?? '';
  if (TRANSIENT.has(code)) return retry;
  if (code === 'EENVELOPE') return failed(envelopeFailure(command, error.message));
  if (PERMANENT.has(code)) return failed('mail_smtp');
  return failed('unknown');
}

/**
 * nodemailer's success info for a message whose recipients were all rejected, which transports
 * other than SMTP may report without an error: treated like the RCPT reply of the first rejection
 * (a temporary one first, as nodemailer does). Null when someone accepted it, or nobody was rejected.
 */
export function classifySendInfo(info: { accepted?: readonly unknown[]; rejected?: readonly unknown[]; rejectedErrors?: readonly SmtpErrorLike[] }): SendOutcome | null {
  if ((info.accepted?.length ?? 0) > 0 || (info.rejected?.length ?? 0) === 0) return null;
  const errors = info.rejectedErrors ?? [];
  const first = errors.find((e) => { const r = replyCode(e); return r !== null && r < 500; }) ?? errors[0];
  return classifySmtpError({ ...first, code: first?.code ?? 'EENVELOPE', command: first?.command ?? 'RCPT TO', message: first?.message ?? 'Recipient rejected' });
}

/** nodemailer's own EENVELOPE checks (command 'API') and rejections that came without a reply. */
function envelopeFailure(command: string, message: string): FailureType {
  if (command.startsWith('RCPT') || /invalid recipient/i.test(message)) return 'mail_email_invalid';
  if (/no recipients/i.test(message)) return 'mail_email_missing';
  if (command.startsWith('MAIL') || /invalid sender/i.test(message)) return 'mail_from_invalid';
  return 'mail_smtp';
}

function replyCode(error: SmtpErrorLike): number | null {
  if (error.responseCode !== undefined && Number.isInteger(error.responseCode)) return error.responseCode;
  const parsed = /^\s*([2-5]\d\d)(?:[ -]|$)/.exec(error.response ?? '')?.[1];
  return parsed === undefined ? null : Number(parsed);
}

/** The server's own words, on one line (multi-line replies, RFC 5321 §4.2.1, are joined), ≤ 1,000 chars. */
function reasonOf(error: SmtpErrorLike): string {
  const words = error.response !== undefined && error.response.trim() !== '' ? error.response : error.message;
  const line = words.replace(/\s*[\r\n]+\s*/g, ' ').trim() || error.code || 'unknown error';
  if (line.length <= REASON_MAX) return line;
  const cut = line.slice(0, REASON_MAX - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}
