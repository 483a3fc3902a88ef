// Parsing is the gateway's heaviest JavaScript: mailparser, then sanitize-html on the HTML part
// (about 1.4 ms for a 10 KB reply, where storing and posting it take a fraction of that). A batch
// is parsed in worker threads, so that the main thread stays free to route and store the batch
// before it, and to serve HTTP and SMTP meanwhile. If a thread cannot be had, or dies, the message
// is parsed here instead: parsing never fails for want of a thread.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseInbound, type ParsedInbound } from './parse.ts';

interface Reply {
  id?: number;
  ready?: boolean;
  parsed?: ParsedInbound;
}

interface ParseThread {
  worker: Worker;
  ready: Promise<void>;
  waiting: Map<number, { resolve: (parsed: ParsedInbound) => void; reject: (error: Error) => void }>;
}

let size = poolSizeFor('pglite');
let threads: ParseThread[] | null = null;
let nextId = 1;

/**
 * One thread per core, up to four; with the embedded database, one core fewer, for its own thread in
 * this process (PostgreSQL works in processes of its own). Measured on 2 cores: two parsing threads
 * next to PGlite's slowed the gateway down, next to PostgreSQL they sped it up (BENCHMARKS.md, gateway).
 */
export function sizeParsePool(engine: 'pglite' | 'postgres'): void {
  size = poolSizeFor(engine);
  if (threads && threads.length !== size) {
    // Started for another database in this process (a benchmark runs both): the next batch starts anew.
    for (const thread of threads) if (thread.waiting.size === 0) void thread.worker.terminate();
    threads = null;
  }
}

function poolSizeFor(engine: 'pglite' | 'postgres'): number {
  const cores = os.availableParallelism();
  return Math.max(1, Math.min(4, engine === 'pglite' ? cores - 1 : cores));
}

/** Parses the messages in the pool's threads; results in the order given. */
export function parseInThreads(inputs: { raw: Buffer; identity?: Buffer | undefined }[]): Promise<ParsedInbound[]> {
  threads ??= Array.from({ length: size }, startThread);
  return Promise.all(
    inputs.map((input) => {
      const thread = threads!.reduce((least, t) => (t.waiting.size < least.waiting.size ? t : least));
      return parseIn(thread, input).catch(() => parseInbound(input.raw, input.identity));
    }),
  );
}

function startThread(): ParseThread {
  const worker = new Worker(new URL('./parse.worker.mjs', import.meta.url), { execArgv: [] });
  const waiting: ParseThread['waiting'] = new Map();
  // Idle, the thread does not keep the process alive (a CLI command exits when its work is done).
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: Reply) => {
      if (reply.ready) return resolve();
      const entry = waiting.get(reply.id!);
      waiting.delete(reply.id!);
      if (waiting.size === 0) worker.unref();
      entry?.resolve(withBuffers(reply.parsed!));
    });
    const stopped = (error: Error) => {
      // Later batches start new threads; what waited here is parsed on the main thread.
      if (threads) threads = threads.filter((t) => t.worker !== worker);
      if (threads?.length === 0) threads = null;
      reject(error);
      for (const entry of waiting.values()) entry.reject(error);
      waiting.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the parsing thread stopped (exit code ${code})`)));
  });
  ready.catch(() => {});
  return { worker, ready, waiting };
}

async function parseIn(thread: ParseThread, input: { raw: Buffer; identity?: Buffer | undefined }): Promise<ParsedInbound> {
  const id = nextId++;
  const parsed = new Promise<ParsedInbound>((resolve, reject) => thread.waiting.set(id, { resolve, reject }));
  thread.worker.ref();
  await thread.ready;
  thread.worker.postMessage({ id, raw: input.raw, identity: input.identity });
  return parsed;
}

/** Buffers arrive as Uint8Arrays: made Buffers again (same memory), as parseInbound returns them. */
function withBuffers(parsed: ParsedInbound): ParsedInbound {
  return { ...parsed, attachments: parsed.attachments.map((a) => ({ ...a, content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) })) };
}
