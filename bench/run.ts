// `npm run bench [-- NAME...] [--quick]`: runs the named benchmarks (all when none is named), each from
// bench/NAME.ts, then prints one `BENCH NAME key=value…` line per benchmark, last, for tools to read.
import os from 'node:os';

export interface BenchOptions {
  /** Smaller sizes and fewer runs: a smoke test that finishes in well under a minute. */
  quick: boolean;
}

/** A benchmark returns its BENCH line; its progress goes to the console as it runs. */
type Benchmark = (options: BenchOptions) => Promise<string>;

/** A wrong command line: the message is enough, a stack trace would only hide it. */
class UsageError extends Error {}

// Listed here rather than discovered, so that a typo in a name is an error and not an import attempt.
const BENCHMARKS = ['chatter', 'fanout', 'gateway', 'outbound', 'webhooks'] as const;

async function loadBenchmark(name: (typeof BENCHMARKS)[number]): Promise<Benchmark> {
  const module = (await import(`./${name}.ts`)) as Record<string, unknown>;
  const benchmark = module[name];
  if (typeof benchmark !== 'function') throw new Error(`bench/${name}.ts does not export a function named ${name}.`);
  return benchmark as Benchmark;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Shown before and after each benchmark: figures taken while something else ran are not comparable. */
function load(): string {
  return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const unknownFlags = argv.filter((a) => a.startsWith('-') && a !== '--quick');
  const names = argv.filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
  if (unknownFlags.length > 0 || unknown.length > 0) {
    throw new UsageError(`Unknown ${[...unknownFlags, ...unknown].join(', ')}. Usage: npm run bench [-- ${BENCHMARKS.join('|')}] [--quick]`);
  }
  const selected = names.length > 0 ? (names as (typeof BENCHMARKS)[number][]) : [...BENCHMARKS];
  console.log(`${machine()}${quick ? ', --quick' : ''}`);
  const lines: string[] = [];
  for (const name of selected) {
    const started = performance.now();
    console.log(`== ${name} (${load()})`);
    lines.push(await (await loadBenchmark(name))({ quick }));
    console.log(`== ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s (${load()})`);
  }
  for (const line of lines) console.log(line);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
