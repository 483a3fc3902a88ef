// Benchmark `chatter` (issue 6, quality bar): how long the chatter of a record with 1,000 messages
// takes to open in a real browser (Debian's Chromium, headless), from the navigation to the newest
// message drawn — the thread, its envelopes and the followers read through the HTTP API. The issue's
// bar is one second: ratio = median opening time / 1,000 ms (below 1 meets it). On PGlite and
// PostgreSQL, each with the product's HTTP server on loopback. Method and figures in BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { SYSTEM } from '../src/chatter/actor.ts';
import { createCompany } from '../src/chatter/companies.ts';
import { createPartner } from '../src/chatter/partners.ts';
import { followRecord } from '../src/chatter/followers.ts';
import { postMessage } from '../src/chatter/post.ts';
import { registerRecord } from '../src/chatter/records.ts';
import { createUser } from '../src/chatter/users.ts';
import { createApp } from '../src/app.ts';
import { openDatabase, type OpenedDatabase } from '../src/db/database.ts';
import { buildHttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/log.ts';
import { drainQueue } from '../src/outbox/worker.ts';
import { buildUi } from '../scripts/build-ui.mjs';
import type { BenchOptions } from './run.ts';
import { adminQuery, postgresUrl } from './lib/engines.ts';
import { benchConfig, temporaryDataDir } from './lib/outbound-fixtures.ts';
import { int, median, ratio } from './lib/stats.ts';

const FULL = { messages: 1000, opens: 7 };
const QUICK = { messages: 1000, opens: 3 };
const BAR_MS = 1000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function openEngine(name: 'pglite' | 'postgres'): Promise<{ database: OpenedDatabase; drop: () => Promise<void> } | null> {
  if (name === 'pglite') return { database: await openDatabase({ kind: 'pglite-memory' }), drop: async () => {} };
  const url = postgresUrl();
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(url, `CREATE SCHEMA ${schema}`);
  } catch (error) {
    console.log(`  PostgreSQL unavailable (${(error as Error).message}): skipped`);
    return null;
  }
  return { database: await openDatabase({ kind: 'postgres', url, searchPath: schema }), drop: () => adminQuery(url, `DROP SCHEMA ${schema} CASCADE`) };
}

/** Median milliseconds to open the chatter, on one engine. */
async function measure(name: 'pglite' | 'postgres', sizes: typeof FULL): Promise<number | null> {
  const engine = await openEngine(name);
  if (!engine) return null;
  const app = await createApp(benchConfig(temporaryDataDir()), { database: engine.database, log: createLogger({ logLevel: 'silent' }) });
  const server = await buildHttpServer(app);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const deps = app.chatter;
    const company = await createCompany(deps, SYSTEM, { name: 'Bench', aliasDomain: { domain: 'chatter.bench.example.com' } });
    const ref = { model: 'project.task', resId: '1000' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'A long-running task', companyId: company.id });
    for (const n of [1, 2, 3]) {
      const partner = await createPartner(deps, SYSTEM, { name: `Customer ${n}`, email: `customer${n}@chatter.bench.example.com` });
      await followRecord(deps, SYSTEM, ref, { partnerId: partner.id });
    }
    const reader = await createUser(deps, SYSTEM, { login: 'reader', role: 'internal', password: 'bench-password', partner: { name: 'Reader' } });
    const started = Date.now();
    for (let i = 1; i <= sizes.messages; i++) {
      await postMessage(deps, SYSTEM, ref, { kind: i % 5 === 0 ? 'note' : 'comment', body: `<p>Update number ${i}: the work goes on.</p>` });
    }
    await drainQueue(app.mail); // every message has its three envelopes, sent
    console.log(`  ${name}: ${sizes.messages} messages posted and sent in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    const page = await (await browser.newContext({ baseURL: baseUrl })).newPage();
    await page.goto('/');
    await page.getByLabel('Login').fill('reader');
    await page.getByLabel('Password').fill('bench-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.topbar').waitFor();
    const newest = `Update number ${sizes.messages}: the work goes on.`;
    await page.goto('/records/project.task/1000');
    await page.getByText(newest).waitFor(); // the browser has the assets cached, as after a first visit
    const timings: number[] = [];
    for (let run = 0; run < sizes.opens; run++) {
      const opened = Date.now();
      await page.goto('/records/project.task/1000');
      await page.getByText(newest).waitFor();
      timings.push(Date.now() - opened);
    }
    console.log(`  ${name}: opened in ${timings.join(', ')} ms`);
    return median(timings);
  } finally {
    await browser.close();
    await server.close();
    await app.close();
    await engine.drop();
  }
}

export async function chatter(options: BenchOptions): Promise<string> {
  await buildUi();
  const sizes = options.quick ? QUICK : FULL;
  const postgres = await measure('postgres', sizes);
  const pglite = await measure('pglite', sizes);
  const worst = Math.max(postgres ?? 0, pglite ?? 0);
  return `BENCH chatter ratio=${ratio(worst / BAR_MS)} messages=${sizes.messages} postgres_open_ms=${postgres === null ? 'skipped' : int(postgres)} pglite_open_ms=${pglite === null ? 'skipped' : int(pglite)} bar_ms=${BAR_MS}`;
}
