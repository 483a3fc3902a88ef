// Starts bench/lib/smtp-sink.ts in a child process and talks to it over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SinkStats {
  messages: number;
  bytes: number;
  connections: number;
}

export interface Sink {
  port: number;
  pid: number;
  stats(): Promise<SinkStats>;
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./smtp-sink.ts', import.meta.url));

function once<T>(child: ChildProcess, accept: (message: unknown) => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`The SMTP sink did not answer (${what}) within ${timeoutMs / 1000} s.`)), timeoutMs);
    const onMessage = (message: unknown) => {
      const value = accept(message);
      if (value !== undefined) finish(null, value);
    };
    const onExit = (code: number | null) => finish(new Error(`The SMTP sink exited (code ${code}) while waiting for ${what}.`));
    const finish = (error: Error | null, value?: T) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export async function startSink(): Promise<Sink> {
  const child = fork(SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await once(child, (m) => (typeof (m as { ready?: unknown }).ready === 'number' ? (m as { ready: number }).ready : undefined), 'its port');
  return {
    port,
    pid: child.pid!,
    async stats() {
      const answer = once(child, (m) => (typeof (m as SinkStats).messages === 'number' ? (m as SinkStats) : undefined), 'its counts');
      child.send({ get: 'stats' });
      return answer;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await exited;
    },
  };
}
