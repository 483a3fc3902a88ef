// Runs the real `facteur` command (node bin/facteur.js) as a child process, with every wait bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = path.join(projectRoot, 'bin', 'facteur.js');

/** Settings the command reads; the caller's own settings are never inherited by accident. */
const OWN_SETTINGS = [
  'DATABASE_URL', 'FACTEUR_DATA_DIR', 'HOST', 'PORT', 'PUBLIC_URL', 'LOG_LEVEL', 'NODE_TEST_CONTEXT', 'NODE_OPTIONS',
  // Set, SMTP_LISTENER_PORT makes every `facteur start` of the tests listen for mail too.
  'SMTP_LISTENER_HOST', 'SMTP_LISTENER_PORT', 'SMTP_LISTENER_MAX_SIZE_MB',
];

export function facteurEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of OWN_SETTINGS) delete env[name];
  return { ...env, ...settings };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `facteur` process: its output so far, and bounded waits on it. */
export class FacteurProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<Finished>;
  private finished: Finished | undefined;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [binary, ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => {
        this.finished = { code, signal, stdout: this.stdout, stderr: this.stderr };
        resolve(this.finished);
      });
    });
    running.add(this);
    void this.exited.finally(() => running.delete(this)).catch(() => {});
  }

  get hasExited(): boolean {
    return this.finished !== undefined;
  }

  /** Waits until stdout matches, and returns the match; fails if the process exits first or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.finished) {
        throw new Error(`facteur exited (code ${this.finished.code}) before printing ${pattern}.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`facteur did not print ${pattern} within ${timeoutMs} ms.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the process to end; kills it (SIGKILL) and fails when it does not end in time. */
  async waitForExit(timeoutMs = 60_000): Promise<Finished> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        reject(new Error(`facteur did not exit within ${timeoutMs} ms.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal and waits for the process to end. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<Finished> {
    if (!this.finished) this.kill(signal);
    return this.waitForExit(timeoutMs);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.finished || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // already gone
    }
  }
}

const running = new Set<FacteurProcess>();

/** Starts `facteur <args>`; it keeps running until it exits or is stopped. */
export function startFacteur(args: string[], env: NodeJS.ProcessEnv): FacteurProcess {
  return new FacteurProcess(args, env);
}

/** Runs `facteur <args>` to its end, within the time limit. */
export function runFacteur(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<Finished> {
  return startFacteur(args, env).waitForExit(timeoutMs);
}

/** Kills (by pid) every facteur process this test file started and that still runs; for `after`. */
export async function killAllFacteurs(): Promise<void> {
  const left = [...running];
  for (const facteur of left) facteur.kill('SIGKILL');
  await Promise.all(left.map((p) => p.waitForExit(10_000).catch(() => undefined)));
}
