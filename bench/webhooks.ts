// Benchmark `webhooks` (issue 5): 10,000 signed Sweego `delivered` events, over HTTP on loopback from
// 16 concurrent senders (a process of their own), applied to 10,000 emails waiting for confirmation (deferred deletion). On
// PGlite (in memory, in its thread) and PostgreSQL (a database of its own, the product's pool).
// Reported: events per second, and the share of the server's time that checking signatures takes
// (the same events verified apart, one after the other, over the run's wall time). Method and
// figures in BENCHMARKS.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { SYSTEM } from '../src/chatter/actor.ts';
import { createCompany } from '../src/chatter/companies.ts';
import { createPartner } from '../src/chatter/partners.ts';
import { postMessage } from '../src/chatter/post.ts';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { buildHttpServer } from '../src/http/server.ts';
import { createServer } from '../src/mail/servers.ts';
import { verifyWebhook } from '../src/sweego/signature.ts';
import type { BenchOptions } from './run.ts';
import { analyzeNonEmptyTables, createExternalPartners, recordFollowedBy } from './lib/fixtures.ts';
import { postgresUrl } from './lib/engines.ts';
import { benchEnvironment, temporaryDataDir } from './lib/outbound-fixtures.ts';
import { backendsCpu, createBenchDatabase, rssMb } from './lib/processes.ts';
import { int, median } from './lib/stats.ts';

const FULL = { events: 10_000, runs: 3, senders: 16 };
const QUICK = { events: 1_000, runs: 1, senders: 16 };
type Sizes = typeof FULL;

const SECRET = Buffer.from('facteur-bench-sweego-outbound-webhook-secret').toString('base64');
const DOMAIN = 'webhooks.bench.example.com';

interface Signed {
  body: string;
  headers: Record<string, string>;
}

/** Emails sent through Sweego and waiting for its confirmation: posted for real, then marked sent (not timed). */
async function pendingEmails(app: App, count: number, key: string): Promise<number[]> {
  const deps = app.mail;
  const partners = await createExternalPartners(deps.db, count, `w${key}`);
  const ref = await recordFollowedBy(deps, `W${key}`, partners);
  const company = await createCompany(deps, SYSTEM, { name: `Bench ${key}`, aliasDomain: { domain: `${key}.${DOMAIN}` } });
  const author = await createPartner(deps, SYSTEM, { name: 'Order Desk', email: `orders@${key}.${DOMAIN}`, companyId: company.id });
  await analyzeNonEmptyTables(deps.db);
  const posted = await postMessage(deps, SYSTEM, ref, { kind: 'comment', body: '<p>Shipped.</p>', authorPartnerId: author.id });
  const { rows } = await sql<{ id: number }>`
    UPDATE outbox SET state = 'sent', sent_at = now(), pending_delete = true WHERE message_id = ${posted.id} RETURNING id`.execute(deps.db);
  if (rows.length !== count) throw new Error(`${rows.length} emails waiting, expected ${count}.`);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** One `delivered` event per email, signed as Sweego signs (the bare base64 value). */
function signEvents(outboxIds: number[], key: string): Signed[] {
  const webhook = new Webhook(SECRET);
  const now = new Date();
  return outboxIds.map((id, i) => {
    const body = JSON.stringify({
      event_type: 'delivered',
      timestamp: now.toISOString(),
      swg_uid: `01-${key}-${i}`,
      event_id: `${key}-${i}`,
      channel: 'email',
      transaction_id: `tx-${key}-${i}`,
      headers: { 'x-mailer': 'Sweego', 'x-message-id': `<facteur-outbox-${id}@${DOMAIN}>` },
      recipient: `w${key}${i}@example.com`,
      details: 'ACCEPTED (250 2.0.0 OK)',
    });
    const webhookId = `msg_${key}_${i}`;
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(webhookId, now, body).replace(/^v1,/, ''),
      },
    };
  });
}

/**
 * Sweego's side, in a process of its own (bench/lib/webhook-senders.mjs): the senders' HTTP clients
 * would otherwise share the server's thread and be counted as its cost.
 */
