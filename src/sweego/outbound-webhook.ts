// POST /sweego/webhook/outbound (seed 001 §5.9): Sweego's delivery events, verified (§5.8),
// applied once per webhook-id, each by the action rules/events.ts gives it. A delivery confirms the
// outbox entry (and deletes it when deferred deletion is on), a bounce marks it undelivered and turns
// the recipient's envelope red, live (seed 001 §5.4: an event the UI listens to).
//
// Deliveries that arrive while others are being applied wait and go together in the next
// transaction (group commit): alone, a delivery is applied at once; under load, sixteen concurrent
// deliveries cost one transaction instead of sixteen (BENCHMARKS.md, webhooks).
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import { insertEvents } from '../events/events.store.ts';
import type { MailDeps } from '../mail/deps.ts';
import { sweegoWebhookSecrets } from '../mail/servers.ts';
import {
  confirmDelivered,
  countEngagement,
  findEntries,
  findNotificationsOf,
  markUndelivered,
  recordUnsubscribed,
  recordWebhookDeliveries,
  type DeliveredEntry,
} from './deliveries.store.ts';
import { actionFor, eventKind, failureReason, outboxIdOf, readEvents, settles, type Engagement, type SweegoEvent } from './rules/events.ts';
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
  return queueOf(deps).submit({ webhookId: headers['webhook-id']!, events });
}

function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new FacteurError('VALIDATION_FAILED', 'The webhook body is not JSON.');
  }
}

// ---------------------------------------------------------------------------------------------
// Group commit.

interface Delivery {
  webhookId: string;
  events: SweegoEvent[];
}

interface Waiting extends Delivery {
  resolve(receipt: WebhookReceipt): void;
  reject(error: unknown): void;
}

/** At most this many deliveries in one transaction. */
const GROUP_MAX = 200;

class ApplyQueue {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly deps: MailDeps) {}

  submit(delivery: Delivery): Promise<WebhookReceipt> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...delivery, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, GROUP_MAX);
        await this.applyGroup(group);
      }
    } finally {
      this.running = false;
    }
  }

  /** One transaction for the group; if it fails, each delivery on its own, so that only the one at fault fails. */
  private async applyGroup(group: Waiting[]): Promise<void> {
    try {
      const receipts = await this.deps.db.transaction().execute((tx) => applyDeliveries({ ...this.deps, db: tx }, group));
      group.forEach((w, i) => w.resolve(receipts[i]!));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      this.deps.log.warn({ err: error, webhookIds: group.map((w) => w.webhookId) }, 'Sweego webhook group failed; applying its deliveries one by one');
      for (const one of group) await this.applyGroup([one]);
    }
  }
}

const queues = new WeakMap<Db, ApplyQueue>();

function queueOf(deps: MailDeps): ApplyQueue {
  let queue = queues.get(deps.db);
  if (!queue) {
    queue = new ApplyQueue(deps);
    queues.set(deps.db, queue);
  }
  return queue;
}

/** Deliveries not seen before are applied; a webhook-id seen before (or twice in the group) is a no-op. */
async function applyDeliveries(deps: MailDeps, deliveries: Delivery[]): Promise<WebhookReceipt[]> {
  const fresh = await recordWebhookDeliveries(deps.db, [...new Set(deliveries.map((d) => d.webhookId))], 'outbound');
  const taken = new Set<string>();
  const isNew = deliveries.map((d) => {
    const first = fresh.has(d.webhookId) && !taken.has(d.webhookId);
    taken.add(d.webhookId);
    return first;
  });
  for (const [i, d] of deliveries.entries()) if (!isNew[i]) deps.log.info({ webhookId: d.webhookId }, 'Sweego webhook already applied');
  const applying = deliveries.filter((_, i) => isNew[i]);
  const applied = await applyEvents(deps, applying.flatMap((d) => d.events), 'webhook');
  let at = 0;
  return deliveries.map((d, i) => {
    if (!isNew[i]) return { events: d.events.length, applied: 0, duplicate: true };
    const count = applied.slice(at, (at += d.events.length)).filter(Boolean).length;
    return { events: d.events.length, applied: count, duplicate: false };
  });
}

// ---------------------------------------------------------------------------------------------
// Applying events: shared with the log sync (seed 001 §6: one handler for both paths).

/**
 * The events, each by its action, set-based; returns, for each event, whether it changed an entry.
 * Two events about one entry in one call: the later one wins.
 */
