// A local stand-in for Sweego's REST API, built from shared/providers/sweego.md: `POST /logs/` paged
// by offset and size (1..500), filtered by the sender domains (422 when a filtered domain has none,
// as one public integration reports), and the inbound attachment download. It checks the Api-Key
// header and records every call, so that tests can assert what was asked — or that nothing was.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createServer, type ServerView } from '../../src/mail/servers.ts';
import { useServers, type OutboundApp } from './smtp-app.ts';
import { startSmtpPeer, type ReceivedEmail, type SmtpPeer } from './smtp.ts';

export interface SweegoLogRecord {
  swg_uid: string;
  transaction_id: string;
  status: string;
  email_to: string;
  domain_from: string;
  headers: Record<string, string>;
  bounce_type?: 'hard' | 'soft';
  rejected?: string;
  [field: string]: unknown;
}

export interface SweegoSimulator {
  url: string;
  apiKey: string;
  clientUuid: string;
  /** The log records the API serves, in order. */
  logs: SweegoLogRecord[];
  /** Inbound attachments by uuid. */
  attachments: Map<string, Buffer>;
  /** Every call: method, path and parsed JSON body (if any). */
  calls: { method: string; path: string; body: unknown }[];
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

export async function startSweegoSimulator(): Promise<SweegoSimulator> {
  const simulator = {
    apiKey: 'sweego-test-api-key',
    clientUuid: '3f2b8c1e-1111-4222-8333-944455556666',
    logs: [] as SweegoLogRecord[],
    attachments: new Map<string, Buffer>(),
    calls: [] as SweegoSimulator['calls'],
  };
  const server = createHttpServer(async (request, response) => {
    const path = (request.url ?? '').split('?')[0]!;
    const body = await bodyOf(request).catch(() => undefined);
    simulator.calls.push({ method: request.method ?? '', path, body });
    const send = (status: number, payload: unknown, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(type === 'application/json' ? JSON.stringify(payload) : payload);
    };
    if (request.headers['api-key'] !== simulator.apiKey) return send(401, { detail: 'Invalid API key' });
    if (request.method === 'POST' && path === '/logs/') {
      const query = body as { channel?: string; offset?: number; size?: number; domains?: string[] };
      const size = query.size ?? 50;
      if (size < 1 || size > 500) return send(422, { detail: 'size must be between 1 and 500' });
      const offset = query.offset ?? 0;
      const domains = query.domains ?? [];
      const matching = (simulator as { logs: SweegoLogRecord[] }).logs.filter((r) => domains.length === 0 || domains.includes(r.domain_from));
      if (domains.length > 0 && matching.length === 0) return send(422, { detail: 'No logs for these domains' });
      const result = matching.slice(offset, offset + size);
      return send(200, { state: true, result, nb_result: result.length, nb_result_without_offset: matching.length });
    }
    const attachment = /^\/clients\/([^/]+)\/domains\/inbound\/attachments\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && attachment) {
      const bytes = attachment[1] === simulator.clientUuid ? simulator.attachments.get(decodeURIComponent(attachment[2]!)) : undefined;
      if (!bytes) return send(404, { detail: 'Attachment not found' });
      return send(200, bytes, 'application/octet-stream');
    }
    send(404, { detail: 'Not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The same object the server reads: a test may replace `logs` and the server sees it.
  return Object.assign(simulator, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

// ---------------------------------------------------------------------------------------------
// Sweego's SMTP relay, as a test peer that requires AUTH and says what Sweego adds to what it relays,
// and the Sweego server pointing at it.

export const RELAY_CREDENTIALS = { user: 'sweego-user', pass: 'sweego-password' };
export const OUTBOUND_SECRET = Buffer.from('facteur-sweego-test-outbound-secret').toString('base64');
export const INBOUND_SECRET = Buffer.from('facteur-sweego-test-inbound-secret').toString('base64');

export interface SweegoRelay extends SmtpPeer {
  /**
   * What Sweego makes of a message it relays: its ids (the transaction id its webhooks and logs
   * carry) and the message as the recipient gets it, with the headers Sweego's MTA adds.
   */
  relayed(email: ReceivedEmail): { swgUid: string; transactionId: string; raw: Buffer };
}

export async function startSweegoRelay(): Promise<SweegoRelay> {
  const peer = await startSmtpPeer({ kind: 'accept' }, { credentials: RELAY_CREDENTIALS });
  const ids = new WeakMap<ReceivedEmail, { swgUid: string; transactionId: string }>();
  let count = 0;
  return Object.assign(peer, {
    relayed(email: ReceivedEmail) {
      let id = ids.get(email);
      if (!id) {
        count += 1;
        id = { swgUid: `01-${randomUUID()}`, transactionId: `${randomUUID()}-${count}` };
        ids.set(email, id);
      }
      const added = `X-Mailer: Sweego\r\nX-Swg-Uid: ${id.swgUid}\r\nX-Transaction-Id: ${id.transactionId}\r\nX-Zone-Loop: 1\r\n`;
      return { ...id, raw: Buffer.concat([Buffer.from(added), email.raw]) };
    },
  });
}

/** The only outgoing server: kind sweego, on the loopback relay (plain TCP, as behind TLS), with both webhook secrets. */
export async function useSweegoServer(t: OutboundApp, relay: SmtpPeer, input: { deleteAfterDelivery: boolean }): Promise<ServerView> {
  await useServers(t, []);
  return createServer(t.app.mail, SYSTEM, {
    name: 'Sweego',
    kind: 'sweego',
    host: '127.0.0.1',
    port: relay.port,
    security: 'none',
    username: RELAY_CREDENTIALS.user,
    password: RELAY_CREDENTIALS.pass,
    outboundWebhookSecret: OUTBOUND_SECRET,
    inboundWebhookSecret: INBOUND_SECRET,
    deleteAfterDelivery: input.deleteAfterDelivery,
  });
}
