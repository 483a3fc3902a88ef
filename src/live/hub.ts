// One LISTEN per process for every open live stream: the web UI's connections share it.
import type { OpenedDatabase } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { LIVE_CHANNEL } from './live.store.ts';

export interface LiveHub {
  /** Calls `onChange` with each announced change (its JSON); returns how to stop. */
  subscribe(onChange: (payload: string) => void): Promise<() => void>;
  close(): Promise<void>;
}

export function createLiveHub(database: OpenedDatabase, log: Logger): LiveHub {
  const subscribers = new Set<(payload: string) => void>();
  let listening: Promise<() => Promise<void>> | null = null;
  const deliver = (payload: string) => {
    for (const subscriber of subscribers) subscriber(payload);
  };
  return {
    async subscribe(onChange) {
      subscribers.add(onChange);
      if (!listening) {
        listening = database.listen(LIVE_CHANNEL, deliver);
        listening.catch((error: unknown) => {
          log.warn({ err: error }, 'live updates unavailable: cannot LISTEN');
          listening = null;
        });
      }
      await listening;
      return () => subscribers.delete(onChange);
    },
    async close() {
      subscribers.clear();
      const stop = await listening?.catch(() => null);
      listening = null;
      await stop?.();
    },
  };
}
