// Sweego's REST API, as providers/sweego.md describes it: `Api-Key` header, `POST /logs/` paged by
// offset, and inbound attachments under the client UUID. The base URL is a setting (tests point it at
// a loopback simulator).
import type { SweegoApiAccess } from './settings.ts';

const TIMEOUT_MS = 30_000;

export class SweegoApiError extends Error {}

export interface LogsQuery {
  startDate: string;
  endDate: string;
  domains: string[];
  offset: number;
  size: number;
}

/** One page of email logs. A 422 (a filtered domain without logs in the period) is an empty page. */
export async function fetchLogsPage(access: SweegoApiAccess, query: LogsQuery): Promise<unknown[]> {
  const response = await call(access, '/logs/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'email', start_date: query.startDate, end_date: query.endDate, domains: query.domains, offset: query.offset, size: query.size }),
  });
  if (response.status === 422) return [];
  await ensureOk(response, 'POST /logs/');
  const body = (await response.json()) as { result?: unknown };
  if (!Array.isArray(body.result)) throw new SweegoApiError('Sweego answered POST /logs/ without a result list.');
  return body.result;
}

/** The bytes of an inbound attachment (seed 001 §5.6). */
export async function downloadAttachment(access: SweegoApiAccess, uuid: string): Promise<Buffer> {
  if (!access.clientUuid) throw new SweegoApiError('the Sweego client UUID is not set (Settings → Sweego, or `facteur sweego settings --client-uuid`)');
  const path = `/clients/${encodeURIComponent(access.clientUuid)}/domains/inbound/attachments/${encodeURIComponent(uuid)}`;
  const response = await call(access, path, { method: 'GET', headers: { accept: 'application/octet-stream' } });
  await ensureOk(response, `GET ${path}`);
  return Buffer.from(await response.arrayBuffer());
}

async function call(access: SweegoApiAccess, path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
  if (!access.apiKey) throw new SweegoApiError('the Sweego API key is not set (Settings → Sweego, or `facteur sweego settings --api-key-stdin`)');
  try {
    return await fetch(`${access.apiUrl}${path}`, { ...init, headers: { ...init.headers, 'api-key': access.apiKey }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new SweegoApiError(`Sweego's API at ${access.apiUrl} could not be reached: ${(error as Error).message}`);
  }
}

async function ensureOk(response: Response, what: string): Promise<void> {
  if (response.ok) return;
  const text = (await response.text().catch(() => '')).slice(0, 300);
  const hint = response.status === 401 || response.status === 403 ? ' (check the Sweego API key)' : '';
  throw new SweegoApiError(`Sweego answered ${what} with ${response.status}${hint}${text ? `: ${text}` : ''}`);
}
