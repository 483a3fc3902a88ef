// A message is stored before it is routed; if its process stopped in between, it would stay
// `received` for ever. The worker looks for such messages now and then and processes them.
import type { MailDeps } from '../mail/deps.ts';
import { listUnsettledInboundIds } from './inbound.store.ts';
import { processInbound } from './process.ts';

/** Older than this, a `received` message is no longer being processed by anyone. */
const STALE_MS = 5 * 60_000;
const INTERVAL_MS = 60_000;

export async function processStaleInbound(deps: MailDeps): Promise<number> {
  const ids = await listUnsettledInboundIds(deps.db, new Date(Date.now() - STALE_MS), 100);
  for (const id of ids) {
    deps.log.warn({ inboundId: id }, 'inbound email was stored but never routed; routing it now');
    await processInbound(deps, id);
  }
  return ids.length;
}

export function startInboundRecovery(deps: MailDeps): { stop(): void } {
  const run = () => processStaleInbound(deps).catch((error) => deps.log.error({ err: error }, 'inbound recovery failed'));
  void run();
  const timer = setInterval(run, INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}