export async function applyEvents(deps: MailDeps, events: SweegoEvent[], source: string): Promise<boolean[]> {
  const ids = events.map(outboxIdOf);
  const entries = await findEntries(deps.db, ids.filter((id): id is number => id !== null));
  const last = new Map<number, number>();
  events.forEach((event, i) => {
    if (ids[i] !== null && settles(actionFor(event))) last.set(ids[i]!, i);
  });
  const reports: Report[] = [];
  const confirmed: { entry: DeliveredEntry; transactionId: string | null }[] = [];
  const failed: { entry: DeliveredEntry; failureType: string; reason: string }[] = [];
  const changes: Record<string, unknown>[] = [];
  const applied = events.map((event, i) => {
    const action = actionFor(event);
    const outboxId = ids[i] ?? null;
    const fields = { source, outboxId, event: eventKind(event), swgUid: event.swg_uid, transactionId: event.transaction_id, recipient: event.recipient ?? event.email_to };
    if (action.kind === 'ignore') return false;
    if (action.kind === 'log') {
      if (action.level === 'warn') deps.log.warn(fields, `Sweego ${eventKind(event)}`);
      else deps.log.info(fields, `Sweego ${eventKind(event)}`);
      return false;
    }
    if (action.kind === 'record') {
      deps.log.info(fields, `Sweego ${eventKind(event)}`);
      reports.push({ what: action.what, outboxId, transactionId: event.transaction_id ?? null });
      return false;
    }
    const entry = outboxId === null ? undefined : entries.get(outboxId);
    if (!entry) {
      deps.log.warn(fields, 'Sweego event for an email we cannot identify (no X-Message-Id of ours, or its entry is gone)');
      return false;
    }
    if (last.get(entry.outboxId) !== i) return false; // a later event about the same email wins
    if (action.kind === 'confirm') {
      confirmed.push({ entry, transactionId: event.transaction_id ?? null });
      deps.log.info(fields, entry.pendingDelete ? `outbox entry ${entry.outboxId} confirmed by Sweego → deleting` : `outbox entry ${entry.outboxId} confirmed by Sweego`);
      changes.push(notificationChange(entry, 'delivered', null, null));
    } else {
      const reason = failureReason(event);
      failed.push({ entry, failureType: action.failureType, reason });
      deps.log.warn({ ...fields, failureType: action.failureType, reason }, `outbox entry ${entry.outboxId} marked undelivered by Sweego`);
      changes.push(notificationChange(entry, 'exception', action.failureType, reason));
    }
    return true;
  });
  await confirmDelivered(deps.db, confirmed);
  await markUndelivered(deps.db, failed);
  await recordReports(deps.db, reports);
  // Seed 001 §5.4 step 3: an open chatter hears of it and redraws the envelope without a reload.
  const updated = changes.filter((c) => c.notificationId !== null);
  await insertEvents(deps.db, 'notification.updated', updated, { messages: updated.map((c) => c.messageId).filter((id): id is number => typeof id === 'number'), topics: ['outbox'] });
  return applied;
}

/** A report after delivery, and the email it is about: by outbox entry while kept, else by transaction id. */
interface Report {
  what: Engagement;
  outboxId: number | null;
  transactionId: string | null;
}

/**
 * Opens and clicks counted on their notifications, unsubscriptions recorded on the partner. Found by
 * outbox entry, or, once the entry is gone (they may come ten minutes late), by the transaction id.
 */
async function recordReports(db: Db, reports: Report[]): Promise<void> {
  if (reports.length === 0) return;
  const found = await findNotificationsOf(db, reports);
  const counts = reports.flatMap((r, i) => {
    const notification = found.get(i);
    return notification && r.what !== 'unsubscribed' ? [{ notificationId: notification.notificationId, opens: r.what === 'open' ? 1 : 0, clicks: r.what === 'click' ? 1 : 0 }] : [];
  });
  await countEngagement(db, counts);
  await recordUnsubscribed(db, [...new Set(reports.flatMap((r, i) => (r.what === 'unsubscribed' && found.has(i) ? [found.get(i)!.partnerId] : [])))]);
}

function notificationChange(entry: DeliveredEntry, status: string, failureType: string | null, failureReason: string | null): Record<string, unknown> {
  return { notificationId: entry.notificationId, messageId: entry.messageId, recordId: entry.recordId, status, failureType, failureReason };
}
