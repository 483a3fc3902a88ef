// @ts-check
// The embedded PGlite database, in a thread of its own (see pglite-thread.ts for why). Plain
// JavaScript: a worker thread does not inherit the TypeScript loader that `facteur` registers.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @type {PGlite} */
let client;
try {
  client = await PGlite.create(workerData.directory);
  port.postMessage({ op: 'ready' });
} catch (error) {
  port.postMessage({ op: 'failed', error: plainError(error) });
  process.exit(1);
}

/** @type {Map<string, () => Promise<void>>} */
const listeners = new Map();

// bytea (OID 17) travels as hex text (`\x…`). PGlite's own converters build it one byte at a time
// (Array.from(bytes).map(…).join('')): about a millisecond for a 10 KB email. Node's hex codec does the
// same in microseconds.
const BYTEA = 17;
const QUERY_OPTIONS = {
  serializers: {
    [BYTEA]: (/** @type {Uint8Array | string} */ value) =>
      typeof value === 'string' ? value : `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`,
  },
  parsers: { [BYTEA]: (/** @type {string} */ text) => Buffer.from(text.slice(2), 'hex') },
};

port.on('message', async (/** @type {{ id: number, op: string, sql?: string, params?: unknown[], channel?: string }} */ request) => {
  try {
    const result = await handle(request);
    port.postMessage({ id: request.id, ok: true, result });
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: plainError(error) });
  }
});

/** @param {{ op: string, sql?: string, params?: unknown[], channel?: string }} request */
async function handle(request) {
  switch (request.op) {
    case 'query': {
      const { rows, affectedRows } = await client.query(/** @type {string} */ (request.sql), request.params, QUERY_OPTIONS);
      return { rows, affectedRows };
    }
    case 'listen': {
      const channel = /** @type {string} */ (request.channel);
      if (!listeners.has(channel)) {
        listeners.set(channel, await client.listen(channel, (payload) => port.postMessage({ op: 'notify', channel, payload })));
      }
      return null;
    }
    case 'unlisten': {
      const channel = /** @type {string} */ (request.channel);
      await listeners.get(channel)?.();
      listeners.delete(channel);
      return null;
    }
    case 'close':
      if (!client.closed) await client.close();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown request ${request.op}`);
  }
}

// An Error crosses threads with its message only; PostgreSQL's fields (code, constraint, detail…)
// are what callers test (SQLSTATE 23505 and the like), so they travel as plain properties.
/** @param {unknown} error */
function plainError(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  /** @type {Record<string, unknown>} */
  const fields = { name: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) {
    if (value === undefined || typeof value === 'function' || typeof value === 'object') continue;
    fields[key] = value;
  }
  return fields;
}
