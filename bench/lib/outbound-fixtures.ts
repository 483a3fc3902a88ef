// Setup for the `outbound` benchmark; none of it is timed. A company with an alias domain (so every
// email gets a reply token, a bounce envelope and a notifications address, as in production), an
// author, one SMTP server pointing at the sink, external partners following fresh records, and posts
// that queue one email per follower through the real postMessage.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { createPartner } from '../../src/chatter/partners.ts';
import { postMessage, type PostInput } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { addFollowers } from '../../src/chatter/followers.store.ts';
import { listSubtypes } from '../../src/chatter/subtypes.store.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import type { MailDeps } from '../../src/mail/deps.ts';
import { createServer } from '../../src/mail/servers.ts';
import { analyzeNonEmptyTables, MODEL } from './fixtures.ts';
import type { RawMessageShape } from './raw-nodemailer.ts';

export const DOMAIN = 'bench.example.com';
export const AUTHOR = { name: 'Order Desk', email: `orders@${DOMAIN}` };
export const COMMENT: PostInput = { kind: 'comment', body: '<p>Your order has shipped. Tracking number: <b>FR 1234 5678</b>.</p>' };

/** The environment of every Facteur the benchmark runs, in process or as a worker process. */
export function benchEnvironment(dataDir: string, databaseUrl?: string): Record<string, string> {
  return {
    LOG_LEVEL: 'silent',
    FACTEUR_MASTER_KEY: MASTER_KEY,
    FACTEUR_DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

const MASTER_KEY = randomBytes(32).toString('base64');

export function benchConfig(dataDir: string, databaseUrl?: string): Config {
  return loadConfig(benchEnvironment(dataDir, databaseUrl));
}

export function temporaryDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-bench-'));
}

export interface MailWorld {
  companyId: number;
  authorPartnerId: number;
  serverId: number;
}

/** The company, its alias domain, the author, and the one SMTP server (the sink, no From filter). */
export async function createMailWorld(deps: MailDeps, sinkPort: number): Promise<MailWorld> {
  const company = await createCompany(deps, SYSTEM, { name: 'Bench Company', aliasDomain: { domain: DOMAIN } });
  const author = await createPartner(deps, SYSTEM, { name: AUTHOR.name, email: AUTHOR.email, companyId: company.id });
  const server = await createServer(deps, SYSTEM, { name: 'sink', kind: 'smtp', host: '127.0.0.1', port: sinkPort, security: 'none' });
  return { companyId: company.id, authorPartnerId: author.id, serverId: server.id };
}

/** What the raw reference sends, so that its emails match Facteur's in shape and size. */
export function rawShape(resId: string): RawMessageShape {
  return {
    bodyHtml: COMMENT.body,
    model: MODEL,
    resId,
    recordName: `Order ${resId}`,
    authorName: AUTHOR.name,
    authorAddress: AUTHOR.email,
    domain: DOMAIN,
    subtypeName: 'Discussions',
  };
}

/**
 * Queues one email per partner: a fresh record of the company, followed on `discussion` by the
 * partners, and one comment from the author. Checks that exactly that many emails were queued.
 */
export async function queueEmails(deps: MailDeps, world: MailWorld, resId: string, partnerIds: number[], analyze: boolean): Promise<number> {
  const ref = { model: MODEL, resId };
  const { record } = await registerRecord(deps, SYSTEM, { ...ref, name: `Order ${resId}`, companyId: world.companyId });
  const discussion = (await listSubtypes(deps.db)).find((s) => s.code === 'discussion' && s.model === null);
  if (!discussion) throw new Error('The migration did not create the "discussion" subtype.');
  await addFollowers(deps.db, record.id, partnerIds.map((partnerId) => ({ partnerId, subtypeIds: [discussion.id] })));
  if (analyze) await analyzeNonEmptyTables(deps.db);
  const posted = await postMessage(deps, SYSTEM, ref, { ...COMMENT, authorPartnerId: world.authorPartnerId });
  if (posted.notified.email !== partnerIds.length) {
    throw new Error(`The post queued ${posted.notified.email} emails; expected ${partnerIds.length}.`);
  }
  return posted.id;
}

export interface OutboxCounts {
  queued: number;
  sending: number;
  sent: number;
  other: number;
}

/** The outbox entries of one message, by state. */
export async function outboxCounts(db: Db, messageId: number): Promise<OutboxCounts> {
  const { rows } = await sql<{ state: string; n: number }>`
    SELECT state, count(*)::int AS n FROM outbox WHERE message_id = ${messageId} GROUP BY state`.execute(db);
  const counts: OutboxCounts = { queued: 0, sending: 0, sent: 0, other: 0 };
  for (const { state, n } of rows) {
    if (state === 'queued' || state === 'sending' || state === 'sent') counts[state] += n;
    else counts.other += n;
  }
  return counts;
}

/** A drain is only a drain if every email was sent, once: the outbox says sent, the sink got them. */
export function checkDrained(what: string, counts: OutboxCounts, expected: number, received: number): void {
  if (counts.sent !== expected || counts.queued + counts.sending + counts.other !== 0 || received !== expected) {
    throw new Error(`${what}: outbox ${JSON.stringify(counts)}, sink received ${received}; expected ${expected} sent and received.`);
  }
}
