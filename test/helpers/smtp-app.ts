// The real App on a test database, set up for sending: small OUTBOX_* settings, a public URL,
// people, companies and records made with the real operations, outgoing servers pointing at the
// SMTP peers of ./smtp.ts, and the queue read back as rows (outbox entry + its notification).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { sql } from 'kysely';
import { createApp, type App } from '../../src/app.ts';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { createPartner } from '../../src/chatter/partners.ts';
import { postMessage, type PostInput, type PostedMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { createUser } from '../../src/chatter/users.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db, OpenedDatabase } from '../../src/db/database.ts';
import type { NotificationPreference } from '../../src/db/schema.ts';
import { createServer, deleteServer, listServers, type ServerInput, type ServerView } from '../../src/mail/servers.ts';
import type { BatchReport } from '../../src/outbox/send.ts';
import { drainQueue } from '../../src/outbox/worker.ts';
import { openTestDatabase } from './database.ts';
import type { SmtpPeer } from './smtp.ts';

export const PUBLIC_URL = 'http://facteur.test';
export const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
export const RETRY_BASE_SECONDS = 1;
export const MAX_ATTEMPTS = 3;
export const LEASE_SECONDS = 5;

/** One logged event, as pino writes it. */
export interface LogEntry {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface OutboundApp {
  app: App;
  db: Db;
  /** Events at warn level and above, in order (e.g. 'no alias domain configured', 'email not sent'). */
  logs: LogEntry[];
  close(): Promise<void>;
}

/** The real App (createApp) on a fresh test database, with small outbox settings. */
export async function startOutboundApp(settings: Record<string, string> = {}, database?: OpenedDatabase): Promise<OutboundApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'facteur-outbound-'));
  const config = loadConfig({
    FACTEUR_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    FACTEUR_MASTER_KEY: MASTER_KEY,
    OUTBOX_RETRY_BASE_SECONDS: String(RETRY_BASE_SECONDS),
    OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS),
    PUBLIC_URL,
    ...settings,
  });
  const logs: LogEntry[] = [];
  const log = pino({ level: 'warn', base: null }, { write: (line: string) => void logs.push(JSON.parse(line) as LogEntry) });
  const opened = database ?? (await openTestDatabase());
  try {
    const app = await createApp(config, { database: opened, log });
    return {
      app,
      db: app.database.db,
      logs,
      async close() {
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await opened.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// People, companies, records, posts — through the real operations.

let counter = 0;
/** A suffix that keeps names, logins, domains and record ids of one test file apart. */
export function unique(): string {
  counter += 1;
  return `${counter}${randomBytes(2).toString('hex')}`;
}

export async function company(t: OutboundApp, name: string, aliasDomain: string | null) {
  return createCompany(t.app.chatter, SYSTEM, { name, ...(aliasDomain ? { aliasDomain: { domain: aliasDomain } } : {}) });
}

export async function staff(
  t: OutboundApp,
  input: { name: string; email: string; companyId?: number | null; notification?: NotificationPreference },
) {
  return createUser(t.app.chatter, SYSTEM, {
    login: `${input.email}.${unique()}`,
    role: 'internal',
    notification: input.notification ?? 'email',
    partner: { name: input.name, email: input.email, companyId: input.companyId ?? null },
  });
}

export async function customer(t: OutboundApp, name: string, email: string | null, companyId: number | null = null) {
  return createPartner(t.app.chatter, SYSTEM, { name, email, companyId });
}

export async function record(t: OutboundApp, input: { model?: string; resId?: string; name: string; companyId: number | null }) {
  const { record: row } = await registerRecord(t.app.chatter, SYSTEM, {
    model: input.model ?? 'sale.order',
    resId: input.resId ?? unique(),
    name: input.name,
    companyId: input.companyId,
  });
  return row;
}

export async function follow(t: OutboundApp, ref: { model: string; resId: string }, partnerId: number, subtypes?: string[]) {
  await followRecord(t.app.chatter, SYSTEM, ref, { partnerId, subtypes });
}

export async function post(t: OutboundApp, ref: { model: string; resId: string }, input: Partial<PostInput> & { authorPartnerId: number | null }): Promise<PostedMessage> {
  return postMessage(t.app.chatter, SYSTEM, ref, { kind: 'comment', body: '<p>Hello from the thread.</p>', ...input });
}

// ---------------------------------------------------------------------------------------------
// Outgoing servers.

/** An SMTP server pointing at a test peer (or a port): no TLS, no login. */
export function smtpServer(target: SmtpPeer | number, input: Partial<ServerInput> & { name: string }): ServerInput {
  return {
    kind: 'smtp',
    host: '127.0.0.1',
    port: typeof target === 'number' ? target : target.port,
    security: 'none',
    ...input,
  };
}

/** Exactly these outgoing servers, in this order: any other server is deleted first. */
export async function useServers(t: OutboundApp, inputs: ServerInput[]): Promise<ServerView[]> {
  for (const server of await listServers(t.app.mail, SYSTEM)) await deleteServer(t.app.mail, SYSTEM, server.id);
  const created: ServerView[] = [];
  for (const input of inputs) created.push(await createServer(t.app.mail, SYSTEM, input));
  return created;
}

// ---------------------------------------------------------------------------------------------
// The queue.

export interface EntryRow {
  id: number;
  state: string;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  emailTo: string | null;
  partnerId: number | null;
  serverId: number | null;
  emailFrom: string | null;
  replyTo: string | null;
  failureType: string | null;
  failureReason: string | null;
  notification: { id: number; status: string; failureType: string | null; failureReason: string | null } | null;
}

/** The outbox entries of a message (or the ones named), each with its notification, by id. */
export async function entries(t: OutboundApp, of: { messageId: number } | { ids: number[] }): Promise<EntryRow[]> {
  const where = 'messageId' in of ? sql`o.message_id = ${of.messageId}` : sql`o.id = any(${of.ids}::bigint[])`;
  const { rows } = await sql<{
    id: number;
    state: string;
    attempts: number;
    next_attempt_at: Date;
    lease_until: Date | null;
    email_to: string | null;
    partner_id: number | null;
    server_id: number | null;
    email_from: string | null;
    reply_to: string | null;
    failure_type: string | null;
    failure_reason: string | null;
    n_id: number | null;
    n_status: string | null;
    n_failure_type: string | null;
    n_failure_reason: string | null;
  }>`
    SELECT o.id, o.state, o.attempts, o.next_attempt_at, o.lease_until, o.email_to, o.partner_id, o.server_id,
           o.email_from, o.reply_to, o.failure_type, o.failure_reason,
           n.id AS n_id, n.status AS n_status, n.failure_type AS n_failure_type, n.failure_reason AS n_failure_reason
    FROM outbox o LEFT JOIN notifications n ON n.id = o.notification_id
    WHERE ${where}
    ORDER BY o.id`.execute(t.db);
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    leaseUntil: r.lease_until,
    emailTo: r.email_to,
    partnerId: r.partner_id,
    serverId: r.server_id,
    emailFrom: r.email_from,
    replyTo: r.reply_to,
    failureType: r.failure_type,
    failureReason: r.failure_reason,
    notification: r.n_id === null ? null : { id: r.n_id, status: r.n_status!, failureType: r.n_failure_type, failureReason: r.n_failure_reason },
  }));
}

