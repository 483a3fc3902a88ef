// IMAP IDLE (RFC 2177): instant pickup. Each active incoming server whose IMAP server supports IDLE is
// watched on a connection of its own, the folder opened read-only; when the server announces new
// messages, the server is fetched at once (imap-fetch.ts), instead of at its next interval.
// Watching is a convenience on top of the interval: a watch that fails is logged and tried again after
// the server's interval, and meanwhile the interval fetches go on as before.
import type { ImapFlow } from 'imapflow';
import type { MailDeps } from '../mail/deps.ts';
import { imapClient, imapFailureReason } from './imap-connection.ts';
import { fetchIncomingServer } from './imap-fetch.ts';
import { listIncomingServers, type IncomingServerRow } from './incoming-servers.store.ts';
import { imapAccountOf } from './incoming-servers.ts';

export interface NewMailWatch {
  /** Starts watching the active servers not yet watched, stops watching the others; call it periodically. */
  sync(): Promise<void>;
  /** Stops every watch and waits for the fetches they started. */
  stop(): Promise<void>;
}

interface Watch {
  /** The configuration watched: a changed server is watched afresh. */
  version: number;
  /** Its connection is up (or coming up). */
  alive: boolean;
  /** The server does not offer IDLE: not tried again until its configuration changes. */
  unsupported: boolean;
  /** After a failure, not before. */
  retryAt: number;
  close(): void;
  ended: Promise<void>;
}

/** Silences this long make imapflow probe the connection with a NOOP (and restart IDLE). */
const SILENCE_PROBE_MS = 4 * 60_000;

export function watchForNewMail(deps: MailDeps, signal: AbortSignal): NewMailWatch {
  const watches = new Map<number, Watch>();
  /** Watches closed because their server changed or went away, until their connection is gone. */
  const replaced = new Set<Watch>();
  const fetches = new Set<Promise<unknown>>();

  const fetchNow = (serverId: number) => {
    // Messages announced during a fetch are taken by a follow-up fetch (imap-fetch.ts queues one).
    const fetch = fetchIncomingServer(deps, serverId, { signal }).catch((error: unknown) =>
      deps.log.warn({ serverId, err: error }, 'fetch on new mail failed'),
    );
    fetches.add(fetch);
    void fetch.finally(() => fetches.delete(fetch));
  };

  function watch(server: IncomingServerRow): Watch {
    const state: Watch = { version: server.updatedAt.getTime(), alive: true, unsupported: false, retryAt: 0, close: () => {}, ended: Promise.resolve() };
    let client: ImapFlow | undefined;
    state.close = () => {
      state.alive = false;
      client?.close();
    };
    state.ended = (async () => {
      try {
        client = imapClient(imapAccountOf(deps, server), { timeoutMs: SILENCE_PROBE_MS });
        client.on('exists', (event: { count: number; prevCount: number }) => {
          if (event.count > event.prevCount && !signal.aborted) fetchNow(server.id);
        });
        await client.connect();
        if (!client.capabilities.has('IDLE')) {
          state.unsupported = true;
          deps.log.info({ serverId: server.id }, `incoming server does not support IMAP IDLE: fetched every ${server.intervalMinutes} min`);
          await client.logout();
          return;
        }
        // Read-only (EXAMINE): watching never changes a flag; only a fetch marks messages seen.
        await client.mailboxOpen(server.folder, { readOnly: true });
        deps.log.info({ serverId: server.id, folder: server.folder }, 'watching incoming server for new mail (IMAP IDLE)');
        while (state.alive && client.usable) {
          if ((await client.idle()) === false) throw new Error('The server refused IDLE.');
        }
        if (state.alive) throw new Error('The server closed the connection.');
      } catch (error) {
        if (state.alive) {
          const reason = imapFailureReason(error, server);
          deps.log.warn({ serverId: server.id, reason }, `IMAP IDLE watch of incoming server ended; tried again in ${server.intervalMinutes} min`);
        }
      } finally {
        client?.close();
        if (state.alive) state.retryAt = Date.now() + server.intervalMinutes * 60_000;
        state.alive = false;
      }
    })();
    return state;
  }

  return {
    async sync() {
      if (signal.aborted) return;
      const servers = new Map((await listIncomingServers(deps.db, { activeOnly: true })).map((s) => [s.id, s]));
      for (const [id, current] of watches) {
        if (servers.get(id)?.updatedAt.getTime() !== current.version) {
          current.close();
          watches.delete(id);
          replaced.add(current);
          void current.ended.then(() => replaced.delete(current));
        }
      }
      for (const server of servers.values()) {
        const current = watches.get(server.id);
        if (current && (current.alive || current.unsupported || Date.now() < current.retryAt)) continue;
        watches.set(server.id, watch(server));
      }
    },
    async stop() {
      for (const current of watches.values()) current.close();
      await Promise.all([...watches.values(), ...replaced].map((w) => w.ended));
      watches.clear();
      await Promise.all([...fetches]);
    },
  };
}
