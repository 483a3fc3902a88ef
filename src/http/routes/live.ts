// GET /api/live: server-sent events (text/event-stream) carrying each live change (src/live/live.store.ts).
// EventSource reconnects by itself; a comment every 20 s keeps proxies from closing an idle stream.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { LiveHub } from '../../live/hub.ts';

const HEARTBEAT_MS = 20_000;

export function liveRoutes(app: FastifyInstance, hub: LiveHub): void {
  const streams = new Set<ServerResponse>();
  // Open streams never end by themselves: closing the server ends them first.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });
  app.get('/api/live', { schema: { tags: ['live'], summary: 'Live changes, as server-sent events (event: change, data: {records, messages, topics})' } }, async (req, reply) => {
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    out.write('retry: 2000\n\n');
    streams.add(out);
    // The browser may leave while the subscription is being set up: listen for that first.
    let unsubscribe = () => {};
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    out.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(out);
    });
    const stop = await hub.subscribe((payload) => out.write(`event: change\ndata: ${payload}\n\n`));
    if (out.destroyed) {
      stop();
      return;
    }
    unsubscribe = stop;
    out.write('event: ready\ndata: {}\n\n');
    heartbeat = setInterval(() => out.write(': still here\n\n'), HEARTBEAT_MS);
  });
}
