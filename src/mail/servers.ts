// Outgoing servers (seed 000 §3.1, seed 003): how mail leaves — SMTP with a password, or the built-in
// catcher — whom each may send as (its From filter), in which order they are tried, and "Test connection".
import nodemailer, { type SMTPPoolOptions } from 'nodemailer';
import { requireInternal, requireSystem, type Actor } from '../chatter/actor.ts';
import { isValidEmail } from '../chatter/rules/email.ts';
import type { ServerKind, ServerSecurity } from '../db/schema.ts';
import { FacteurError } from '../errors.ts';
import { isHostName, readHost } from './rules/host-name.ts';
import type { MailDeps } from './deps.ts';
import {
  deleteServer as deleteServerRow,
  findServer,
  insertServer,
  listActiveServers,
  listServers as listServerRows,
  updateServer as updateServerRow,
  type ServerRow,
  type ServerValues,
} from './servers.store.ts';

/** What a caller gives to create a server; on update, every field is optional. */
export interface ServerInput {
  name: string;
  /** Default `smtp`. */
  kind?: ServerKind | undefined;
  host?: string | null | undefined;
  /** Default: 587 for starttls, 465 for tls, 25 for none. */
  port?: number | null | undefined;
  /** Default `starttls`. */
  security?: ServerSecurity | undefined;
  username?: string | null | undefined;
  /** Sealed before it is stored, never returned. On update: absent keeps it, null removes it. */
  password?: string | null | undefined;
  /** An address or a domain, or a comma-separated list of them; empty or null: any sender. */
  fromFilter?: string | null | undefined;
  /** Servers are tried by ascending sequence; default 10. */
  sequence?: number | undefined;
  active?: boolean | undefined;
  /** Keep sent entries until the provider confirms delivery, then delete them (seed 001). */
  deleteAfterDelivery?: boolean | undefined;
  /**
   * Sweego only (seed 001 §4.3.1), as its dashboard shows them (base64): the outbound webhook secret,
   * which also signs the reply tokens of mail sent through the server, and the inbound one. Sealed
   * before they are stored, never returned; on update, absent keeps, null removes.
   */
  outboundWebhookSecret?: string | null | undefined;
  inboundWebhookSecret?: string | null | undefined;
}

/** What callers see of a server: never a secret, only whether there is one. */
export type ServerView = Omit<ServerRow, 'passwordEncrypted' | 'outboundWebhookSecretEncrypted' | 'inboundWebhookSecretEncrypted'> & {
  hasPassword: boolean;
  hasOutboundWebhookSecret: boolean;
  hasInboundWebhookSecret: boolean;
};

/** A server ready to send through, password decrypted: for the outbox worker only, never shown. */
export interface OutgoingServer {
  id: number;
  name: string;
  kind: ServerKind;
  host: string | null;
  port: number | null;
  security: 'none' | 'starttls' | 'tls';
  username: string | null;
  /** Decrypted. */
  password: string | null;
  fromFilter: string | null;
  sequence: number;
  deleteAfterDelivery: boolean;
  /** A Sweego server's outbound webhook secret, decrypted: it signs the reply tokens of mail sent through it (seed 001 §7.1). */
  replyTokenSecret: string | null;
}

export type ConnectionTestResult = { ok: true } | { ok: false; reason: string };

const DEFAULT_PORTS: Record<ServerSecurity, number> = { starttls: 587, tls: 465, none: 25 };
/** Seed 001 §4.3: choosing Sweego fills port 2525 and STARTTLS; the host (smtp.sweego.io) is typed in. */
const SWEEGO_PORT = 2525;
const DEFAULT_SEQUENCE = 10;
/** How long "Test connection" waits for the whole exchange (connect, greeting, EHLO, TLS, AUTH). */
const TEST_TIMEOUT_MS = 15_000;

export function defaultPort(security: ServerSecurity): number {
  return DEFAULT_PORTS[security];
}

// ---------------------------------------------------------------------------------------------
// Validation: every refusal says what is wrong and what is expected.


function invalid(field: string, message: string, value?: unknown): FacteurError {
  return new FacteurError('VALIDATION_FAILED', message, { field, ...(value === undefined ? {} : { value }) });
}

function checkHost(raw: string): string {
  if (raw.trim() === '') throw invalid('host', 'An SMTP server needs a host, e.g. smtp.example.com.');
  const read = readHost(raw, 'smtp', 'smtp.example.com');
  if ('problem' in read) throw invalid('host', read.problem, raw);
  return read.host;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid('port', `The port must be a whole number from 1 to 65535 (usually 587 with STARTTLS, 465 with TLS, 25 without); got ${port}.`, port);
  }
  return port;
}

