// Fetching an incoming server (seed 000 §3.2: "only unseen messages"): the unseen messages, in UID
// order, are downloaded, handed to the gateway by chunks (the next chunks download while the gateway
// works on one), and marked \Seen only once the gateway has stored them.
// Whatever fails, nothing is lost: a message the gateway could not store stays unseen for the next
// fetch, and one stored but not yet marked seen when the connection dropped comes back as a
// duplicate (same Message-ID), is not stored twice, and is marked seen then.
import { requireSystem, type Actor } from '../chatter/actor.ts';
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import type { MailDeps } from '../mail/deps.ts';
import { receiveInbound, receiveInboundBatches, type BatchOutcome } from './gateway.ts';
import { imapClient, imapFailureReason, type ImapAccount } from './imap-connection.ts';
import { claimDueIncomingServer, listIncomingServers, markFetchStarted, recordFetchOutcome } from './incoming-servers.store.ts';
import { imapAccountOf, requireIncomingServer } from './incoming-servers.ts';

export interface FetchReport {
  /** Unseen messages found in the folder when the fetch began. */
  unseen: number;
  /** Stored by the gateway and marked seen. */
  stored: number;
  /** Already stored (same Message-ID): not stored again, marked seen. */
  duplicates: number;
  /** The gateway could not store them: left unseen for the next fetch. */
  failed: number;
  /** Why the fetch ended early (connection, login, folder…); null when it went through. */
  error: string | null;
}

export interface FetchOptions {
  /** Called after each chunk of messages, with the counts so far. */
  onProgress?: (report: FetchReport) => void;
  /** Ends the fetch between two messages (the worker is stopping). */
  signal?: AbortSignal;
  /** Messages handed to the gateway at a time (default CHUNK_MESSAGES). */
  chunkSize?: number;
}

export interface ServerFetchReport extends FetchReport {
  serverId: number;
  name: string;
}

/**
 * Fetches the unseen messages of one incoming server, once the fetch of this server already under way
 * in this process, if any, has ended. Resolves with the counts, and with `error` when the fetch ended
 * early; the outcome is also recorded on the server (`lastFetchAt`, `lastError`). Rejects only when the
 * server does not exist.
 */
export function fetchIncomingServer(deps: MailDeps, serverId: number, options: FetchOptions = {}): Promise<FetchReport> {
  return inTurn(deps.db, serverId, () => runFetch(deps, serverId, options));
}

/** The fetch under way for a server, and the one queued to follow it. */
interface Turn {
  running?: Promise<FetchReport>;
  following?: Promise<FetchReport>;
}
const turnsByDatabase = new WeakMap<Db, Map<number, Turn>>();

/**
 * Fetches of a server never overlap in this process. A request made during a fetch is answered by a
 * fetch that begins after it — one follow-up shared by every request made meanwhile (with the first
 * one's options) — so that a message announced after the running fetch searched is not left waiting
 * for the next interval.
 */
function inTurn(db: Db, serverId: number, start: () => Promise<FetchReport>): Promise<FetchReport> {
  const turns = turnsByDatabase.get(db) ?? new Map<number, Turn>();
  turnsByDatabase.set(db, turns);
  const turn = turns.get(serverId) ?? {};
  turns.set(serverId, turn);
  const begin = () => {
    const run: Promise<FetchReport> = start().finally(() => {
      turn.running = undefined;
      if (!turn.following) turns.delete(serverId);
    });
    turn.running = run;
    return run;
  };
  if (turn.following) return turn.following;
  if (!turn.running) return begin();
  const ended = turn.running.then(
    () => undefined,
    () => undefined,
  );
  turn.following = ended.then(() => {
    turn.following = undefined;
    return begin();
  });
  return turn.following;
}

async function runFetch(deps: MailDeps, serverId: number, options: FetchOptions): Promise<FetchReport> {
  const row = await requireIncomingServer(deps, serverId);
  await markFetchStarted(deps.db, serverId);
  const report: FetchReport = { unseen: 0, stored: 0, duplicates: 0, failed: 0, error: null };
  try {
    await fetchUnseen(deps, imapAccountOf(deps, row), report, options);
  } catch (error) {
    report.error = error instanceof FacteurError ? error.message : imapFailureReason(error, row);
    deps.log.error({ serverId, err: error, ...report }, 'fetch of incoming server failed; what was stored stays stored');
  }
  await recordFetchOutcome(deps.db, serverId, report.error);
  deps.log.info({ serverId, ...report }, 'incoming server fetched');
  return report;
}

async function fetchUnseen(deps: MailDeps, account: ImapAccount, report: FetchReport, options: FetchOptions): Promise<void> {
  const progress = () => options.onProgress?.({ ...report });
  const client = imapClient(account);
  try {
    await client.connect();
    await client.mailboxOpen(account.folder);
    const uids = await client.search({ seen: false }, { uid: true });
    if (uids === false || uids === undefined) throw new Error(`The server refused to search "${account.folder}" for unseen messages.`);
    report.unseen = uids.length;
    progress();
    // While the gateway parses, stores and routes a chunk, the next ones download.
    await receiveInboundBatches(
      deps,
      downloads(client, [...uids].sort((a, b) => a - b), options),
      (m) => ({ raw: m.source, source: 'imap', incomingServerId: account.id }),
      (chunk, outcome) => markStored(deps, client, account, chunk, outcome, report, progress),
      CHUNKS_AHEAD,
    );
    await client.logout();
  } finally {
    client.close();
  }
}

