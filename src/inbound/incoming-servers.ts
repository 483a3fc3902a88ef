// Incoming servers (seed 000 §3.2, seed 003): the IMAP mailboxes Facteur reads for replies, bounces and
// aliases — where they are, how to log in (the password sealed at rest, never returned), which folder,
// how often — and "Test connection".
import { requireInternal, requireSystem, type Actor } from '../chatter/actor.ts';
import type { ServerSecurity } from '../db/schema.ts';
import { FacteurError } from '../errors.ts';
import { readHost } from '../mail/rules/host-name.ts';
import type { MailDeps } from '../mail/deps.ts';
import type { ConnectionTestResult } from '../mail/servers.ts';
import { imapClient, imapFailureReason, type ImapAccount } from './imap-connection.ts';
import {
  deleteIncomingServer as deleteServerRow,
  findIncomingServer,
  insertIncomingServer,
  listIncomingServers as listServerRows,
  updateIncomingServer as updateServerRow,
  type IncomingServerRow,
  type IncomingServerValues,
} from './incoming-servers.store.ts';

/** What a caller gives to create an incoming server; on update, every field is optional. */
export interface IncomingServerInput {
  name: string;
  host: string;
  /** Default: 993 for tls, 143 otherwise. */
  port?: number | null | undefined;
  /** Default `tls`. */
  security?: ServerSecurity | undefined;
  username: string;
  /** Sealed before it is stored, never returned. On update: absent keeps it. */
  password?: string | null | undefined;
  /** Default `INBOX`. */
  folder?: string | undefined;
  /** How often the mailbox is read; default 5 minutes (seed 000 §3.2). */
  intervalMinutes?: number | undefined;
  active?: boolean | undefined;
}

/** What callers see of an incoming server: never the password, only whether there is one. */
export type IncomingServerView = Omit<IncomingServerRow, 'passwordEncrypted'> & { hasPassword: boolean };

const DEFAULT_PORTS: Record<ServerSecurity, number> = { tls: 993, starttls: 143, none: 143 };
const DEFAULT_FOLDER = 'INBOX';
const DEFAULT_INTERVAL_MINUTES = 5;
const MAX_INTERVAL_MINUTES = 7 * 24 * 60;
/** How long "Test connection" waits for the whole exchange (connect, greeting, TLS, LOGIN, SELECT). */
const TEST_TIMEOUT_MS = 15_000;

export function defaultImapPort(security: ServerSecurity): number {
  return DEFAULT_PORTS[security];
}

// ---------------------------------------------------------------------------------------------
// Validation: every refusal says what is wrong and what is expected.

function invalid(field: string, message: string, value?: unknown): FacteurError {
  return new FacteurError('VALIDATION_FAILED', message, { field, ...(value === undefined ? {} : { value }) });
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw invalid('name', 'An incoming server needs a name, e.g. "Replies".');
  return name;
}

function checkHost(raw: string): string {
  if (raw.trim() === '') throw invalid('host', 'An incoming server needs the host of its IMAP server, e.g. imap.example.com.');
  const read = readHost(raw, 'imap', 'imap.example.com');
  if ('problem' in read) throw invalid('host', read.problem, raw);
  return read.host;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid('port', `The port must be a whole number from 1 to 65535 (usually 993 with TLS, 143 with STARTTLS or none); got ${port}.`, port);
  }
  return port;
}

function checkUsername(raw: string): string {
  const username = raw.trim();
  if (username === '') throw invalid('username', 'An incoming server needs the login of the mailbox account, e.g. replies@example.com.');
  return username;
}

function checkFolder(raw: string): string {
  const folder = raw.trim();
  if (folder === '') throw invalid('folder', 'The folder cannot be empty: leave it out to read INBOX.');
  if (/[\u0000-\u001f\u007f]/.test(folder)) throw invalid('folder', `The folder name "${raw}" holds control characters.`, raw);
  return folder;
}

function checkInterval(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_INTERVAL_MINUTES) {
    throw invalid('intervalMinutes', `The interval is a whole number of minutes from 1 to ${MAX_INTERVAL_MINUTES} (a week); got ${minutes}.`, minutes);
  }
  return minutes;
}

/** The values to store, from the current ones (on update) and what the caller gives. */
function serverValues(deps: MailDeps, current: IncomingServerRow | undefined, input: Partial<IncomingServerInput>): IncomingServerValues {
  const security = input.security ?? current?.security ?? 'tls';
  let port: number;
  if (input.port !== undefined && input.port !== null) {
    port = checkPort(input.port);
  } else if (input.port === undefined && current && !(input.security !== undefined && current.port === defaultImapPort(current.security))) {
    // Keep the port a person chose; a port that was only the default follows a change of security.
    port = current.port;
  } else {
    port = defaultImapPort(security);
  }
  let passwordEncrypted: string | null;
  if (input.password === undefined) passwordEncrypted = current?.passwordEncrypted ?? null;
  else if (input.password === null || input.password === '') passwordEncrypted = null;
  else passwordEncrypted = deps.secrets.seal(input.password);
  if (passwordEncrypted === null) {
    throw invalid('password', 'An incoming server needs the password of the mailbox account: Facteur logs in to read it.');
  }
  return {
    name: checkName(input.name ?? current?.name ?? ''),
    host: checkHost(input.host ?? current?.host ?? ''),
    port,
    security,
    username: checkUsername(input.username ?? current?.username ?? ''),
    passwordEncrypted,
    folder: checkFolder(input.folder ?? current?.folder ?? DEFAULT_FOLDER),
    intervalMinutes: checkInterval(input.intervalMinutes ?? current?.intervalMinutes ?? DEFAULT_INTERVAL_MINUTES),
    active: input.active ?? current?.active ?? true,
  };
}

