// @ts-check
// A thread that reads inbound messages (parse-pool.ts says why). Plain JavaScript that registers the
// TypeScript loader itself: a worker thread does not inherit the one `facteur` registers.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parseInbound } = await import('./parse.ts');
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @param {Uint8Array} bytes */
const buffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

port.on('message', async (/** @type {{ id: number, raw: Uint8Array, identity?: Uint8Array }} */ request) => {
  // parseInbound never throws: a message mailparser cannot read comes back with its parseError.
  const parsed = await parseInbound(buffer(request.raw), request.identity && buffer(request.identity));
  port.postMessage({ id: request.id, parsed });
});
port.postMessage({ ready: true });