/**
 * A From filter (seed 003): the addresses or domains a server may send as — "notifications@example.com",
 * "example.com", or a comma-separated list of them. Returned normalized (trimmed, lower case), or null
 * when empty (the server may send as anyone).
 */
export function normalizeFromFilter(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const items = raw
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  if (items.length === 0) return null;
  const normalized = items.map((item) => {
    if (item.includes('@') && !item.startsWith('@')) {
      if (!isValidEmail(item)) {
        throw invalid('fromFilter', `The From filter "${raw}" holds "${item}", which is not a valid email address.`, raw);
      }
      return item;
    }
    const domain = item.replace(/^@/, '');
    if (!domain.includes('.') || !isHostName(domain) || /^\d+(\.\d+)*$/.test(domain)) {
      throw invalid(
        'fromFilter',
        `The From filter "${raw}" holds "${item}", which is neither an email address nor a domain: write notifications@example.com or example.com (several separated by commas).`,
        raw,
      );
    }
    return domain;
  });
  return [...new Set(normalized)].join(',');
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw invalid('name', 'A server needs a name, e.g. "Notifications".');
  return name;
}

function emptyToNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value.trim() === '' ? null : value;
}

/**
 * The values to store, from the current ones (on update) and what the caller gives. Only what the
 * caller gives is checked against the kind; what a catcher cannot have is dropped when a server
 * becomes one.
 */
function serverValues(deps: MailDeps, current: ServerRow | undefined, input: Partial<ServerInput>): ServerValues {
  const kind = input.kind ?? current?.kind ?? 'smtp';
  const name = checkName(input.name ?? current?.name ?? '');
  const sequence = input.sequence ?? current?.sequence ?? DEFAULT_SEQUENCE;
  if (!Number.isInteger(sequence) || sequence < -2_147_483_648 || sequence > 2_147_483_647) {
    throw invalid('sequence', `The sequence must be a whole number (a 32-bit integer); got ${sequence}.`, sequence);
  }
  const common = {
    name,
    kind,
    fromFilter: input.fromFilter !== undefined ? normalizeFromFilter(input.fromFilter) : current?.fromFilter ?? null,
    sequence,
    active: input.active ?? current?.active ?? true,
    deleteAfterDelivery: input.deleteAfterDelivery ?? current?.deleteAfterDelivery ?? false,
  };

  const secrets = webhookSecrets(deps, kind, current, input);
  if (kind === 'catcher') {
    const given = (['host', 'port', 'username', 'password'] as const).filter((field) => input[field] !== undefined && input[field] !== null);
    if (given.length > 0) {
      throw invalid(given[0]!, `The built-in catcher keeps mail inside Facteur: it has no ${given.join(', ')}. Leave them out, or choose kind "smtp".`);
    }
    return { ...common, ...secrets, host: null, port: null, security: input.security ?? current?.security ?? 'none', username: null, passwordEncrypted: null };
  }

  const sweego = kind === 'sweego';
  const keptKind = current?.kind === kind;
  const hostGiven = input.host !== undefined ? input.host : keptKind ? (current?.host ?? null) : null;
  if (hostGiven === null || hostGiven.trim() === '') {
    throw invalid('host', sweego ? 'A Sweego server needs its SMTP host: type smtp.sweego.io (seed 001 §4.3).' : 'An SMTP server needs a host, e.g. smtp.example.com.');
  }
  const host = checkHost(hostGiven);
  // A server changing kind starts from that kind's defaults, not from the catcher's 'none'.
  const security = input.security ?? (keptKind && current ? current.security : 'starttls');
  let port: number;
  if (input.port !== undefined && input.port !== null) {
    port = checkPort(input.port);
  } else if (input.port === undefined && keptKind && current?.port != null && !(input.security !== undefined && current.port === defaultPort(current.security))) {
    // Keep the port a person chose; a port that was only the default follows a change of security.
    port = current.port;
  } else {
    port = sweego ? SWEEGO_PORT : defaultPort(security);
  }
  const username = input.username !== undefined ? emptyToNull(input.username)?.trim() ?? null : current?.username ?? null;
  let passwordEncrypted: string | null;
  if (input.password === undefined) passwordEncrypted = current?.passwordEncrypted ?? null;
  else if (input.password === null || input.password === '') passwordEncrypted = null;
  else passwordEncrypted = deps.secrets.seal(input.password);
  if (sweego && username === null) {
    // Seed 001 §10.7: the server refuses to be saved without it.
    throw invalid('username', 'A Sweego server needs its SMTP username, as the Sweego dashboard gives it.');
  }
  if (passwordEncrypted !== null && username === null) {
    throw invalid('username', 'A password needs a username: give the login of the SMTP account (or remove the password with password: null).');
  }
  return { ...common, ...secrets, host, port, security, username, passwordEncrypted };
}