function viewOf(row: IncomingServerRow): IncomingServerView {
  const { passwordEncrypted, ...rest } = row;
  return { ...rest, hasPassword: passwordEncrypted !== null };
}

function notFound(id: number): FacteurError {
  return new FacteurError('INCOMING_SERVER_NOT_FOUND', `No incoming server has id ${id}.`, { incomingServerId: id });
}

export async function requireIncomingServer(deps: MailDeps, id: number): Promise<IncomingServerRow> {
  const row = await findIncomingServer(deps.db, id);
  if (!row) throw notFound(id);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Administration: the host application's (an internal user may read the list, never the secrets).

export async function createIncomingServer(deps: MailDeps, actor: Actor, input: IncomingServerInput): Promise<IncomingServerView> {
  requireSystem(actor, 'configure incoming servers');
  const values = serverValues(deps, undefined, input);
  const id = await insertIncomingServer(deps.db, values);
  deps.log.info({ serverId: id, host: values.host, port: values.port, folder: values.folder }, 'incoming server created');
  return viewOf(await requireIncomingServer(deps, id));
}

export async function updateIncomingServer(deps: MailDeps, actor: Actor, id: number, input: Partial<IncomingServerInput>): Promise<IncomingServerView> {
  requireSystem(actor, 'configure incoming servers');
  await deps.db.transaction().execute(async (tx) => {
    const current = await findIncomingServer(tx, id);
    if (!current) throw notFound(id);
    await updateServerRow(tx, id, serverValues(deps, current, input));
  });
  deps.log.info({ serverId: id, changed: Object.keys(input) }, 'incoming server updated');
  return viewOf(await requireIncomingServer(deps, id));
}

export async function deleteIncomingServer(deps: MailDeps, actor: Actor, id: number): Promise<void> {
  requireSystem(actor, 'configure incoming servers');
  if (!(await deleteServerRow(deps.db, id))) throw notFound(id);
  deps.log.info({ serverId: id }, 'incoming server deleted');
}

export async function listIncomingServers(deps: MailDeps, actor: Actor, options: { activeOnly?: boolean } = {}): Promise<IncomingServerView[]> {
  requireInternal(actor, 'list incoming servers');
  return (await listServerRows(deps.db, options)).map(viewOf);
}

export async function getIncomingServer(deps: MailDeps, actor: Actor, id: number): Promise<IncomingServerView> {
  requireInternal(actor, 'read incoming servers');
  return viewOf(await requireIncomingServer(deps, id));
}

// ---------------------------------------------------------------------------------------------
// Connecting: what "Test connection" and the fetcher need.

/** The account to log in with, password opened; SECRET_UNREADABLE when the master key changed. */
export function imapAccountOf(deps: MailDeps, row: IncomingServerRow): ImapAccount {
  let password: string;
  try {
    password = deps.secrets.open(row.passwordEncrypted ?? '');
  } catch {
    throw new FacteurError(
      'SECRET_UNREADABLE',
      `The password of incoming server ${row.id} "${row.name}" cannot be decrypted with this master key (was FACTEUR_MASTER_KEY changed?). Set the password of the server again.`,
      { incomingServerId: row.id },
    );
  }
  return { id: row.id, host: row.host, port: row.port, security: row.security, username: row.username, password, folder: row.folder };
}

/**
 * "Test connection" (seed 003): connects, secures the connection as configured, logs in and opens the
 * folder (read-only: nothing is marked seen), then logs out. Gives up after 15 s.
 */
export async function testIncomingServer(deps: MailDeps, actor: Actor, id: number): Promise<ConnectionTestResult> {
  requireSystem(actor, 'test incoming servers');
  const row = await requireIncomingServer(deps, id);
  let account: ImapAccount;
  try {
    account = imapAccountOf(deps, row);
  } catch (error) {
    if (error instanceof FacteurError) return { ok: false, reason: error.message };
    throw error;
  }
  const client = imapClient(account, { timeoutMs: TEST_TIMEOUT_MS });
  const timedOut = new Error(`${account.host}:${account.port} did not complete the connection test within ${TEST_TIMEOUT_MS / 1000} s.`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), TEST_TIMEOUT_MS);
  });
  const exchange = (async () => {
    await client.connect();
    await client.mailboxOpen(account.folder, { readOnly: true });
    await client.logout();
  })();
  exchange.catch(() => {}); // when the timeout wins, closing the client fails the exchange: already answered
  let result: ConnectionTestResult;
  try {
    await Promise.race([exchange, timeout]);
    result = { ok: true };
  } catch (error) {
    result = { ok: false, reason: error === timedOut ? timedOut.message : imapFailureReason(error, account) };
  } finally {
    clearTimeout(timer);
    client.close();
  }
  deps.log.info({ serverId: id, host: account.host, port: account.port, ...result }, 'incoming server tested');
  return result;
}
