// Calls to Facteur's API from the browser: the session cookie (or an embed token) authenticates;
// errors come back as ApiError with the server's stable code and its sentence for a person.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let embedToken: string | null = null;
const unauthenticatedListeners = new Set<() => void>();

/** Inside /embed/chatter: every call carries the host-minted token instead of a session. */
export function useEmbedTokenForCalls(token: string): void {
  embedToken = token;
}

/** Appends the embed token where a header cannot be sent (links, EventSource). */
export function withToken(path: string): string {
  if (!embedToken) return path;
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(embedToken)}`;
}

export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (embedToken) headers.authorization = `Bearer ${embedToken}`;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Facteur cannot be reached: check that it is running and your connection.');
  }
  const text = await response.text();
  const parsed: unknown = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401 && path !== '/api/session') unauthenticatedListeners.forEach((listener) => listener());
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `${response.status} ${response.statusText}`);
  }
  return parsed as T;
}

export const get = <T = unknown>(path: string) => api<T>('GET', path);
export const post = <T = unknown>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T = unknown>(path: string, body?: unknown) => api<T>('PUT', path, body ?? {});
export const patch = <T = unknown>(path: string, body?: unknown) => api<T>('PATCH', path, body ?? {});
export const del = <T = unknown>(path: string) => api<T>('DELETE', path);

export function recordPath(model: string, resId: string): string {
  return `/api/records/${encodeURIComponent(model)}/${encodeURIComponent(resId)}`;
}

export function query(values: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