/** The webhook secrets, sealed: a Sweego server's, kept or replaced; other kinds have none. */
function webhookSecrets(
  deps: MailDeps,
  kind: ServerKind,
  current: ServerRow | undefined,
  input: Partial<ServerInput>,
): Pick<ServerValues, 'outboundWebhookSecretEncrypted' | 'inboundWebhookSecretEncrypted'> {
  const fields = [
    ['outboundWebhookSecret', 'outboundWebhookSecretEncrypted'],
    ['inboundWebhookSecret', 'inboundWebhookSecretEncrypted'],
  ] as const;
  if (kind !== 'sweego') {
    const given = fields.find(([field]) => input[field] !== undefined && input[field] !== null);
    if (given) throw invalid(given[0], `Only a Sweego server has webhook secrets; this one is a ${kind} server.`);
    return { outboundWebhookSecretEncrypted: null, inboundWebhookSecretEncrypted: null };
  }
  const sealed = (field: (typeof fields)[number][0], stored: (typeof fields)[number][1]): string | null => {
    const value = input[field];
    if (value === undefined) return current?.kind === 'sweego' ? current[stored] : null;
    if (value === null || value.trim() === '') return null;
    if (!isBase64Secret(value.trim())) {
      throw invalid(field, 'A Sweego webhook secret is the base64 value its dashboard shows (optionally prefixed whsec_); copy it as it is.');
    }
    return deps.secrets.seal(value.trim());
  };
  return { outboundWebhookSecretEncrypted: sealed(...fields[0]), inboundWebhookSecretEncrypted: sealed(...fields[1]) };
}

function isBase64Secret(value: string): boolean {
  const body = value.replace(/^whsec_/, '');
  return body.length >= 16 && /^[A-Za-z0-9+/]+={0,2}$/.test(body);
}

function viewOf(row: ServerRow): ServerView {
  const { passwordEncrypted, outboundWebhookSecretEncrypted, inboundWebhookSecretEncrypted, ...rest } = row;
  return {
    ...rest,
    hasPassword: passwordEncrypted !== null,
    hasOutboundWebhookSecret: outboundWebhookSecretEncrypted !== null,
    hasInboundWebhookSecret: inboundWebhookSecretEncrypted !== null,
  };
}

async function requireServer(deps: MailDeps, id: number): Promise<ServerRow> {
  const row = await findServer(deps.db, id);
  if (!row) throw new FacteurError('SERVER_NOT_FOUND', `No outgoing server has id ${id}.`, { serverId: id });
  return row;
}

// ---------------------------------------------------------------------------------------------
// Administration: the host application's (a user may read the list, never the secrets).

export async function createServer(deps: MailDeps, actor: Actor, input: ServerInput): Promise<ServerView> {
  requireSystem(actor, 'configure outgoing servers');
  const values = serverValues(deps, undefined, input);
  const id = await insertServer(deps.db, values);
  secretsCache.delete(deps.db);
  deps.log.info({ serverId: id, kind: values.kind, host: values.host, port: values.port, fromFilter: values.fromFilter }, 'outgoing server created');
  return viewOf(await requireServer(deps, id));
}

export async function updateServer(deps: MailDeps, actor: Actor, id: number, input: Partial<ServerInput>): Promise<ServerView> {
  requireSystem(actor, 'configure outgoing servers');
  await deps.db.transaction().execute(async (tx) => {
    const current = await findServer(tx, id);
    if (!current) throw new FacteurError('SERVER_NOT_FOUND', `No outgoing server has id ${id}.`, { serverId: id });
    await updateServerRow(tx, id, serverValues(deps, current, input));
  });
  secretsCache.delete(deps.db);
  deps.log.info({ serverId: id, changed: Object.keys(input) }, 'outgoing server updated');
  return viewOf(await requireServer(deps, id));
}

