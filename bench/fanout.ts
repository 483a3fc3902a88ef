// Benchmark `fanout`: one message to 10,000 email followers against bare multi-row INSERTs of the same
// rows, and the rate of small posts (10 followers), on PGlite and on PostgreSQL. Targets in BENCHMARKS.md.
import type { ChatterDeps } from '../src/chatter/deps.ts';
import { createLogger } from '../src/log.ts';
import type { BenchOptions } from './run.ts';
import { openPglite, openPostgres, type BenchEngine } from './lib/engines.ts';
import { createExternalPartners } from './lib/fixtures.ts';
import { burstRun, fanoutRun, postBreakdown, type Breakdown, type FanoutRun } from './lib/posting.ts';
import { createReferenceTables } from './lib/reference.ts';
import { int, median, ms, ratio } from './lib/stats.ts';

const FULL = { recipients: 10_000, fanoutRuns: 5, burstFollowers: 10, burstMessages: 1_000, burstRuns: 5 };
const QUICK = { recipients: 2_000, fanoutRuns: 3, burstFollowers: 10, burstMessages: 500, burstRuns: 3 };
type Sizes = typeof FULL;

interface EngineFigures {
  ratio: number;
  recipientsPerS: number;
  messagesPerS: number;
}

/** The headline: median post and reference times over fresh records; the ratio is of the medians. */
async function measureFanout(deps: ChatterDeps, sizes: Sizes): Promise<Pick<EngineFigures, 'ratio' | 'recipientsPerS'>> {
  const partnerIds = await createExternalPartners(deps.db, sizes.recipients, 'fan');
  const recipients = partnerIds.map((partnerId, i) => ({ partnerId, email: `fan${i + 1}@example.com` }));
  await createReferenceTables(deps.db);
  // Run 0 warms up code paths, caches and buffers; it is shown but not counted.
  const runs: FanoutRun[] = [];
  for (let run = 0; run <= sizes.fanoutRuns; run++) {
    const result = await fanoutRun(deps, `fanout-${run}`, recipients, 1 + run * sizes.recipients);
    console.log(`  fan-out run ${run}${run === 0 ? ' (warm-up)' : ''}: post ${ms(result.postMs)}, reference ${ms(result.referenceMs)}, ratio ${ratio(result.postMs / result.referenceMs)}`);
    if (run > 0) runs.push(result);
  }
  const postMs = median(runs.map((r) => r.postMs));
  const referenceMs = median(runs.map((r) => r.referenceMs));
  const figures = { ratio: postMs / referenceMs, recipientsPerS: sizes.recipients / (postMs / 1000) };
  console.log(`  fan-out to ${sizes.recipients} email followers, median of ${runs.length}: post ${ms(postMs)}, reference ${ms(referenceMs)}, ratio ${ratio(figures.ratio)}, ${int(figures.recipientsPerS)} recipients/s`);
  printBreakdown(await postBreakdown(deps, 'fanout-breakdown', partnerIds));
  return figures;
}

/** Small posts one after the other: what a busy thread costs, round trips included. */
async function measureMessages(deps: ChatterDeps, sizes: Sizes): Promise<number> {
  const partnerIds = await createExternalPartners(deps.db, sizes.burstFollowers, 'burst');
  const rates: number[] = [];
  for (let run = 1; run <= sizes.burstRuns; run++) rates.push(await burstRun(deps, `burst-${run}`, partnerIds, sizes.burstMessages));
  const messagesPerS = median(rates);
  console.log(`  ${sizes.burstMessages} posts to ${sizes.burstFollowers} followers, median of ${rates.length}: ${rates.map(int).join(', ')} messages/s; median ${int(messagesPerS)}`);
  printBreakdown(await postBreakdown(deps, 'burst-breakdown', partnerIds, 100));
  return messagesPerS;
}

function printBreakdown(breakdown: Breakdown): void {
  const what = breakdown.posts === 1 ? `one post's ${ms(breakdown.totalMs)}` : `a post's ${ms(breakdown.totalMs)} (mean of ${breakdown.posts})`;
  console.log(`  where ${what} goes (instrumented, not counted above):`);
  console.log(`    ${ms(breakdown.beforeMs).padStart(10)}  before the first statement (validation, sanitising, BEGIN)`);
  for (const s of breakdown.statements) console.log(`    ${ms(s.ms).padStart(10)}  ${s.caller}`);
  const inStatements = breakdown.statements.reduce((sum, s) => sum + s.ms, 0);
  const between = breakdown.totalMs - breakdown.beforeMs - breakdown.afterMs - inStatements;
  console.log(`    ${ms(between).padStart(10)}  between statements (JavaScript: recipient rules, building parameters)`);
  console.log(`    ${ms(breakdown.afterMs).padStart(10)}  after the last statement (COMMIT)`);
}

async function onEngine(open: () => Promise<BenchEngine>, sizes: Sizes): Promise<EngineFigures> {
  const engine = await open();
  try {
    console.log(`${engine.name} (server ${engine.version})`);
    const deps: ChatterDeps = { db: engine.db, log: createLogger({ logLevel: 'silent' }) };
    const fanout = await measureFanout(deps, sizes);
    return { ...fanout, messagesPerS: await measureMessages(deps, sizes) };
  } finally {
    await engine.close();
  }
}

export async function fanout(options: BenchOptions): Promise<string> {
  const sizes = options.quick ? QUICK : FULL;
  const pglite = await onEngine(openPglite, sizes);
  const postgres = await openPostgres();
  let main = pglite;
  if ('unavailable' in postgres) {
    console.log(`postgres skipped, unreachable (${postgres.unavailable}); the main BENCH fields below are PGlite's`);
  } else {
    main = await onEngine(async () => postgres, sizes);
  }
  return (
    `BENCH fanout ratio=${ratio(main.ratio)} recipients_per_s=${int(main.recipientsPerS)} ` +
    `pglite_ratio=${ratio(pglite.ratio)} pglite_recipients_per_s=${int(pglite.recipientsPerS)} ` +
    `messages_per_s=${int(main.messagesPerS)} pglite_messages_per_s=${int(pglite.messagesPerS)}`
  );
}
