// Benchmark `gateway`: the inbound gateway — store raw, parse, route, post — on copies of a realistic
// 10 KB reply, handed in as an IMAP fetch hands them (batches of 50, two batches in flight), against
// bare mailparser simpleParser on the same bytes, one after the other, in the same run. Aside: one
// message at a time (receiveInbound, as an SMTP session or the API hands them). On PGlite (in memory,
// in its worker thread) and on PostgreSQL (a database of its own). Targets and method in BENCHMARKS.md.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { analyzeNonEmptyTables } from '../src/db/statistics.ts';
import { receiveInbound, receiveInboundBatch, receiveInboundBatches, type ReceiveResult } from '../src/inbound/gateway.ts';
import { CHUNK_MESSAGES, CHUNKS_AHEAD } from '../src/inbound/imap-fetch.ts';
import { parseInbound } from '../src/inbound/parse.ts';
import { sanitizeReplyHtml } from '../src/inbound/rules/quote.ts';
import type { MailDeps } from '../src/mail/deps.ts';
import type { BenchOptions } from './run.ts';
import { summariseProfile } from './lib/cpu-profile.ts';
import { postgresUrl } from './lib/engines.ts';
import { benchEnvironment, temporaryDataDir } from './lib/outbound-fixtures.ts';
import { backendsCpu, cpuMs, createBenchDatabase, rssMb, sampleRss } from './lib/processes.ts';
import { createPeople, createThread, replyCopies, replyTemplate, type ReplyPeople, type ReplyTemplate, type ReplyWorld } from './lib/reply-fixtures.ts';
import { StatementTimer } from './lib/statement-timer.ts';
import { int, median, ratio } from './lib/stats.ts';

const FULL = { copies: 2_000, runs: 3, warmup: 1_000, asides: true, phaseMessages: 300, profile: true };
const QUICK = { copies: 300, runs: 1, warmup: 100, asides: false, phaseMessages: 100, profile: false };

/**
 * How the messages are handed in: `fetch` as the IMAP fetch does (chunks of `batch`, `ahead` chunks
 * parsed and stored while one is routed: receiveInboundBatches), `batch` one receiveInboundBatch after
 * the other, `single` one receiveInbound after the other (an SMTP session, the API).
 */
type Feed = { kind: 'fetch'; batch: number; ahead: number } | { kind: 'batch'; batch: number } | { kind: 'single' };
const FETCH: Feed = { kind: 'fetch', batch: CHUNK_MESSAGES, ahead: CHUNKS_AHEAD };
const ONE_BATCH_AT_A_TIME: Feed = { kind: 'batch', batch: CHUNK_MESSAGES };
const ONE_AT_A_TIME: Feed = { kind: 'single' };
const feedName = (feed: Feed) =>
  feed.kind === 'fetch'
    ? `as the IMAP fetch (chunks of ${feed.batch}, ${feed.ahead} ahead)`
    : feed.kind === 'batch'
      ? `one batch of ${feed.batch} at a time`
      : 'one message at a time';
type Sizes = typeof FULL;

/**
 * The options parseInbound gives simpleParser (PARSER_OPTIONS in src/inbound/parse.ts), so that the
 * reference parses as the gateway does. Keep the two in step.
 */
const PARSE_OPTIONS = { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, keepDeliveryStatus: true } as const;

/**
 * 2,000 replies from one sender to one thread within minutes would trip the sender-loop limit (20
 * in 120 minutes by default): raised so that every copy is posted. The check itself still runs.
 */
const LOOP_LIMIT = '100000';

interface Run {
  ms: number;
  rate: number;
  /** CPU of this process (all its threads, PGlite's included), ms per message. */
  cpu: number;
  /** Of which the main thread (parsing, routing, the post's JavaScript, Kysely, pg). */
  mainCpu: number;
  /** CPU of the PostgreSQL backends of the bench database, ms per message (PostgreSQL only). */
  dbCpu: number | null;
  rssMb: number;
}

const ownCpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** CPU of this process's main thread so far, in ms (/proc/self/task/<pid>/stat; 100 ticks/s). */
function mainThreadCpu(): number {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function measured(count: number, dbCpu: (() => Promise<number>) | null, work: () => Promise<void>): Promise<Run> {
  const dbBefore = dbCpu ? await dbCpu() : 0;
  const cpuBefore = ownCpu();
  const mainBefore = mainThreadCpu();
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  const cpu = ownCpu() - cpuBefore;
  const main = mainThreadCpu() - mainBefore;
  const db = dbCpu ? (await dbCpu()) - dbBefore : null;
  return { ms, rate: count / (ms / 1000), cpu: cpu / count, mainCpu: main / count, dbCpu: db === null ? null : db / count, rssMb: rssMb(process.pid) ?? 0 };
}

function describe(label: string, count: number, run: Run): string {
  const db = run.dbCpu === null ? '' : ` + PostgreSQL ${run.dbCpu.toFixed(2)}`;
  return (
    `${label}: ${count} in ${(run.ms / 1000).toFixed(2)} s, ${int(run.rate)} messages/s; ` +
    `CPU ms/message ${run.cpu.toFixed(2)} (main thread ${run.mainCpu.toFixed(2)})${db}; RSS ${run.rssMb.toFixed(0)} MB`
  );
}

/** The reference: simpleParser on each buffer, one after the other. */
function referenceRun(raws: Buffer[], dbCpu: (() => Promise<number>) | null): Promise<Run> {
  return measured(raws.length, dbCpu, async () => {
    for (const raw of raws) {
      const mail = await simpleParser(raw, PARSE_OPTIONS);
      if (!mail.messageId || typeof mail.html !== 'string') throw new Error('simpleParser did not read the reply.');
    }
  });
}

/** Hands the buffers to the gateway as `feed` says. */
async function feedGateway(deps: MailDeps, raws: Buffer[], feed: Feed): Promise<ReceiveResult[]> {
  const results: ReceiveResult[] = [];
  if (feed.kind === 'single') {
    for (const raw of raws) results.push(await receiveInbound(deps, { raw, source: 'api' }));
    return results;
  }
  const chunks: Buffer[][] = [];
  for (let i = 0; i < raws.length; i += feed.batch) chunks.push(raws.slice(i, i + feed.batch));
  if (feed.kind === 'batch') {
    for (const chunk of chunks) results.push(...(await receiveInboundBatch(deps, chunk.map((raw) => ({ raw, source: 'imap' as const })))));
    return results;
  }
  await receiveInboundBatches(
    deps,
    chunks,
    (raw) => ({ raw, source: 'imap' }),
    async (_, outcome) => {
      if ('error' in outcome) throw outcome.error;
      results.push(...outcome.results);
    },
    feed.ahead,
  );
  return results;
}

async function gatewayRun(app: App, world: ReplyWorld, raws: Buffer[], ids: string[], dbCpu: (() => Promise<number>) | null, feed: Feed): Promise<Run> {
  let results: ReceiveResult[] = [];
  const run = await measured(raws.length, dbCpu, async () => {
    results = await feedGateway(app.mail, raws, feed);
  });
  await checkPosted(app.mail.db, world, ids, results);
  return run;
}

/** A gateway that dropped or misrouted replies would look fast: check that every copy was posted. */
async function checkPosted(db: Db, world: ReplyWorld, ids: string[], results: ReceiveResult[]): Promise<void> {
  const wrong = results.filter((r) => r.duplicate || r.state !== 'routed' || r.route !== 'reply-token' || r.recordId !== world.recordId);
  if (results.length !== ids.length || wrong.length > 0) {
    throw new Error(`${results.length} results for ${ids.length} copies; ${wrong.length} not routed to the thread, e.g. ${JSON.stringify(wrong[0])}.`);
  }
  const { rows } = await sql<{ stored: number; routed: number; posted: number; emails: number }>`
    WITH i AS (SELECT state, record_id, message_id FROM inbound_emails WHERE rfc_message_id = any(${ids}::text[]))
    SELECT (SELECT count(*)::int FROM i) AS stored,
           (SELECT count(*)::int FROM i WHERE state = 'routed' AND record_id = ${world.recordId}) AS routed,
           (SELECT count(*)::int FROM messages m JOIN i ON i.message_id = m.id WHERE m.record_id = ${world.recordId} AND m.rfc_message_id = any(${ids}::text[])) AS posted,
           (SELECT count(*)::int FROM outbox o JOIN i ON o.message_id = i.message_id) AS emails`.execute(db);
  const counts = rows[0]!;
  const n = ids.length;
  if (counts.stored !== n || counts.routed !== n || counts.posted !== n || counts.emails !== n * world.emailsPerReply) {
    throw new Error(`Expected ${n} inbound emails stored and routed, ${n} messages posted and ${n * world.emailsPerReply} emails queued; found ${JSON.stringify(counts)}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Where a message's time goes (instrumented, not counted in the figures).

async function phases(app: App, world: ReplyWorld, template: ReplyTemplate, sizes: Sizes, key: string): Promise<void> {
  const n = sizes.phaseMessages;
  const { raws: toParse } = replyCopies(template, `${key}x`, n);
  let start = performance.now();
  for (const raw of toParse) await parseInbound(raw);
  const parseMs = (performance.now() - start) / n;
  const htmls: string[] = [];
  start = performance.now();
  for (const raw of toParse) htmls.push((await simpleParser(raw, PARSE_OPTIONS)).html as string);
  const simpleParserMs = (performance.now() - start) / n;
  start = performance.now();
  for (const html of htmls) sanitizeReplyHtml(html);
  const sanitizeMs = (performance.now() - start) / n;

  const { raws, ids } = replyCopies(template, `${key}s`, n);
  const timer = new StatementTimer();
  const deps = { ...app.mail, db: app.mail.db.withPlugin(timer) };
  start = performance.now();
  const results = await feedGateway(deps, raws, ONE_BATCH_AT_A_TIME);
  const wallMs = (performance.now() - start) / n;
  await checkPosted(app.mail.db, world, ids, results);
  const byCaller = new Map<string, { count: number; ms: number }>();
  for (const t of timer.timings) {
    const entry = byCaller.get(t.caller) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += t.end - t.start;
    byCaller.set(t.caller, entry);
  }
  const statementsMs = timer.timings.reduce((sum, t) => sum + (t.end - t.start), 0) / n;
  const pad = (ms: number) => `${ms.toFixed(3)} ms`.padStart(10);
  const share = (ms: number) => `${((100 * ms) / wallMs).toFixed(0)} %`.padStart(5);
  const batches = Math.ceil(n / CHUNK_MESSAGES);
  console.log(
    `  where a message goes (${feedName(ONE_BATCH_AT_A_TIME)}, every statement timed; ${n} messages, ${(timer.timings.length / batches).toFixed(1)} statements a batch; per message; not counted above):`,
  );
  console.log(`    ${pad(wallMs)}        whole receiveInboundBatch (${int(1000 / wallMs)} messages/s)`);
  console.log(`    ${pad(statementsMs)} ${share(statementsMs)}  the statements below, from the call to its parsed result (BEGIN/COMMIT not included)`);
  for (const [caller, { count, ms }] of [...byCaller.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`    ${pad(ms / n)} ${share(ms / n)}    ${(count / batches).toFixed(1).padStart(4)} × ${caller}`);
  }
  const rest = wallMs - statementsMs;
  console.log(`    ${pad(rest)} ${share(rest)}  everything else: parsing (in the pool's threads), routing, post rules, BEGIN/COMMIT`);
  console.log(
    `    apart, same bytes, on this thread: parseInbound ${parseMs.toFixed(3)} ms, of which simpleParser ${simpleParserMs.toFixed(3)} ms and ` +
      `sanitizeReplyHtml of the HTML ${sanitizeMs.toFixed(3)} ms`,
  );
}

/** A CPU profile of this process's main thread while the gateway takes `count` more copies. */
async function profile(app: App, world: ReplyWorld, template: ReplyTemplate, count: number, key: string): Promise<void> {
  const { raws, ids } = replyCopies(template, key, count);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const results = await feedGateway(app.mail, raws, FETCH);
  const { profile: taken } = await session.post('Profiler.stop');
  session.disconnect();
  await checkPosted(app.mail.db, world, ids, results);
  const file = path.join(os.tmpdir(), `facteur-gateway-${process.pid}-${key}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(taken));
  const { totalMs, buckets, functions } = summariseProfile(file, 12);
  fs.rmSync(file, { force: true });
  console.log(`  CPU profile of the main thread, ${count} messages (${(totalMs / 1000).toFixed(2)} s sampled; neither PGlite's thread nor the parsing threads are in it), self time:`);
  for (const b of buckets) console.log(`    ${(b.share * 100).toFixed(1).padStart(5)} %  ${b.bucket}`);
  console.log('  top functions:');
  for (const f of functions) console.log(`    ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.bucket}`);
}

// ---------------------------------------------------------------------------------------------

interface EngineFigures {
  rate: number;
  parseRate: number;
  ratio: number;
  /** Asides (full mode): one batch at a time, and one message at a time. */
  oneBatchRate: number | null;
  oneMessageRate: number | null;
}

/** A fresh thread and its reply: every run starts from the same state (the thread's messages count, see below). */
async function freshThread(app: App, people: ReplyPeople, resId: string, send = false): Promise<{ world: ReplyWorld; template: ReplyTemplate }> {
  const world = await createThread(app.mail, people, resId, send);
  return { world, template: await replyTemplate(world) };
}

async function onEngine(name: string, app: App, sizes: Sizes, dbCpu: (() => Promise<number>) | null): Promise<EngineFigures> {
  const people = await createPeople(app.mail);
  const key = name === 'postgres' ? 'pg' : 'pl';
  const first = await freshThread(app, people, 'S00000', true);
  console.log(`  the reply: ${first.template.raw.length} bytes, multipart/alternative (text + HTML, quoted history), to ${first.world.replyTo}`);

  const warm = replyCopies(first.template, `${key}w`, sizes.warmup);
  console.log(describe(`  warm-up simpleParser`, sizes.warmup, await referenceRun(warm.raws, dbCpu)));
  console.log(describe(`  warm-up gateway`, sizes.warmup, await gatewayRun(app, first.world, warm.raws, warm.ids, dbCpu, FETCH)));
  // What the scheduler does on PGlite every 10 minutes and autovacuum on PostgreSQL: statistics of the filled tables.
  await analyzeNonEmptyTables(app.mail.db);

  const reference: Run[] = [];
  const gateway: Run[] = [];
  const sampler = sampleRss(process.pid);
  for (let run = 1; run <= sizes.runs; run++) {
    const { world, template } = await freshThread(app, people, `S0000${run}`);
    const { raws, ids } = replyCopies(template, `${key}${run}`, sizes.copies);
    reference.push(await referenceRun(raws, dbCpu));
    console.log(describe(`  run ${run} simpleParser`, sizes.copies, reference.at(-1)!));
    gateway.push(await gatewayRun(app, world, raws, ids, dbCpu, FETCH));
    console.log(describe(`  run ${run} gateway`, sizes.copies, gateway.at(-1)!));
    console.log(`    ratio ${ratio(gateway.at(-1)!.rate / reference.at(-1)!.rate)}`);
  }
  const rate = median(gateway.map((r) => r.rate));
  const parseRate = median(reference.map((r) => r.rate));
  const dbPart = gateway[0]?.dbCpu != null ? ` + PostgreSQL ${median(gateway.map((r) => r.dbCpu ?? 0)).toFixed(2)}` : '';
  console.log(
    `  ${name}, ${sizes.copies} messages, median of ${gateway.length}: gateway ${int(rate)} messages/s, simpleParser ${int(parseRate)} messages/s, ` +
      `ratio ${ratio(rate / parseRate)} (each run: ${gateway.map((g, i) => ratio(g.rate / reference[i]!.rate)).join(', ')}); ` +
      `CPU ms/message: gateway ${median(gateway.map((r) => r.cpu)).toFixed(2)} (main thread ${median(gateway.map((r) => r.mainCpu)).toFixed(2)})${dbPart}, ` +
      `simpleParser ${median(reference.map((r) => r.cpu)).toFixed(2)}; ` +
      `peak RSS ${sampler.peak().toFixed(0)} MB`,
  );
  sampler.stop();

  // Asides: one batch at a time (a single fetch), and one message at a time (an SMTP session, the API).
  const aside = async (feed: Feed, resId: string, suffix: string): Promise<number | null> => {
    if (!sizes.asides) return null;
    const { world, template } = await freshThread(app, people, resId);
    const { raws, ids } = replyCopies(template, `${key}${suffix}`, sizes.copies);
    const run = await gatewayRun(app, world, raws, ids, dbCpu, feed);
    console.log(describe(`  aside: gateway, ${feedName(feed)}`, sizes.copies, run) + ` (ratio ${ratio(run.rate / parseRate)}, ×${ratio(run.rate / rate)} the main median)`);
    return run.rate;
  };
  const oneBatchRate = await aside(ONE_BATCH_AT_A_TIME, 'S00010', 'b');
  const oneMessageRate = await aside(ONE_AT_A_TIME, 'S00011', 'm');

  const { world, template } = await freshThread(app, people, 'S00020');
  await phases(app, world, template, sizes, key);
  if (sizes.profile) await profile(app, world, template, sizes.phaseMessages, `${key}f`);
  return { rate, parseRate, ratio: rate / parseRate, oneBatchRate, oneMessageRate };
}

function benchConfig(dataDir: string, databaseUrl?: string) {
  return loadConfig({ ...benchEnvironment(dataDir, databaseUrl), INBOUND_LOOP_LIMIT: LOOP_LIMIT });
}

async function onPglite(sizes: Sizes): Promise<EngineFigures> {
  const dataDir = temporaryDataDir();
  const app = await createApp(benchConfig(dataDir), { database: await openDatabase({ kind: 'pglite-memory' }) });
  try {
    const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(app.mail.db);
    console.log(`pglite (server ${rows[0]?.v}, in memory, in its worker thread of this process)`);
    return await onEngine('pglite', app, sizes, null);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function onPostgres(sizes: Sizes): Promise<EngineFigures | { unavailable: string }> {
  const database = await createBenchDatabase(postgresUrl());
  if ('unavailable' in database) return database;
  const dataDir = temporaryDataDir();
  let app: App | null = null;
  try {
    app = await createApp(benchConfig(dataDir, database.url));
    const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(app.mail.db);
    console.log(`postgres (server ${rows[0]?.v}, database ${database.name}, the product's pool of 10 connections)`);
    return await onEngine('postgres', app, sizes, backendsCpu(app.mail.db));
  } finally {
    await app?.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const fields = (prefix: string, f: EngineFigures) =>
  `${prefix}ratio=${ratio(f.ratio)} ${prefix}rate=${int(f.rate)} ${prefix}parse_rate=${int(f.parseRate)} ` +
  `${prefix}one_batch_rate=${f.oneBatchRate === null ? 'n/a' : int(f.oneBatchRate)} ${prefix}one_message_rate=${f.oneMessageRate === null ? 'n/a' : int(f.oneMessageRate)}`;

export async function gateway(options: BenchOptions): Promise<string> {
  const sizes = options.quick ? QUICK : FULL;
  console.log(
    `${sizes.copies} copies of the reply per run, ${sizes.runs} counted run(s) after a warm-up of ${sizes.warmup}; ` +
      `the gateway is fed ${feedName(FETCH)}, the reference one message after the other` +
      `${sizes.asides ? `; asides: ${feedName(ONE_BATCH_AT_A_TIME)}, and ${feedName(ONE_AT_A_TIME)}` : ''}`,
  );
  const pglite = await onPglite(sizes);
  const postgres = await onPostgres(sizes);
  if ('unavailable' in postgres) {
    console.log(`postgres skipped, unreachable (${postgres.unavailable}); the main BENCH fields below are PGlite's`);
    return `BENCH gateway ${fields('', pglite)} ${fields('pglite_', pglite)}`;
  }
  return `BENCH gateway ${fields('', postgres)} ${fields('pglite_', pglite)}`;
}