export async function deleteServer(deps: MailDeps, actor: Actor, id: number): Promise<void> {
  requireSystem(actor, 'configure outgoing servers');
  if (!(await deleteServerRow(deps.db, id))) {
    throw new FacteurError('SERVER_NOT_FOUND', `No outgoing server has id ${id}.`, { serverId: id });
  }
  secretsCache.delete(deps.db);
  deps.log.info({ serverId: id }, 'outgoing server deleted');
}

export async function listServers(deps: MailDeps, actor: Actor): Promise<ServerView[]> {
  requireInternal(actor, 'list outgoing servers');
  return (await listServerRows(deps.db)).map(viewOf);
}

export async function getServer(deps: MailDeps, actor: Actor, id: number): Promise<ServerView> {
  requireInternal(actor, 'read outgoing servers');
  return viewOf(await requireServer(deps, id));
}

// ---------------------------------------------------------------------------------------------
// Sending: what the outbox worker needs.

function openPassword(deps: MailDeps, row: ServerRow): string | null {
  if (row.passwordEncrypted === null) return null;
  try {
    return deps.secrets.open(row.passwordEncrypted);
  } catch {
    throw new FacteurError(
      'SECRET_UNREADABLE',
      `The password of outgoing server ${row.id} "${row.name}" cannot be decrypted with this master key (was FACTEUR_MASTER_KEY changed?). Set the password of the server again.`,
      { serverId: row.id },
    );
  }
}

function outgoingServerOf(deps: MailDeps, row: ServerRow): OutgoingServer {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    host: row.host,
    port: row.port,
    security: row.security,
    username: row.username,
    password: openPassword(deps, row),
    fromFilter: row.fromFilter,
    sequence: row.sequence,
    deleteAfterDelivery: row.deleteAfterDelivery,
    replyTokenSecret: row.kind === 'sweego' && row.outboundWebhookSecretEncrypted !== null ? openSecret(deps, row, row.outboundWebhookSecretEncrypted) : null,
  };
}

function openSecret(deps: MailDeps, row: ServerRow, sealed: string): string {
  try {
    return deps.secrets.open(sealed);
  } catch {
    throw new FacteurError(
      'SECRET_UNREADABLE',
      `The outbound webhook secret of outgoing server ${row.id} "${row.name}" cannot be decrypted with this master key (was FACTEUR_MASTER_KEY changed?). Set it again.`,
      { serverId: row.id },
    );
  }
}

/**
 * The active servers in the order they are tried (sequence, then id), passwords decrypted.
 * A server whose password cannot be decrypted is left out, loudly: the others still carry the mail
 * they may carry, instead of every email waiting on one broken server.
 */
export async function activeServersForSending(deps: MailDeps): Promise<OutgoingServer[]> {
  const servers: OutgoingServer[] = [];
  for (const row of await listActiveServers(deps.db)) {
    try {
      servers.push(outgoingServerOf(deps, row));
    } catch (error) {
      deps.log.error({ serverId: row.id, err: error }, 'outgoing server skipped: its password or secret cannot be decrypted');
    }
  }
  return servers;
}

/**
 * nodemailer's options for a pooled SMTP transport to this server. `secure` is TLS from the first
 * byte (port 465); `requireTLS` refuses to go on unless STARTTLS succeeds; `ignoreTLS` never
 * upgrades. Timeouts are bounded so that a silent server fails an attempt instead of holding it.
 */
