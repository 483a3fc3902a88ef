// Serves the web UI (ui/, built by Vite into dist/ui by `npm install` and `npm start`): its assets,
// and index.html for every other page path, where the UI's own router takes over.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const UI_ROOT = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/** Replaces the API's not-found handler: `apiNotFound` still answers for /api/… and other methods. */
export async function serveUi(app: FastifyInstance, apiNotFound: (request: FastifyRequest, reply: FastifyReply) => unknown): Promise<void> {
  const built = existsSync(`${UI_ROOT}index.html`);
  if (built) await app.register(fastifyStatic, { root: UI_ROOT, wildcard: false, index: false });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    if (request.method !== 'GET' || path.startsWith('/api/') || path.startsWith('/sweego/')) {
      return apiNotFound(request, reply);
    }
    if (!built) {
      return reply.status(503).type('text/plain').send('The web UI is not built yet: run `npm run build:ui` (npm install and npm start do it).');
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
