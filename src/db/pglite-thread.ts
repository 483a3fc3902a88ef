// The embedded PGlite database runs in a worker thread. PGlite is PostgreSQL compiled to WASM: run
// in the main thread, every query's CPU would stall the event loop that serves HTTP and drives SMTP
// connections (measured: the outbox worker sent 0.72× as fast as bare nodemailer, against 0.9× on
// PostgreSQL, whose queries run in another process). In its own thread it works in parallel.
import { Worker } from 'node:worker_threads';

export interface QueryResult {
  rows: unknown[];
  affectedRows?: number;
}

/** What kysely-pglite-dialect and openDatabase need of a PGlite client. */
export interface PgliteThread {
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly closed: boolean;
}

interface Reply {
  id?: number;
  op?: 'ready' | 'failed' | 'notify';
  ok?: boolean;
  result?: unknown;
  error?: Record<string, unknown>;
  channel?: string;
  payload?: string;
}

/** Starts the thread and opens the database in `directory` (in memory when absent). */
export async function startPgliteThread(directory?: string): Promise<PgliteThread> {
  const worker = new Worker(new URL('./pglite.worker.mjs', import.meta.url), { workerData: { directory } });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const subscribers = new Map<string, Set<(payload: string) => void>>();
  let nextId = 1;
  let closed = false;
  let exitError: Error | null = null;

  // The thread keeps the process alive only while a request waits for it, as an in-process
  // database would: an idle open database does not stop a command from exiting.
  worker.unref();
  const request = (op: string, fields: Record<string, unknown> = {}) => {
    if (exitError) return Promise.reject(exitError);
    const id = nextId++;
    if (waiting.size === 0) worker.ref();
    return new Promise<unknown>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, ...fields });
    });
  };
  const settle = (id: number) => {
    const entry = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
    return entry;
  };

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: Reply) => {
      if (reply.op === 'ready') return resolve();
      if (reply.op === 'failed') return reject(toError(reply.error ?? {}));
      if (reply.op === 'notify') {
        for (const onNotify of subscribers.get(reply.channel!) ?? []) onNotify(reply.payload ?? '');
        return;
      }
      const entry = settle(reply.id!);
      if (reply.ok) entry?.resolve(reply.result);
      else entry?.reject(toError(reply.error ?? {}));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      exitError = new Error(`the embedded database thread stopped (exit code ${code})`);
      reject(exitError);
      for (const id of [...waiting.keys()]) settle(id)?.reject(exitError);
    });
  });
  worker.ref();
  await ready;
  worker.unref();

  return {
    get closed() {
      return closed;
    },
    query: (sql, params = []) => request('query', { sql, params }) as Promise<QueryResult>,
    async listen(channel, onNotify) {
      if (!subscribers.has(channel)) subscribers.set(channel, new Set());
      subscribers.get(channel)!.add(onNotify);
      await request('listen', { channel });
      return async () => {
        subscribers.get(channel)?.delete(onNotify);
        if (subscribers.get(channel)?.size === 0 && !exitError) await request('unlisten', { channel });
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await request('close');
      worker.ref();
      await exited;
    },
  };
}

function toError(fields: Record<string, unknown>): Error {
  const error = new Error(String(fields.message ?? 'database error'));
  Object.assign(error, fields);
  return error;
}
