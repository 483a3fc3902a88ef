// POST /sweego/webhook/outbound (seed 001 §5.9): Sweego's delivery events, verified (§5.8),
// applied once per webhook-id, each by the action rules/events.ts gives it. A delivery confirms the
// outbox entry (and deletes it when deferred deletion is on), a bounce marks it undelivered and turns
// the recipient's envelope red, live (seed 001 §5.4: an event the UI listens to).
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import { insertEvent } from '../events/events.store.ts';
import type { MailDeps } from '../mail/deps.ts';
import { sweegoWebhookSecrets } from '../mail/servers.ts';
import { confirmDelivered, findEntries, markUndelivered, recordWebhookDelivery, type DeliveredEntry } from './deliveries.store.ts';
import { actionFor, eventKind, failureReason, outboxIdOf, readEvents, type SweegoEvent } from './rules/events.ts';
import { verifyWebhook, type WebhookHeaders } from './signature.ts';

export interface WebhookReceipt {
  /** Events in the body. */
  events: number;
  /** Of which changed an outbox entry. */
  applied: number;
  /** This webhook-id was applied before: nothing was done again. */
  duplicate: boolean;
}

export async function receiveOutboundWebhook(deps: MailDeps, rawBody: Buffer, headers: WebhookHeaders): Promise<WebhookReceipt> {
  const verification = verifyWebhook(await sweegoWebhookSecrets(deps, 'outbound'), rawBody, headers);
  if (!verification.ok) {
    deps.log.warn({ webhookId: headers['webhook-id'], reason: verification.reason }, 'invalid webhook signature');
    throw new FacteurError('INVALID_WEBHOOK_SIGNATURE', `The webhook signature does not verify: ${verification.reason}. Check the outbound webhook secret of the Sweego server.`);
  }
  const events = readEvents(parseJson(rawBody));
  const webhookId = headers['webhook-id']!;
  return deps.db.transaction().execute(async (tx) => {
    if (!(await recordWebhookDelivery(tx, webhookId, 'outbound'))) {
      deps.log.info({ webhookId }, 'Sweego webhook already applied');
      return { events: events.length, applied: 0, duplicate: true };
    }
    const applied = await applyEvents({ ...deps, db: tx }, events, webhookId);
    return { events: events.length, applied, duplicate: false };
  });
}

function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new FacteurError('VALIDATION_FAILED', 'The webhook body is not JSON.');
  }
}

/**
 * The events, each by its action; returns how many changed an entry. Shared with the log sync
 * (seed 001 §6: one handler for both paths), which passes log records.
 */
export async function applyEvents(deps: MailDeps, events: SweegoEvent[], source: string): Promise<number> {
  const ids = events.map(outboxIdOf);
  const entries = await findEntries(deps.db, ids.filter((id): id is number => id !== null));
  let applied = 0;
  for (const [i, event] of events.entries()) {
    const action = actionFor(event);
    const outboxId = ids[i]!;
    const fields = { source, outboxId, event: eventKind(event), swgUid: event.swg_uid, transactionId: event.transaction_id, recipient: event.recipient ?? event.email_to };
    if (action.kind === 'ignore') continue;
    if (action.kind === 'log') {
      if (action.level === 'warn') deps.log.warn(fields, `Sweego ${eventKind(event)}`);
      else deps.log.info(fields, `Sweego ${eventKind(event)}`);
      continue;
    }
    const entry = outboxId === null ? undefined : entries.get(outboxId);
    if (!entry) {
      deps.log.warn(fields, 'Sweego event for an email we cannot identify (no X-Message-Id of ours, or its entry is gone)');
      continue;
    }
    if (action.kind === 'confirm') {
      const { deleted } = await confirmDelivered(deps.db, entry, event.transaction_id ?? null);
      deps.log.info(fields, deleted ? `outbox entry ${entry.outboxId} confirmed by Sweego → deleting` : `outbox entry ${entry.outboxId} confirmed by Sweego`);
      await notificationChanged(deps.db, entry, 'delivered', null, null);
    } else {
      const reason = failureReason(event);
      await markUndelivered(deps.db, entry, action.failureType, reason);
      deps.log.warn({ ...fields, failureType: action.failureType, reason }, `outbox entry ${entry.outboxId} marked undelivered by Sweego`);
      await notificationChanged(deps.db, entry, 'exception', action.failureType, reason);
    }
    applied += 1;
  }
  return applied;
}

/** Seed 001 §5.4 step 3: an open chatter hears of it and redraws the envelope without a reload. */
async function notificationChanged(db: Db, entry: DeliveredEntry, status: string, failureType: string | null, failureReason: string | null): Promise<void> {
  if (entry.notificationId === null) return;
  await insertEvent(db, 'notification.updated', {
    notificationId: entry.notificationId,
    messageId: entry.messageId,
    recordId: entry.recordId,
    status,
    failureType,
    failureReason,
  });
}