/**
 * Downloaded messages go to the gateway by chunks (one statement stores a chunk, one transaction posts
 * it) and are marked seen together: at most this many messages (unless the caller says otherwise), or
 * this many bytes, at a time.
 */
export const CHUNK_MESSAGES = 100;
const CHUNK_BYTES = 20 * 1024 * 1024;
/** Chunks downloaded and stored ahead of the one being routed (receiveInboundBatches). */
export const CHUNKS_AHEAD = 3;

interface Downloaded {
  uid: number;
  source: Buffer;
}

/** The unseen messages, downloaded one by one, handed on by chunks. */
async function* downloads(client: ReturnType<typeof imapClient>, uids: number[], options: FetchOptions): AsyncGenerator<Downloaded[]> {
  let chunk: Downloaded[] = [];
  let bytes = 0;
  for (const uid of uids) {
    if (options.signal?.aborted) break;
    // BODY.PEEK[]: downloading does not mark the message seen; only the STORE of markStored does.
    const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    if (!message || !message.source) continue; // expunged since the search: someone else took it
    chunk.push({ uid, source: message.source });
    bytes += message.source.length;
    if (chunk.length >= (options.chunkSize ?? CHUNK_MESSAGES) || bytes >= CHUNK_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Marks seen what the gateway stored of a chunk, and counts it. */
async function markStored(
  deps: MailDeps,
  client: ReturnType<typeof imapClient>,
  account: ImapAccount,
  chunk: Downloaded[],
  outcome: BatchOutcome,
  report: FetchReport,
  progress: () => void,
): Promise<void> {
  const stored =
    'results' in outcome ? new Map(chunk.map((m, i) => [m.uid, outcome.results[i]!.duplicate])) : await storeEach(deps, account, chunk);
  const failed = chunk.filter((m) => !stored.has(m.uid)).map((m) => m.uid);
  if (failed.length > 0) {
    report.failed += failed.length;
    progress();
  }
  const uids = [...stored.keys()];
  // imapflow answers false instead of throwing when STORE fails (a dropped connection included).
  if (uids.length > 0 && !(await client.messageFlagsAdd(uids.join(','), ['\\Seen'], { uid: true }))) {
    throw new Error(
      `The server did not mark messages UID ${uids.join(', ')} as seen (${client.usable ? 'refused' : 'connection lost'}); they were stored and will not be stored twice.`,
    );
  }
  const duplicates = [...stored.values()].filter(Boolean).length;
  report.duplicates += duplicates;
  report.stored += uids.length - duplicates;
  progress();
}

/**
 * The database refused a chunk: each message on its own, so that only the one it refuses stays unseen.
 * Returns the UIDs stored, each with whether it was a duplicate.
 */
async function storeEach(deps: MailDeps, account: ImapAccount, chunk: Downloaded[]): Promise<Map<number, boolean>> {
  const stored = new Map<number, boolean>();
  for (const { uid, source } of chunk) {
    try {
      stored.set(uid, (await receiveInbound(deps, { raw: source, source: 'imap', incomingServerId: account.id })).duplicate);
    } catch (error) {
      deps.log.error({ serverId: account.id, uid, err: error }, 'inbound email could not be stored; left unseen on the server for the next fetch');
    }
  }
  return stored;
}

/**
 * Fetches the active servers whose interval has elapsed, one after the other. Each is claimed in the
 * database just before its fetch, so that processes looking at the same time share the due servers
 * and fetch each once.
 */
export async function fetchAllDue(deps: MailDeps, options: Pick<FetchOptions, 'signal'> = {}): Promise<ServerFetchReport[]> {
  const reports: ServerFetchReport[] = [];
  for (;;) {
    if (options.signal?.aborted) return reports;
    const server = await claimDueIncomingServer(deps.db);
    if (!server) return reports;
    reports.push({ serverId: server.id, name: server.name, ...(await fetchIncomingServer(deps, server.id, options)) });
  }
}

// ---------------------------------------------------------------------------------------------
// "Fetch now", by API and CLI: the host application's.

export async function fetchServerNow(deps: MailDeps, actor: Actor, serverId: number, options: FetchOptions = {}): Promise<FetchReport> {
  requireSystem(actor, 'fetch incoming servers');
  await requireIncomingServer(deps, serverId);
  return fetchIncomingServer(deps, serverId, options);
}

/** Every active server, now, whatever its interval (`facteur fetch`). */
export async function fetchAllActiveNow(
  deps: MailDeps,
  actor: Actor,
  onProgress?: (serverId: number, report: FetchReport) => void,
): Promise<ServerFetchReport[]> {
  requireSystem(actor, 'fetch incoming servers');
  const reports: ServerFetchReport[] = [];
  for (const row of await listIncomingServers(deps.db, { activeOnly: true })) {
    const report = await fetchIncomingServer(deps, row.id, { onProgress: onProgress && ((r) => onProgress(row.id, r)) });
    reports.push({ serverId: row.id, name: row.name, ...report });
  }
  return reports;
}