export function transportOptions(server: OutgoingServer, options: { maxConnections?: number } = {}): SMTPPoolOptions & { pool: true } {
  if (server.kind === 'catcher' || server.host === null) {
    throw new Error(`Outgoing server ${server.id} "${server.name}" is a ${server.kind}, not an SMTP server: it has no SMTP transport.`);
  }
  return {
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    // nodemailer reconnects every 100 messages by default: a new TCP + greeting + EHLO (+ TLS) each time.
    maxMessages: Infinity,
    host: server.host,
    port: server.port ?? defaultPort(server.security),
    secure: server.security === 'tls',
    requireTLS: server.security === 'starttls',
    ignoreTLS: server.security === 'none',
    ...(server.username !== null ? { auth: { user: server.username, pass: server.password ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    dnsTimeout: 15_000,
  };
}

/** In the server's own words when it answered (its SMTP reply); otherwise what went wrong, for a person. */
function reasonOf(error: unknown, server: OutgoingServer): string {
  const e = error as { response?: unknown; command?: unknown; code?: unknown; message?: unknown };
  const where = `${server.host}:${server.port}`;
  if (typeof e.response === 'string' && e.response.trim() !== '') {
    const words = e.response.trim();
    const command = typeof e.command === 'string' ? e.command : '';
    if (command === 'STARTTLS') return `The server refused STARTTLS: ${words} (choose security "tls" for port 465, or "none" if it offers no encryption)`;
    if (command.startsWith('AUTH')) return `The server refused the login: ${words}`;
    return command && command !== 'CONN' ? `The server answered ${command} with: ${words}` : `The server said: ${words}`;
  }
  const message = (typeof e.message === 'string' ? e.message : String(error)).trim();
  if (/ECONNREFUSED/.test(message)) return `Nothing accepts connections at ${where} (connection refused): check the host and the port.`;
  if (/ENOTFOUND|EAI_AGAIN/.test(message) || e.code === 'EDNS') return `The host name ${server.host} cannot be resolved (${message}).`;
  if (/ETIMEDOUT|timeout/i.test(message)) return `${where} did not answer in time (${message}): check the host, the port and any firewall.`;
  if (/wrong version number|packet length too long/i.test(message)) {
    return `The TLS handshake with ${where} failed: this port does not speak TLS from the first byte (choose security "starttls" for port 587 or 25).`;
  }
  if (/certificate|SSL|TLS/i.test(message)) return `The secure connection to ${where} failed: ${message}`;
  return message;
}

/**
 * "Test connection" (seed 003): connects, greets (EHLO), secures the connection as configured and
 * logs in, then hangs up; sends nothing. A catcher has nothing to reach: it is always ok.
 */
export async function testServerConnection(deps: MailDeps, actor: Actor, id: number): Promise<ConnectionTestResult> {
  requireSystem(actor, 'test outgoing servers');
  const row = await requireServer(deps, id);
  if (row.kind === 'catcher') return { ok: true };
  let server: OutgoingServer;
  try {
    server = outgoingServerOf(deps, row);
  } catch (error) {
    if (error instanceof FacteurError) return { ok: false, reason: error.message };
    throw error;
  }
  const transport = nodemailer.createTransport({ ...transportOptions(server), pool: false });
  const timedOut = new Error(`${server.host}:${server.port} did not complete the connection test within ${TEST_TIMEOUT_MS / 1000} s.`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), TEST_TIMEOUT_MS);
  });
  let result: ConnectionTestResult;
  try {
    await Promise.race([transport.verify(), timeout]);
    result = { ok: true };
  } catch (error) {
    result = { ok: false, reason: error === timedOut ? timedOut.message : reasonOf(error, server) };
  } finally {
    clearTimeout(timer);
    transport.close();
  }
  deps.log.info({ serverId: id, host: server.host, port: server.port, ...result }, 'outgoing server tested');
  return result;
}

/**
 * The webhook secrets of every Sweego server (active or not: mail sent before a server was switched
 * off still reports back), opened. One that cannot be decrypted is left out, loudly. Every webhook
 * needs them: read at most once every few seconds per process, and again at once after a change here.
 */
export function sweegoWebhookSecrets(deps: MailDeps, which: 'outbound' | 'inbound'): Promise<string[]> {
  const cached = secretsCache.get(deps.db);
  if (cached && Date.now() - cached.at < SECRETS_TTL_MS) return cached.secrets.then((s) => s[which]);
  const secrets = readWebhookSecrets(deps);
  secrets.catch(() => secretsCache.delete(deps.db));
  secretsCache.set(deps.db, { at: Date.now(), secrets });
  return secrets.then((s) => s[which]);
}

const SECRETS_TTL_MS = 5_000;
const secretsCache = new WeakMap<MailDeps['db'], { at: number; secrets: Promise<{ outbound: string[]; inbound: string[] }> }>();

async function readWebhookSecrets(deps: MailDeps): Promise<{ outbound: string[]; inbound: string[] }> {
  const found = { outbound: [] as string[], inbound: [] as string[] };
  for (const row of await listServerRows(deps.db)) {
    if (row.kind !== 'sweego') continue;
    for (const [which, sealed] of [['outbound', row.outboundWebhookSecretEncrypted], ['inbound', row.inboundWebhookSecretEncrypted]] as const) {
      if (sealed === null) continue;
      try {
        found[which].push(deps.secrets.open(sealed));
      } catch (error) {
        deps.log.error({ serverId: row.id, err: error }, `the ${which} webhook secret of this Sweego server cannot be decrypted (was FACTEUR_MASTER_KEY changed?)`);
      }
    }
  }
  return found;
}
