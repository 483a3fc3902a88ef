// Talking to an IMAP server (imapflow): how to connect as an incoming server is configured, and what
// to tell a person when it fails — in the server's own words when it answered.
import { ImapFlow } from 'imapflow';
import type { ServerSecurity } from '../db/schema.ts';

/** What a connection needs to know of an incoming server, its password opened. */
export interface ImapAccount {
  id: number;
  host: string;
  port: number;
  security: ServerSecurity;
  username: string;
  password: string;
  folder: string;
}

export interface ImapClientOptions {
  /** Bounds the connection, the greeting and every silence of the server. */
  timeoutMs?: number;
}

/**
 * An imapflow client for this account, not yet connected. `tls` is TLS from the first byte (993);
 * `starttls` refuses to log in unless the upgrade succeeds; `none` never upgrades. Auto-IDLE is off:
 * a fetch says what it does, and the watcher idles on its own connection.
 */
export function imapClient(account: ImapAccount, options: ImapClientOptions = {}): ImapFlow {
  const timeout = options.timeoutMs ?? 60_000;
  const client = new ImapFlow({
    host: account.host,
    port: account.port,
    secure: account.security === 'tls',
    doSTARTTLS: account.security === 'starttls',
    auth: { user: account.username, pass: account.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: Math.min(timeout, 15_000),
    greetingTimeout: Math.min(timeout, 15_000),
    socketTimeout: timeout,
  });
  // A dropped connection is reported by the command that was waiting on it; without a listener, the
  // 'error' event would end the process.
  client.on('error', () => {});
  return client;
}

/** Why an IMAP exchange failed, for a person: the server's words when it answered, else what went wrong. */
export function imapFailureReason(error: unknown, account: Pick<ImapAccount, 'host' | 'port' | 'folder'>): string {
  const e = error as { authenticationFailed?: boolean; mailboxMissing?: boolean; responseText?: unknown; serverResponseCode?: unknown; code?: unknown; message?: unknown };
  const where = `${account.host}:${account.port}`;
  const words = serverWords(e);
  if (e.authenticationFailed) return `The server refused the login: ${words ?? 'authentication failed'}`;
  if (e.mailboxMissing) return `The folder "${account.folder}" does not exist on ${where}${words ? `: ${words}` : ''}`;
  if (words) return `The server said: ${words}`;
  const message = (typeof e.message === 'string' ? e.message : String(error)).trim();
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return `Nothing accepts connections at ${where} (connection refused): check the host and the port.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The host name ${account.host} cannot be resolved (${message}).`;
  if (/TIMEOUT/i.test(code) || /timed? ?out/i.test(message)) return `${where} did not answer in time (${message}): check the host, the port and any firewall.`;
  if (code === 'NoConnection' || code === 'EConnectionClosed' || code === 'ECONNRESET' || /closed|ended|reset/i.test(message)) {
    return `The connection to ${where} was lost (${message}).`;
  }
  if (/wrong version number|packet length too long/i.test(message)) {
    return `The TLS handshake with ${where} failed: this port does not speak TLS from the first byte (choose security "starttls" or "none" for port 143).`;
  }
  if (/certificate|SSL|TLS/i.test(message)) return `The secure connection to ${where} failed: ${message}`;
  return message;
}

/** The text of the server's tagged NO or BAD, with its response code: "[AUTHENTICATIONFAILED] Authentication failed." */
function serverWords(e: { responseText?: unknown; serverResponseCode?: unknown }): string | undefined {
  if (typeof e.responseText !== 'string' || e.responseText.trim() === '') return undefined;
  const code = typeof e.serverResponseCode === 'string' && e.serverResponseCode !== '' ? `[${e.serverResponseCode}] ` : '';
  return `${code}${e.responseText.trim()}`;
}