/** The one outbox entry of a message (fails when there is not exactly one). */
export async function onlyEntry(t: OutboundApp, messageId: number): Promise<EntryRow> {
  const rows = await entries(t, { messageId });
  if (rows.length !== 1) throw new Error(`Message ${messageId} has ${rows.length} outbox entries, not 1.`);
  return rows[0]!;
}

/** Sends what is due now, as `facteur queue send` does. */
export function drain(t: OutboundApp): Promise<BatchReport> {
  return drainQueue(t.app.mail);
}

/**
 * Makes retries due at once, instead of waiting for their backoff: the test moves `next_attempt_at`
 * into the past with SQL, as the passing of time would.
 */
export async function makeDue(t: OutboundApp, ids: number[]): Promise<void> {
  await sql`UPDATE outbox SET next_attempt_at = now() - interval '1 second' WHERE id = any(${ids}::bigint[]) AND state = 'queued'`.execute(t.db);
}

/**
 * Entries an earlier test of the same file left in the queue (it failed half-way) are withdrawn,
 * so that they cannot be sent during the next test and blur what it counts.
 */
export async function withdrawLeftovers(t: OutboundApp): Promise<void> {
  await sql`UPDATE outbox SET state = 'canceled', lease_until = NULL WHERE state IN ('queued', 'sending')`.execute(t.db);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(intervalMs);
  }
}
