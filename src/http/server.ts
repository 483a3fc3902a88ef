// The HTTP API: Fastify, zod-validated requests, OpenAPI generated from the same schemas.
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { App } from '../app.ts';
import { installAuth } from './auth.ts';
import { installErrorHandler, routeNotFound } from './errors.ts';
import { createLiveHub } from '../live/hub.ts';
import { directoryRoutes } from './routes/directory.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { liveRoutes } from './routes/live.ts';
import { inboundRoutes } from './routes/inbound.ts';
import { incomingServerRoutes } from './routes/incoming-servers.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { recordRoutes } from './routes/records.ts';
import { serverRoutes } from './routes/servers.ts';
import { sessionRoutes } from './routes/session.ts';
import { subtypeRoutes } from './routes/subtypes.ts';
import { sweegoRoutes } from './routes/sweego.ts';
import { templateRoutes } from './routes/templates.ts';
import { serveUi } from './ui.ts';

export async function buildHttpServer(app: App): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.log.child({ role: 'api' }) as FastifyBaseLogger,
    // One log line per request (the onResponse hook below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 40 * 1024 * 1024, // attachments travel base64-encoded in JSON
  });
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  installErrorHandler(server);
  await server.register(fastifySwagger, {
    openapi: {
      info: { title: 'Facteur API', version: '0.1.0', description: 'Threads, followers, notifications and the outbox of business records.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `facteur apikey create`' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await server.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  await server.register(fastifyCookie);
  installAuth(server, app.database.db);
  server.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  server.get('/api/health', { schema: { tags: ['service'], summary: 'Answers when the service is ready', security: [] } }, async () => {
    await app.database.db.selectFrom('companies').select('id').limit(1).execute();
    return { status: 'ok', database: app.database.engine };
  });
  server.get('/api/openapi.json', { schema: { hide: true } }, async () => server.swagger());
  sessionRoutes(server, app.chatter);
  const hub = createLiveHub(app.database, app.log);
  server.addHook('onClose', () => hub.close());
  liveRoutes(server, hub);
  directoryRoutes(server, app.chatter);
  subtypeRoutes(server, app.chatter);
  templateRoutes(server, app.chatter);
  recordRoutes(server, app.chatter);
  inboxRoutes(server, app.chatter);
  outboxRoutes(server, app.mail);
  serverRoutes(server, app.mail);
  incomingServerRoutes(server, app.mail);
  inboundRoutes(server, app.mail);
  await sweegoRoutes(server, app.mail);
  await serveUi(server, routeNotFound);
  return server;
}
