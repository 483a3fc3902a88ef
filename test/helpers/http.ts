// Starts the real application on a loopback port for an end-to-end test, and talks to it over real
// HTTP with the global fetch (no Fastify inject): what a host application would see.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/apikeys/apikeys.ts';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { openTestDatabase } from './database.ts';

export const ACT_AS_HEADER = 'X-Facteur-User';

/** One HTTP answer: status, headers and the body, parsed as JSON when it is JSON. */
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

/** A client for the API; each variant (another key, another acting user) is a new immutable client. */
export interface HttpClient {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly actAs: number | string | undefined;
  /** The same client acting for a user (X-Facteur-User); undefined acts as the host application. */
  as(userId: number | string | undefined): HttpClient;
  /** The same client with another API key, or none. */
  withKey(apiKey: string | undefined): HttpClient;
  request<T = any>(method: string, urlPath: string, options?: RequestOptions): Promise<HttpResult<T>>;
  get<T = any>(urlPath: string): Promise<HttpResult<T>>;
  post<T = any>(urlPath: string, body?: unknown): Promise<HttpResult<T>>;
  put<T = any>(urlPath: string, body?: unknown): Promise<HttpResult<T>>;
  patch<T = any>(urlPath: string, body?: unknown): Promise<HttpResult<T>>;
  delete<T = any>(urlPath: string): Promise<HttpResult<T>>;
  /** The raw fetch Response, for binary downloads. */
  fetch(urlPath: string, init?: RequestInit): Promise<Response>;
}

export function httpClient(baseUrl: string, apiKey: string | undefined, actAs?: number | string): HttpClient {
  const headersFor = (extra: Record<string, string> = {}): Record<string, string> => {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
    if (actAs !== undefined) headers[ACT_AS_HEADER] = String(actAs);
    return headers;
  };
  const client: HttpClient = {
    baseUrl,
    apiKey,
    actAs,
    as: (userId) => httpClient(baseUrl, apiKey, userId),
    withKey: (key) => httpClient(baseUrl, key, actAs),
    async request(method, urlPath, options = {}) {
      const hasBody = options.body !== undefined;
      const response = await fetch(new URL(urlPath, baseUrl), {
        method,
        headers: headersFor({ ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers }),
        body: hasBody ? JSON.stringify(options.body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      let body: any;
      if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
      return { status: response.status, headers: response.headers, body, text };
    },
    get: (urlPath) => client.request('GET', urlPath),
    post: (urlPath, body) => client.request('POST', urlPath, { body }),
    put: (urlPath, body) => client.request('PUT', urlPath, { body }),
    patch: (urlPath, body) => client.request('PATCH', urlPath, { body }),
    delete: (urlPath) => client.request('DELETE', urlPath),
    fetch: (urlPath, init = {}) =>
      fetch(new URL(urlPath, baseUrl), {
        ...init,
        headers: { ...headersFor(), ...(init.headers as Record<string, string> | undefined) },
        signal: init.signal ?? AbortSignal.timeout(30_000),
      }),
  };
  return client;
}

export interface TestServer {
  app: App;
  server: FastifyInstance;
  /** e.g. http://127.0.0.1:43117 */
  baseUrl: string;
  apiKey: string;
  /** Authenticated with the test's API key, acting as the host application (no X-Facteur-User). */
  client: HttpClient;
  close(): Promise<void>;
}

/** The real app (config, database, HTTP server) on 127.0.0.1 with an ephemeral port and a fresh database. */
export async function startTestServer(): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'facteur-http-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  /** Closes what was opened, last first; every step runs even when one fails, and only once. */
  const cleanUp = async () => {
    const failures: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  };
  try {
    const config = loadConfig({ FACTEUR_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
    const database = await openTestDatabase();
    cleanups.push(() => database.close());
    const app = await createApp(config, { database, log: createLogger({ logLevel: 'silent' }) });
    const server = await buildHttpServer(app);
    cleanups.push(() => server.close());
    const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    const { key } = await createApiKey(app.database.db, 'test');
    return { app, server, baseUrl, apiKey: key, client: httpClient(baseUrl, key), close: cleanUp };
  } catch (error) {
    await cleanUp().catch(() => {});
    throw error;
  }
}

/** A path segment for a record: /api/records/sale.order/23 */
export function recordPath(model: string, resId: string | number): string {
  return `/api/records/${encodeURIComponent(model)}/${encodeURIComponent(String(resId))}`;
}
