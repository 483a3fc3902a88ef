// The outbox worker: woken by NOTIFY when entries are queued (from any process), and by a periodic
// sweep for retries that fall due and for leases that expired (the seed's "every X minutes").
import type { OpenedDatabase } from '../db/database.ts';
import type { MailDeps } from '../mail/deps.ts';
import { createTransportPool } from '../mail/transports.ts';
import { deleteSentEntries, nextDueAt } from './claim.store.ts';
import { OUTBOX_CHANNEL } from './outbox.store.ts';
import { sendDueBatch, type BatchReport } from './send.ts';

export interface OutboxWorker {
  /** Asks the worker to look at the queue now. */
  wake(): void;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  batchSize?: number;
  /** Connections per SMTP server. */
  maxConnections?: number;
}

export async function startOutboxWorker(deps: MailDeps, database: OpenedDatabase, options: WorkerOptions = {}): Promise<OutboxWorker> {
  const batchSize = options.batchSize ?? 100;
  const transports = createTransportPool({ maxConnections: options.maxConnections ?? 5 });
  let running = true;
  let pending = true; // look once at start: entries may have been queued while nobody ran
  let wakeUp: () => void = () => {};

  const wake = () => {
    pending = true;
    wakeUp();
  };
  const stopListening = await database.listen(OUTBOX_CHANNEL, wake);
  const sweep = setInterval(wake, deps.config.outbox.sweepSeconds * 1000);

  // A retry falls due between sweeps: wake up for it rather than waiting for the next sweep.
  let retryTimer: NodeJS.Timeout | undefined;
  const wakeForNextRetry = async () => {
    clearTimeout(retryTimer);
    const next = await nextDueAt(deps.db);
    const delay = next === null ? null : next.getTime() - Date.now();
    if (delay !== null && delay < deps.config.outbox.sweepSeconds * 1000) retryTimer = setTimeout(wake, Math.max(delay, 0) + 10);
  };

  const loop = (async () => {
    while (running) {
      if (!pending) await new Promise<void>((resolve) => (wakeUp = resolve));
      pending = false;
      try {
        // Two batches in flight, so that the SMTP connections keep sending while the other batch is
        // claimed, loaded and settled (SKIP LOCKED keeps them apart). A full batch means there may be more.
        const drain = async () => {
          while (running && (await sendDueBatch(deps, transports, batchSize)).claimed === batchSize);
        };
        await Promise.all([drain(), drain()]);
        await deleteExpiredSentEntries(deps);
        await wakeForNextRetry();
      } catch (error) {
        deps.log.error({ err: error }, 'outbox batch failed; its entries come back when their lease ends');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();

  return {
    wake,
    async stop() {
      running = false;
      clearInterval(sweep);
      clearTimeout(retryTimer);
      wakeUp();
      await loop;
      await stopListening();
      transports.close();
    },
  };
}

async function deleteExpiredSentEntries(deps: MailDeps): Promise<void> {
  const cutoff = new Date(Date.now() - deps.config.outbox.sentRetentionHours * 3600_000);
  const deleted = await deleteSentEntries(deps.db, cutoff);
  if (deleted > 0) deps.log.info({ deleted }, 'sent outbox entries deleted after retention');
}

/** Sends everything due now, batch after batch (`facteur queue send`); reports progress as it goes. */
export async function drainQueue(deps: MailDeps, onBatch: (total: BatchReport) => void = () => {}, options: WorkerOptions = {}): Promise<BatchReport> {
  const transports = createTransportPool({ maxConnections: options.maxConnections ?? 5 });
  const total: BatchReport = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  // Two batches in flight, as in the worker.
  const drain = async () => {
    for (;;) {
      const report = await sendDueBatch(deps, transports, options.batchSize ?? 100);
      if (report.claimed === 0) return;
      for (const key of Object.keys(total) as (keyof BatchReport)[]) total[key] += report[key];
      onBatch(total);
    }
  };
  try {
    await Promise.all([drain(), drain()]);
  } finally {
    transports.close();
  }
  return total;
}
