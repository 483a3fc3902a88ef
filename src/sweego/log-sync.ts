// The log sync (seed 001 §6): the safety net for deliveries and bounces whose webhook never came.
// It reads the entries waiting for Sweego's confirmation; with none, it stops before any API call.
// Otherwise it pages through Sweego's logs for the alias domains, 500 at a time until a page comes
// back short, keeps the records whose X-Message-Id names a waiting entry, and hands them to the same
// handler as the webhook. Run twice, the second run finds nothing left to do.
import { requireSystem, type Actor } from '../chatter/actor.ts';
import { FacteurError } from '../errors.ts';
import type { MailDeps } from '../mail/deps.ts';
import { fetchLogsPage, SweegoApiError } from './api.ts';
import { applyEvents } from './outbound-webhook.ts';
import { actionFor, outboxIdOf, readEvents, settles } from './rules/events.ts';
import { sweegoApiAccess } from './settings.ts';
import { listAliasDomainNames, listPendingConfirmation } from './sync.store.ts';

export const PAGE_SIZE = 500;

export interface SyncReport {
  /** Entries waiting for confirmation when the sync began. */
  pending: number;
  /** Pages read from Sweego. */
  pages: number;
  /** Log records read, and of them those about a waiting entry. */
  records: number;
  matched: number;
  /** Entries confirmed or marked undelivered. */
  applied: number;
}

export async function syncSweegoLogs(deps: MailDeps, onProgress?: (report: SyncReport) => void): Promise<SyncReport> {
  const { ids, oldestSentAt } = await listPendingConfirmation(deps.db);
  const report: SyncReport = { pending: ids.length, pages: 0, records: 0, matched: 0, applied: 0 };
  if (ids.length === 0) {
    deps.log.info(report, 'Sweego log sync: no email waiting for confirmation');
    return report;
  }
  const waiting = new Set(ids);
  const access = await sweegoApiAccess(deps);
  const domains = await listAliasDomainNames(deps.db);
  const query = { startDate: day(oldestSentAt ?? new Date()), endDate: day(new Date()), domains, size: PAGE_SIZE };
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = readEvents(await fetchLogsPage(access, { ...query, offset }));
    report.pages += 1;
    report.records += page.length;
    const ours = page.filter((record) => {
      const id = outboxIdOf(record);
      return id !== null && waiting.has(id);
    });
    report.matched += ours.length;
    const applied = await deps.db.transaction().execute((tx) => applyEvents({ ...deps, db: tx }, ours, 'log-sync'));
    report.applied += applied.filter(Boolean).length;
    // An entry settled by this page waits no more: a later record about it (Sweego keeps several) is not applied again.
    for (const record of ours) if (settles(actionFor(record))) waiting.delete(outboxIdOf(record)!);
    onProgress?.({ ...report });
    if (page.length < PAGE_SIZE) break;
  }
  deps.log.info(report, 'Sweego log sync done');
  return report;
}

/** "Sync now" (`facteur sweego sync`, POST /api/sweego/sync): the host application's. */
export async function syncSweegoNow(deps: MailDeps, actor: Actor, onProgress?: (report: SyncReport) => void): Promise<SyncReport> {
  requireSystem(actor, 'sync Sweego logs');
  try {
    return await syncSweegoLogs(deps, onProgress);
  } catch (error) {
    if (error instanceof SweegoApiError) throw new FacteurError('SWEEGO_API_FAILED', `The Sweego log sync failed: ${error.message}.`);
    throw error;
  }
}

/** Sweego's logs take whole days (YYYY-MM-DD, UTC). */
function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The worker's schedule (SWEEGO_SYNC_MINUTES, default 30; 0: never on its own). */
export function startSweegoLogSync(deps: MailDeps): { stop(): void } {
  const minutes = deps.config.sweego.syncMinutes;
  if (minutes === 0) return { stop: () => {} };
  const run = () => syncSweegoLogs(deps).catch((error) => deps.log.error({ err: error }, 'Sweego log sync failed'));
  const timer = setInterval(run, minutes * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
