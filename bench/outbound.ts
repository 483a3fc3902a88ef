// Benchmark `outbound`: the outbox drained to a local SMTP sink (another process, discarding), against
// bare nodemailer with the same pool sending equivalent emails to the same sink. On PGlite in this
// process (drainQueue), and on PostgreSQL with 1, 2 and 4 real worker processes; plus the resident
// memory of a worker process while it drains a large queue. Targets and method in BENCHMARKS.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createApp, type App } from '../src/app.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { drainQueue } from '../src/outbox/worker.ts';
import type { BenchOptions } from './run.ts';
import { composeCost, timeBatches, type ComposeCost, type Phases } from './lib/batch-phases.ts';
import { newestProfile, summariseProfile } from './lib/cpu-profile.ts';
import { postgresUrl } from './lib/engines.ts';
import { createExternalPartners } from './lib/fixtures.ts';
import {
  benchConfig,
  benchEnvironment,
  checkDrained,
  createMailWorld,
  outboxCounts,
  queueEmails,
  rawShape,
  temporaryDataDir,
  type MailWorld,
} from './lib/outbound-fixtures.ts';
import { backendsCpu, createBenchDatabase, cpuMs, sampleRss, startWorker, type RssSampler, type WorkerProcess } from './lib/processes.ts';
import { rawMessages, sendRaw } from './lib/raw-nodemailer.ts';
import { startSink, type Sink } from './lib/sink.ts';
import { int, median, ratio } from './lib/stats.ts';

/** Facteur's worker defaults (src/outbox/worker.ts): 5 connections per server, batches of 100. */
const MAX_CONNECTIONS = 5;
const BATCH = 100;

const FULL = { emails: 10_000, runs: 3, warmup: 1_000, memory: [20_000, 100_000], phaseBatches: 20, asides: true };
const QUICK = { emails: 1_000, runs: 1, warmup: 200, memory: [3_000], phaseBatches: 5, asides: false };
type Sizes = typeof FULL;