async function send(url: string, events: Signed[], senders: number): Promise<{ ms: number; failures: number; cpuMs: number }> {
  const file = path.join(os.tmpdir(), `facteur-webhooks-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(events));
  try {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./lib/webhook-senders.mjs', import.meta.url)), file, url, String(senders)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`The webhook senders exited with code ${code}.`);
    return JSON.parse(output) as { ms: number; failures: number; cpuMs: number };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

interface Figures {
  rate: number;
  signatureShare: number;
}

async function onEngine(name: string, app: App, sizes: Sizes, dbCpu: (() => Promise<number>) | null): Promise<Figures> {
  await createServer(app.mail, SYSTEM, { name: 'Sweego', kind: 'sweego', host: 'smtp.sweego.io', username: 'bench', outboundWebhookSecret: SECRET, deleteAfterDelivery: true });
  const http = await buildHttpServer(app);
  const base = await http.listen({ port: 0, host: '127.0.0.1' });
  const url = `${base}/sweego/webhook/outbound`;
  const rates: number[] = [];
  const shares: number[] = [];
  try {
    // Warm-up: a tenth of a run, not counted.
    const warm = signEvents(await pendingEmails(app, Math.max(100, sizes.events / 10), `${name}w`), `${name}w`);
    const warmed = await send(url, warm, sizes.senders);
    if (warmed.failures > 0) throw new Error(`${warmed.failures} warm-up events were not applied.`);
    for (let run = 1; run <= sizes.runs; run++) {
      const key = `${name}${run}`;
      const ids = await pendingEmails(app, sizes.events, key);
      const events = signEvents(ids, key);
      const dbBefore = dbCpu ? await dbCpu() : 0;
      const cpuBefore = process.cpuUsage();
      const { ms, failures, cpuMs: sendersCpu } = await send(url, events, sizes.senders);
      const cpu = process.cpuUsage(cpuBefore);
      const db = dbCpu ? (await dbCpu()) - dbBefore : null;
      if (failures > 0) throw new Error(`${failures} of ${events.length} events were not applied.`);
      const { rows } = await sql<{ left: number }>`SELECT count(*)::int AS left FROM outbox WHERE id = any(${ids}::bigint[])`.execute(app.mail.db);
      if (rows[0]!.left !== 0) throw new Error(`${rows[0]!.left} emails still wait for confirmation after the run.`);
      // The signature check alone, on the same events, one after the other.
      const secrets = [SECRET];
      const verifyStart = performance.now();
      for (const event of events) {
        if (!verifyWebhook(secrets, Buffer.from(event.body), event.headers).ok) throw new Error('A signed event did not verify.');
      }
      const verifyMs = performance.now() - verifyStart;
      rates.push(events.length / (ms / 1000));
      shares.push(verifyMs / ms);
      const perEvent = (value: number) => (value / events.length).toFixed(3);
      console.log(
        `  run ${run}: ${events.length} events in ${(ms / 1000).toFixed(2)} s, ${int(rates.at(-1)!)} events/s; ` +
          `CPU ms/event: Facteur ${perEvent((cpu.user + cpu.system) / 1000)}${db === null ? '' : `, PostgreSQL ${perEvent(db)}`}, senders ${perEvent(sendersCpu)}; ` +
          `signatures ${perEvent(verifyMs)} ms/event apart, ${(shares.at(-1)! * 100).toFixed(1)} % of the run; RSS ${int(rssMb(process.pid) ?? 0)} MB`,
      );
    }
  } finally {
    await http.close();
  }
  const figures = { rate: median(rates), signatureShare: median(shares) };
  console.log(`  ${name}, ${sizes.events} events, median of ${rates.length}: ${int(figures.rate)} events/s, signatures ${(figures.signatureShare * 100).toFixed(1)} % of the time`);
  return figures;
}

/** Logging off (LOG_LEVEL silent), as in the other benchmarks: the API logs one line per request. */
function config(dataDir: string, databaseUrl?: string) {
  return loadConfig(benchEnvironment(dataDir, databaseUrl));
}

async function onPglite(sizes: Sizes): Promise<Figures> {
  const dataDir = temporaryDataDir();
  const app = await createApp(config(dataDir), { database: await openDatabase({ kind: 'pglite-memory' }) });
  try {
    console.log('pglite (in memory, in its worker thread of this process)');
    return await onEngine('pglite', app, sizes, null);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function onPostgres(sizes: Sizes): Promise<Figures | { unavailable: string }> {
  const database = await createBenchDatabase(postgresUrl());
  if ('unavailable' in database) return database;
  const dataDir = temporaryDataDir();
  let app: App | null = null;
  try {
    app = await createApp(config(dataDir, database.url));
    console.log(`postgres (database ${database.name}, the product's pool of 10 connections)`);
    return await onEngine('postgres', app, sizes, backendsCpu(app.mail.db));
  } finally {
    await app?.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function webhooks(options: BenchOptions): Promise<string> {
  const sizes = options.quick ? QUICK : FULL;
  console.log(
    `${sizes.events} signed delivered events per run, ${sizes.senders} concurrent senders over HTTP on loopback (in a process of their own), ${sizes.runs} counted run(s) after a warm-up`,
  );
  const pglite = await onPglite(sizes);
  const postgres = await onPostgres(sizes);
  const fields = (prefix: string, f: Figures) => `${prefix}rate=${int(f.rate)} ${prefix}signature_share=${f.signatureShare.toFixed(3)}`;
  if ('unavailable' in postgres) {
    console.log(`postgres skipped, unreachable (${postgres.unavailable}); the main BENCH fields below are PGlite's`);
    return `BENCH webhooks ${fields('', pglite)} ${fields('pglite_', pglite)}`;
  }
  return `BENCH webhooks ${fields('', postgres)} ${fields('pglite_', pglite)}`;
}
