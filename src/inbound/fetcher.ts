// The inbound fetcher of the worker role (seed 000 §3.2: incoming servers are read by a scheduled job,
// every few minutes): it looks every 30 s for the active servers whose interval has elapsed and fetches
// them; and it watches the servers that support IMAP IDLE, so that new mail is fetched at once.
import type { MailDeps } from '../mail/deps.ts';
import { fetchAllDue } from './imap-fetch.ts';
import { watchForNewMail } from './imap-idle.ts';

export interface InboundFetcher {
  /** Ends the fetches between two messages, closes the IDLE connections, and waits for them. */
  stop(): Promise<void>;
}

export interface InboundFetcherOptions {
  /** How often to look for due servers; default 30 s. */
  checkEverySeconds?: number;
  /** Watch servers with IMAP IDLE for instant pickup; default true. */
  idle?: boolean;
}

export function startInboundFetcher(deps: MailDeps, options: InboundFetcherOptions = {}): InboundFetcher {
  const stopping = new AbortController();
  const newMail = options.idle === false ? null : watchForNewMail(deps, stopping.signal);
  let check: Promise<void> | null = null;

  const lookForDueServers = () => {
    if (check || stopping.signal.aborted) return; // the previous check still runs: it takes what is due
    check = (async () => {
      try {
        await fetchAllDue(deps, { signal: stopping.signal });
        await newMail?.sync();
      } catch (error) {
        deps.log.error({ err: error }, 'inbound fetch check failed; tried again at the next check');
      }
    })().finally(() => (check = null));
  };

  lookForDueServers();
  const timer = setInterval(lookForDueServers, (options.checkEverySeconds ?? 30) * 1000);
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await check;
      await newMail?.stop();
    },
  };
}