interface RateRun {
  ms: number;
  rate: number;
  /** CPU of the sending process (the bench for raw and PGlite, the worker processes for PostgreSQL), ms per email. */
  senderCpu: number;
  sinkCpu: number;
  /** PostgreSQL backends of the bench database, ms per email (PostgreSQL only). */
  dbCpu: number | null;
  bytesPerEmail: number;
  connections: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perEmail = (value: number | null) => (value === null ? '' : `${value.toFixed(2)}`);

function describe(label: string, run: RateRun): string {
  const db = run.dbCpu === null ? '' : `, db ${perEmail(run.dbCpu)}`;
  return (
    `${label}: ${seconds(run.ms)}, ${int(run.rate)} emails/s; CPU ms/email: sender ${perEmail(run.senderCpu)}${db}, sink ${perEmail(run.sinkCpu)}; ` +
    `${int(run.bytesPerEmail)} bytes/email, ${run.connections} SMTP connections`
  );
}

/**
 * Wraps a timed sending: sink counts and CPU before and after, and a check that all `count` arrived.
 * The clock starts when `work` begins, or when it calls `started` (after untimed setup).
 */
async function measured(
  sink: Sink,
  count: number,
  senderCpu: () => number,
  dbCpu: (() => Promise<number>) | null,
  work: (started: () => Promise<void>) => Promise<void>,
): Promise<RateRun> {
  const before = await sink.stats();
  const sinkBefore = cpuMs(sink.pid);
  const cpuBefore = senderCpu();
  let start = performance.now();
  let dbBefore = 0;
  const started = async () => {
    start = performance.now();
    if (dbCpu) dbBefore = await dbCpu();
  };
  if (dbCpu) dbBefore = await dbCpu();
  await work(started);
  const ms = performance.now() - start;
  const cpu = senderCpu() - cpuBefore;
  const db = dbCpu ? (await dbCpu()) - dbBefore : null;
  const sinkCpu = cpuMs(sink.pid) - sinkBefore;
  const after = await sink.stats();
  const received = after.messages - before.messages;
  if (received !== count) throw new Error(`The sink received ${received} emails; expected ${count}.`);
  return {
    ms,
    rate: count / (ms / 1000),
    senderCpu: cpu / count,
    sinkCpu: sinkCpu / count,
    dbCpu: db === null ? null : db / count,
    bytesPerEmail: (after.bytes - before.bytes) / count,
    connections: after.connections - before.connections,
  };
}

const ownCpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Raw nodemailer: `count` equivalent emails, at most one batch (100) of sendMail calls pending. */
function rawRun(sink: Sink, count: number, resId: string, extra?: Record<string, unknown>): Promise<RateRun> {
  const message = rawMessages(rawShape(resId), count);
  return measured(sink, count, ownCpu, null, async () => {
    await sendRaw(sink.port, count, message, { maxConnections: MAX_CONNECTIONS, inFlight: BATCH, ...(extra ? { extra } : {}) });
  });
}

/** The queue, by state, from its partial indexes: cheap enough to poll every 100 ms while workers run. */
async function pendingEntries(db: Db): Promise<{ queued: number; sending: number }> {
  const { rows } = await sql<{ queued: number; sending: number }>`
    SELECT (SELECT count(*)::int FROM outbox WHERE state = 'queued') AS queued,
           (SELECT count(*)::int FROM outbox WHERE state = 'sending') AS sending`.execute(db);
  return rows[0]!;
}

/** Polls every 100 ms until no entry is queued or sending; `onPoll` gets what remains. */
async function waitDrained(db: Db, onPoll: (remaining: number) => void = () => {}): Promise<void> {
  let lastRemaining = Number.POSITIVE_INFINITY;
  let lastProgress = performance.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { queued, sending } = await pendingEntries(db);
    const remaining = queued + sending;
    onPoll(remaining);
    if (remaining === 0) return;
    if (remaining < lastRemaining) {
      lastRemaining = remaining;
      lastProgress = performance.now();
    } else if (performance.now() - lastProgress > 60_000) {
      throw new Error(`The outbox has not moved for 60 s: ${queued} queued, ${sending} sending.`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PGlite: the engine in this process, drained by drainQueue (what `facteur queue send` does).

interface EngineFigures {
  rate: number;
  rawRate: number;
  ratio: number;
}

async function pgliteFacteurRun(app: App, sink: Sink, world: MailWorld, partnerIds: number[], key: string): Promise<RateRun> {
  const messageId = await queueEmails(app.mail, world, key, partnerIds, true);
  const run = await measured(sink, partnerIds.length, ownCpu, null, async () => {
    await drainQueue(app.mail, () => {}, { batchSize: BATCH, maxConnections: MAX_CONNECTIONS });
  });
  const counts = await outboxCounts(app.mail.db, messageId);
  checkDrained(key, counts, partnerIds.length, partnerIds.length);
  return run;
}

async function onPglite(sink: Sink, sizes: Sizes): Promise<EngineFigures> {
  const dataDir = temporaryDataDir();
  const database = await openDatabase({ kind: 'pglite-memory' });
  const app = await createApp(benchConfig(dataDir), { database });
  try {
    const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(app.mail.db);
    console.log(`pglite (server ${rows[0]?.v}, in this process; drainQueue, batches of ${BATCH}, ${MAX_CONNECTIONS} connections)`);
    const world = await createMailWorld(app.mail, sink.port);
    const partnerIds = await createExternalPartners(app.mail.db, sizes.emails, 'out');
    console.log(describe(`  warm-up raw (${sizes.warmup})`, await rawRun(sink, sizes.warmup, 'pg-warm')));
    console.log(describe(`  warm-up Facteur (${sizes.warmup})`, await pgliteFacteurRun(app, sink, world, partnerIds.slice(0, sizes.warmup), 'pglite-warm')));
    const raw: RateRun[] = [];
    const facteur: RateRun[] = [];
    for (let run = 1; run <= sizes.runs; run++) {
      raw.push(await rawRun(sink, sizes.emails, `pglite-${run}`));
      console.log(describe(`  run ${run} raw nodemailer`, raw.at(-1)!));
      facteur.push(await pgliteFacteurRun(app, sink, world, partnerIds, `pglite-${run}`));
      console.log(describe(`  run ${run} Facteur`, facteur.at(-1)!));
    }
    const figures = summarise('pglite', raw, facteur, sizes);
    await phases(app, world, partnerIds, sizes, 'pglite');
    return figures;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function summarise(engine: string, raw: RateRun[], facteur: RateRun[], sizes: Sizes): EngineFigures {
  const rate = median(facteur.map((r) => r.rate));
  const rawRate = median(raw.map((r) => r.rate));
  console.log(
    `  ${engine}, ${sizes.emails} emails, median of ${facteur.length}: Facteur ${int(rate)} emails/s, raw nodemailer ${int(rawRate)} emails/s, ` +
      `ratio ${ratio(rate / rawRate)}; CPU ms/email: Facteur ${perEmail(median(facteur.map((r) => r.senderCpu)))}` +
      `${facteur[0]?.dbCpu != null ? ` + db ${perEmail(median(facteur.map((r) => r.dbCpu ?? 0)))}` : ''}, raw ${perEmail(median(raw.map((r) => r.senderCpu)))}`,
  );
  return { rate, rawRate, ratio: rate / rawRate };
}

/** Where a batch's time goes (instrumented, in this process, not counted above). */
async function phases(app: App, world: MailWorld, partnerIds: number[], sizes: Sizes, key: string): Promise<void> {
  const emails = Math.min(partnerIds.length, (sizes.phaseBatches + 1) * BATCH);
  const messageId = await queueEmails(app.mail, world, `${key}-phases`, partnerIds.slice(0, emails), true);
  const { rows } = await sql<{ id: number }>`SELECT id FROM outbox WHERE message_id = ${messageId} ORDER BY id LIMIT ${BATCH}`.execute(app.mail.db);
  const compose: ComposeCost = await composeCost(app.mail, rows.map((r) => r.id));
  const p: Phases = await timeBatches(app.mail, sizes.phaseBatches, BATCH, MAX_CONNECTIONS);
  await drainQueue(app.mail, () => {}, { batchSize: BATCH, maxConnections: MAX_CONNECTIONS });
  const per = (ms: number) => `${(ms / p.batches).toFixed(1)} ms`.padStart(9);
  const share = (ms: number) => `${((100 * ms) / p.wallMs).toFixed(0)} %`.padStart(5);
  console.log(`  where a batch of ${BATCH} goes (sendDueBatch instrumented, mean of ${p.batches} batches, ${(p.statements / p.batches).toFixed(0)} statements each; not counted above):`);
  console.log(`    ${per(p.wallMs)}        whole batch (${int((p.emails / p.wallMs) * 1000)} emails/s)`);
  console.log(`    ${per(p.claimMs)} ${share(p.claimMs)}  claimDueEntries (UPDATE … FOR UPDATE SKIP LOCKED)`);
  console.log(`    ${per(p.loadMs)} ${share(p.loadMs)}  loadEmailsToSend`);
  console.log(`    ${per(p.lookupsMs)} ${share(p.lookupsMs)}  servers, companies, reply secret, attachments`);
  console.log(`    ${per(p.composeMs)} ${share(p.composeMs)}  addressing + composeEmail + sendMail's synchronous part, for all ${BATCH} (SMTP sockets wait meanwhile)`);
  console.log(`    ${per(p.smtpTailMs)} ${share(p.smtpTailMs)}  SMTP: from the last email handed to nodemailer to the last accepted`);
  console.log(`    ${per(p.settleMs)} ${share(p.settleMs)}  settling transaction (markSent: outbox + notifications)`);
  console.log(
    `    JavaScript only, mean over ${compose.emails} emails × 5: one renderNotificationEmail ${compose.renderMs.toFixed(3)} ms (once per message and group per batch); ` +
      `decideAddressing + composeEmail ${compose.composeMs.toFixed(3)} ms per email`,
  );
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: real worker processes (`node bin/facteur.js start --role worker`).

interface PostgresFigures extends EngineFigures {
  rates: Record<1 | 2 | 4, number>;
  peakRssMb: number;
}

async function postgresFacteurRun(
  app: App,
  sink: Sink,
  world: MailWorld,
  workers: WorkerProcess[],
  partnerIds: number[],
  key: string,
  onPoll?: (remaining: number) => void,
): Promise<RateRun> {
  let messageId = 0;
  const workersCpu = () => workers.reduce((sum, w) => sum + cpuMs(w.pid), 0);
  const run = await measured(sink, partnerIds.length, workersCpu, backendsCpu(app.mail.db), async (started) => {
    // The clock starts when the post has committed: its NOTIFY wakes the workers at that moment.
    messageId = await queueEmails(app.mail, world, key, partnerIds, true);
    await started();
    await waitDrained(app.mail.db, onPoll);
  });
  checkDrained(key, await outboxCounts(app.mail.db, messageId), partnerIds.length, partnerIds.length);
  return run;
}

/**
 * The plan of the claim's inner SELECT for queued entries with the queue full, as claimDueEntries
 * (src/outbox/claim.store.ts) writes it, without FOR UPDATE SKIP LOCKED, so that it is read-only and
 * does not disturb the worker. Keep the two in step.
 */
async function claimPlan(db: Db): Promise<string> {
  const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>`
    EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM outbox
      WHERE channel = 'email' AND state = 'queued' AND next_attempt_at <= now()
      ORDER BY next_attempt_at, id LIMIT ${BATCH}`.execute(db);
  const plan = rows[0]!['QUERY PLAN'][0];
  const nodes: string[] = [];
  const walk = (node: PlanNode) => {
    const detail = node['Sort Method'] ? ` ${node['Sort Method']}` : node['Index Name'] ? ` ${node['Index Name']}` : '';
    nodes.push(`${node['Node Type']}${detail} (${node['Actual Rows']} rows)`);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan.Plan);
  return `${plan['Execution Time'].toFixed(1)} ms: ${nodes.join(' > ')}`;
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Sort Method'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** A worker process draining `size` entries: its RSS every 100 ms, shown at every tenth of the drain. */
async function memoryRun(app: App, sink: Sink, world: MailWorld, worker: WorkerProcess, sampler: RssSampler, partnerIds: number[]): Promise<{ peak: number; rate: number }> {
  const size = partnerIds.length;
  const before = sampler.current();
  sampler.resetPeak();
  const points: string[] = [];
  let nextTenth = 1;
  let plan = '';
  let planned = false;
  const run = await postgresFacteurRun(app, sink, world, [worker], partnerIds, `memory-${size}`, (remaining) => {
    if (!planned) {
      planned = true;
      void claimPlan(app.mail.db).then((p) => (plan = p), (e: Error) => (plan = e.message));
    }
    while (nextTenth <= 10 && size - remaining >= (size * nextTenth) / 10) {
      points.push(`${nextTenth * 10} %: ${sampler.current().toFixed(0)}`);
      nextTenth++;
    }
  });
  const peak = sampler.peak();
  console.log(describe(`  memory, 1 worker draining ${size}`, run));
  console.log(`    worker RSS MB: before ${before.toFixed(0)}; ${points.join(', ')}; peak ${peak.toFixed(1)}`);
  console.log(`    claim's SELECT with ~${size} queued: ${plan}`);
  return { peak, rate: run.rate };
}

async function onPostgres(sink: Sink, sizes: Sizes): Promise<PostgresFigures | { unavailable: string }> {
  const database = await createBenchDatabase(postgresUrl());
  if ('unavailable' in database) return database;
  const dataDir = temporaryDataDir();
  const environment = benchEnvironment(dataDir, database.url);
  const profileDir = process.env.BENCH_CPU_PROF;
  const workers: WorkerProcess[] = [];
  let app: App | null = null;
  try {
    app = await createApp(benchConfig(dataDir, database.url));
    const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(app.mail.db);
    console.log(`postgres (server ${rows[0]?.v}, database ${database.name}; worker processes: node bin/facteur.js start --role worker)`);
    const world = await createMailWorld(app.mail, sink.port);
    const partnerIds = await createExternalPartners(app.mail.db, Math.max(sizes.emails, ...sizes.memory), 'out');
    const runPartners = partnerIds.slice(0, sizes.emails);

    workers.push(await startWorker(environment, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : []));
    const sampler = sampleRss(workers[0]!.pid);
    console.log(`  worker started, RSS ${sampler.current().toFixed(0)} MB`);
    console.log(describe(`  warm-up raw (${sizes.warmup})`, await rawRun(sink, sizes.warmup, 'pg-warm')));
    console.log(describe(`  warm-up Facteur, 1 worker (${sizes.warmup})`, await postgresFacteurRun(app, sink, world, workers, partnerIds.slice(0, sizes.warmup), 'pg-warm')));

    const raw: RateRun[] = [];
    const kept: RateRun[] = [];
    const byWorkers: Record<1 | 2 | 4, RateRun[]> = { 1: [], 2: [], 4: [] };
    const runsWith = async (count: 1 | 2 | 4) => {
      for (let run = 1; run <= sizes.runs; run++) {
        if (count === 1) {
          raw.push(await rawRun(sink, sizes.emails, `pg-w1-${run}`));
          console.log(describe(`  run ${run} raw nodemailer`, raw.at(-1)!));
          if (sizes.asides) {
            // nodemailer's pool closes each connection after maxMessages (default 100; transportOptions
            // keeps the default): the same reference with connections kept open, right after it.
            kept.push(await rawRun(sink, sizes.emails, `pg-w1-${run}`, { maxMessages: Number.POSITIVE_INFINITY }));
            console.log(describe(`  run ${run} aside: raw nodemailer, maxMessages: Infinity`, kept.at(-1)!));
          }
        }
        byWorkers[count].push(await postgresFacteurRun(app!, sink, world, workers, runPartners, `pg-w${count}-${run}`));
        console.log(describe(`  run ${run} Facteur, ${count} worker${count > 1 ? 's' : ''}`, byWorkers[count].at(-1)!));
      }
    };
    await runsWith(1);
    const main = summarise('postgres, 1 worker', raw, byWorkers[1], sizes);
    if (kept.length > 0) {
      const keptRate = median(kept.map((r) => r.rate));
      console.log(
        `  aside, median of ${kept.length}: raw nodemailer ${int(main.rawRate)} emails/s with maxMessages 100 (the default), ` +
          `${int(keptRate)} with maxMessages: Infinity (×${ratio(keptRate / main.rawRate)})`,
      );
    }

    const memory: { size: number; peak: number; rate: number }[] = [];
    for (const size of sizes.memory) memory.push({ size, ...(await memoryRun(app, sink, world, workers[0]!, sampler, partnerIds.slice(0, size))) });
    sampler.stop();

    workers.push(await startWorker(environment));
    await runsWith(2);
    workers.push(...(await Promise.all([startWorker(environment), startWorker(environment)])));
    await runsWith(4);
    const rates = { 1: main.rate, 2: median(byWorkers[2].map((r) => r.rate)), 4: median(byWorkers[4].map((r) => r.rate)) };
    console.log(
      `  postgres, ${sizes.emails} emails, median of ${sizes.runs}: 1 worker ${int(rates[1])}, 2 workers ${int(rates[2])}, 4 workers ${int(rates[4])} emails/s ` +
        `(raw nodemailer, one process: ${int(main.rawRate)})`,
    );
    console.log(`  worker RSS peak: ${memory.map((m) => `${m.peak.toFixed(1)} MB draining ${m.size} (${int(m.rate)} emails/s)`).join('; ')}`);

    await Promise.all(workers.splice(0).map((w) => w.stop()));
    if (profileDir) printProfile(profileDir);
    await phases(app, world, runPartners, sizes, 'pg');
    return { ...main, rates, peakRssMb: Math.max(...memory.map((m) => m.peak)) };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await app?.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function printProfile(directory: string): void {
  const file = newestProfile(path.resolve(directory));
  if (!file) {
    console.log(`  no .cpuprofile in ${directory}`);
    return;
  }
  const { totalMs, buckets, functions } = summariseProfile(file);
  console.log(`  CPU profile of worker 1 (${file}, ${(totalMs / 1000).toFixed(1)} s sampled, whole life), self time:`);
  for (const b of buckets) console.log(`    ${(b.share * 100).toFixed(1).padStart(5)} %  ${b.bucket}`);
  console.log('  top functions:');
  for (const f of functions) console.log(`    ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.bucket}`);
}

export async function outbound(options: BenchOptions): Promise<string> {
  const sizes = options.quick ? QUICK : FULL;
  console.log(`${os.availableParallelism()} CPUs; ${sizes.emails} emails per run, ${sizes.runs} run(s) per case; SMTP sink in its own process`);
  const sink = await startSink();
  try {
    const pglite = await onPglite(sink, sizes);
    const postgres = await onPostgres(sink, sizes);
    if ('unavailable' in postgres) {
      console.log(`postgres skipped, unreachable (${postgres.unavailable}); the main BENCH fields below are PGlite's`);
      return (
        `BENCH outbound ratio=${ratio(pglite.ratio)} rate=${int(pglite.rate)} rss_mb=n/a pglite_ratio=${ratio(pglite.ratio)} ` +
        `pglite_rate=${int(pglite.rate)} rate_w1=n/a rate_w2=n/a rate_w4=n/a`
      );
    }
    return (
      `BENCH outbound ratio=${ratio(postgres.ratio)} rate=${int(postgres.rate)} rss_mb=${postgres.peakRssMb.toFixed(0)} ` +
      `pglite_ratio=${ratio(pglite.ratio)} pglite_rate=${int(pglite.rate)} ` +
      `rate_w1=${int(postgres.rates[1])} rate_w2=${int(postgres.rates[2])} rate_w4=${int(postgres.rates[4])}`
    );
  } finally {
    await sink.close();
  }
}
