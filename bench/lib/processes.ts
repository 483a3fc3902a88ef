// Real Facteur worker processes (`node bin/facteur.js start --role worker`) on a PostgreSQL database of
// their own, and what the benchmark reads of a process from /proc: resident memory and CPU time.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { adminQuery } from './engines.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own on the server of `adminUrl`: worker processes use the default search_path,
 * so a schema is not enough. Null (with the reason) when the server refuses or cannot be reached.
 */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase | { unavailable: string }> {
  const name = `facteur_bench_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  } catch (error) {
    return { unavailable: `${adminUrl.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}` };
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface WorkerProcess {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node bin/facteur.js start --role worker` and resolves once it says it is running (its
 * listener is set up and it has looked at the queue once). `nodeOptions` go before the script
 * (e.g. --cpu-prof). The worker's own output is kept and shown only if it fails to start.
 */
export async function startWorker(env: Record<string, string>, nodeOptions: string[] = []): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeOptions, path.join(ROOT, 'bin/facteur.js'), 'start', '--role', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`The worker did not start within 60 s:\n${output}`)), 60_000);
    const onData = () => {
      if (output.includes('Facteur is running')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`The worker exited (code ${code}) while starting:\n${output}`));
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve();
    };
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process, in MB (VmRSS of /proc/<pid>/status); null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

export interface RssSampler {
  /** The largest VmRSS seen since the last reset, in MB. */
  peak(): number;
  /** The latest sample, in MB. */
  current(): number;
  resetPeak(): void;
  stop(): void;
}

/** Samples a process's VmRSS every `everyMs`. */
export function sampleRss(pid: number, everyMs = 100): RssSampler {
  let last = rssMb(pid) ?? 0;
  let peak = last;
  const timer = setInterval(() => {
    const value = rssMb(pid);
    if (value === null) return;
    last = value;
    if (value > peak) peak = value;
  }, everyMs);
  return {
    peak: () => peak,
    current: () => last,
    resetPeak: () => {
      peak = last;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * CPU of the PostgreSQL backends serving the bench database (workers' pools, listeners, the bench).
 * Backends that ended keep counting with their last reading, so that a total never goes down.
 */
export function backendsCpu(db: Db): () => Promise<number> {
  const seen = new Map<number, number>();
  return async () => {
    const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
    for (const { pid } of rows) seen.set(pid, cpuMs(pid) || (seen.get(pid) ?? 0));
    return [...seen.values()].reduce((a, b) => a + b, 0);
  };
}
