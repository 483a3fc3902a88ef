// Processing stored inbound messages, a batch at a time: each is routed (rules/route.ts decides the
// order), then the routed ones are posted on their threads together, bounces applied, and the rest
// kept with the reason they went nowhere. What the batch looks up, it looks up once for all its
// messages, so that a fetch of a hundred replies costs a few statements, not a hundred times as many.
// Whatever fails, each message stays in inbound_emails with its state and reason (issue 4 §5).
import { SYSTEM } from '../chatter/actor.ts';
import { followRecord } from '../chatter/followers.ts';
import { postReceivedMessages, type ReceivedPost } from '../chatter/post-received.ts';
import { registerRecord } from '../chatter/records.ts';
import { findRecordById } from '../chatter/records.store.ts';
import type { Db } from '../db/database.ts';
import { insertEvent } from '../events/events.store.ts';
import type { MailDeps } from '../mail/deps.ts';
import { replySecret as readReplySecret } from '../mail/reply-secret.ts';
import { sweegoWebhookSecrets } from '../mail/servers.ts';
import { applyBounce } from './bounce.ts';
import { findInboundEmail, findInboundRaw, settleInboundEmails, type InboundOutcome } from './inbound.store.ts';
import { parseInbound, threadIdsOf, type ParsedInbound } from './parse.ts';
import {
  countMessagesFromSenders,
  isFollower,
  loadRouting,
  resetBounceCounts,
  senderKey,
  type AliasRow,
  type KnownMessage,
  type RoutedRecord,
  type RoutingLookups,
  type Sender,
} from './routing.store.ts';
import { planRoute, replyTokenRefs, type RouteCandidate, type RoutingFacts } from './rules/route.ts';
import { answerUnrouted } from './unrouted-notice.ts';

/** A message once stored: its row in inbound_emails and what parsing read. */
export interface StoredInbound {
  inboundId: number;
  mail: ParsedInbound;
}

/** What the batch looked up for all its messages at once, records indexed. */
interface Lookups extends RoutingLookups {
  recordsById: Map<number, RoutedRecord>;
  recordsByRef: Map<string, RoutedRecord>;
}

/** Where a candidate leads: a thread to post on, or why it does not. */
type Target =
  | { kind: 'thread'; record: RoutedRecord; parent: { id: number; kind: string } | null; route: RouteCandidate['kind'] }
  | { kind: 'new-record'; alias: AliasRow }
  | { kind: 'none'; why: string };

/** A message on its way to a thread. */
interface Posting {
  index: number;
  record: RoutedRecord;
  route: RouteCandidate['kind'];
  parent: { id: number; kind: string } | null;
  sender: Sender;
  /** The alias whose record this message created. */
  createdBy: AliasRow | null;
}

const NOBODY: Sender = { partnerId: null, bouncing: false };

/** Processes a kept message again (a retry, a message its process left unrouted). */
export async function processInbound(deps: MailDeps, inboundId: number): Promise<InboundOutcome> {
  const [raw, row] = await Promise.all([findInboundRaw(deps.db, inboundId), findInboundEmail(deps.db, inboundId)]);
  // Read again under the identity it was stored with.
  const mail = { ...(await parseInbound(raw!)), rfcMessageId: row!.rfcMessageId };
  return (await processInboundBatch(deps, [{ inboundId, mail }]))[0]!;
}

/** Routes stored messages and records their outcomes (state, route, reason), which it returns in order. */
export async function processInboundBatch(deps: MailDeps, batch: StoredInbound[]): Promise<InboundOutcome[]> {
  const outcomes: (InboundOutcome | undefined)[] = batch.map(({ mail }) =>
    mail.parseError ? { state: 'failed', route: null, reason: `the message could not be parsed: ${mail.parseError}` } : undefined,
  );
  await routeAll(deps, batch, outcomes);
  const settled = batch.map((item, i) => ({ id: item.inboundId, outcome: outcomes[i]! }));
  await settleInboundEmails(deps.db, settled);
  for (const { id, outcome } of settled) {
    deps.log.info({ inboundId: id, state: outcome.state, route: outcome.route, reason: outcome.reason, recordId: outcome.recordId, messageId: outcome.messageId }, 'inbound email processed');
  }
  return settled.map((s) => s.outcome);
}

/**
 * Routes the batch. A message that answers another of the same batch waits until that one is posted,
 * so that it finds its thread as it would have, one at a time. When something fails for the batch as
 * a whole (the database refuses its post), the messages not yet settled are routed again one by one,
 * so that only the one at fault fails.
 */
async function routeAll(deps: MailDeps, batch: StoredInbound[], outcomes: (InboundOutcome | undefined)[]): Promise<void> {
  const position = new Map(batch.map((item, i) => [item.mail.rfcMessageId, i]));
  const answersEarlier = batch.map((item, i) => threadIdsOf(item.mail).some((id) => (position.get(id) ?? i) < i));
  if (answersEarlier.some(Boolean)) {
    await routeSome(deps, batch, outcomes, (i) => !answersEarlier[i]);
    await routeSome(deps, batch, outcomes, (i) => answersEarlier[i]!);
    return;
  }
  try {
    await routeBatch(deps, batch, outcomes);
  } catch (error) {
    const left = batch.flatMap((_, i) => (outcomes[i] ? [] : [i]));
    if (left.length <= 1) {
      for (const i of left) outcomes[i] = failure(deps, batch[i]!.inboundId, error);
      return;
    }
    deps.log.warn({ err: error, inboundIds: left.map((i) => batch[i]!.inboundId) }, 'inbound batch failed; routing its messages one by one');
    for (const i of left) await routeSome(deps, batch, outcomes, (j) => j === i);
  }
}

/** routeAll on the messages of the batch that `which` picks, their outcomes written back in place. */
async function routeSome(deps: MailDeps, batch: StoredInbound[], outcomes: (InboundOutcome | undefined)[], which: (i: number) => boolean): Promise<void> {
  const picked = batch.flatMap((_, i) => (which(i) ? [i] : []));
  const some = picked.map((i) => outcomes[i]);
  await routeAll(deps, picked.map((i) => batch[i]!), some);
  picked.forEach((i, j) => (outcomes[i] = some[j]));
}

function failure(deps: MailDeps, inboundId: number, error: unknown): InboundOutcome {
  deps.log.error({ err: error, inboundId }, 'inbound email failed');
  return { state: 'failed', route: null, reason: (error as Error).message };
}

/** One message's own step (a bounce, a new record…): if it throws, only that message fails. */
async function guarded<T>(deps: MailDeps, inboundId: number, step: () => Promise<T>): Promise<T | InboundOutcome> {
  try {
    return await step();
  } catch (error) {
    return failure(deps, inboundId, error);
  }
}

async function routeBatch(deps: MailDeps, batch: StoredInbound[], outcomes: (InboundOutcome | undefined)[]): Promise<void> {
  // The installation's secret, and the Sweego servers' outbound secrets that sign the tokens of mail sent through them.
  const replySecrets = [await readReplySecret(deps.db), ...(await sweegoWebhookSecrets(deps, 'outbound'))];
  const pending = batch.flatMap((item, index) => (outcomes[index] ? [] : [{ ...item, index, facts: routingFactsOf(item.mail) }]));
  if (pending.length === 0) return;
  const lookups = indexed(
    await loadRouting(deps.db, {
      rfcMessageIds: [...new Set(pending.flatMap(({ mail }) => [mail.rfcMessageId, ...mail.inReplyTo, ...mail.references]))],
      senders: pending.flatMap(({ mail }) => (mail.from ? [mail.from.address] : [])),
      refs: pending.flatMap(({ facts }) => replyTokenRefs(facts.recipients, replySecrets)),
    }),
  );
  const aliasFacts = lookups.aliases.map((a) => ({ id: a.id, address: `${a.name}@${a.domain}`.toLowerCase() }));
  const postings: Posting[] = [];
  for (const { index, inboundId, mail, facts } of pending) {
    const plan = planRoute(facts, lookups.aliasDomains, aliasFacts, replySecrets);
    if (plan.kind === 'drop') {
      outcomes[index] = { state: 'dropped', route: 'loop', reason: plan.reason };
      continue;
    }
    if (plan.kind === 'bounce') {
      outcomes[index] = await guarded(deps, inboundId, () => applyBounce(deps, inboundId, mail, plan.reason));
      continue;
    }
    for (const address of plan.invalidTokens) deps.log.warn({ inboundId, address, from: mail.from?.address }, 'invalid inbound token signature');
    // Our own message coming back (a follower whose address is our catchall…) must not be posted again.
    if (lookups.known.some((m) => m.rfcMessageId === mail.rfcMessageId)) {
      outcomes[index] = { state: 'dropped', route: 'loop', reason: `loop: ${mail.rfcMessageId} is a message of ours that came back` };
      continue;
    }
    const sender = (mail.from && lookups.senders.get(mail.from.address)) || NOBODY;
    const routed = await guarded(deps, inboundId, () => target(deps, inboundId, mail, plan.candidates, plan.invalidTokens, sender, lookups));
    if ('state' in routed) outcomes[index] = routed;
    else postings.push({ index, sender, ...routed });
  }
  await post(deps, batch, postings, outcomes);
}

function routingFactsOf(mail: ParsedInbound): RoutingFacts {
  return {
    from: mail.from?.address ?? null,
    recipients: [...new Set([...mail.to, ...mail.cc].map((a) => a.address).concat(mail.deliveredTo))],
    headers: mail.headers,
    contentType: mail.contentType,
    threadMessageIds: threadIdsOf(mail),
  };
}

function indexed(lookups: RoutingLookups): Lookups {
  return {
    ...lookups,
    recordsById: new Map(lookups.records.map((r) => [r.id, r])),
    recordsByRef: new Map(lookups.records.map((r) => [refKey(r.model, r.resId), r])),
  };
}

const refKey = (model: string, resId: string) => `${model}\u0000${resId}`;

/** The first candidate that leads to a thread; otherwise the message is kept unrouted, with why. */
async function target(
  deps: MailDeps,
  inboundId: number,
  mail: ParsedInbound,
  candidates: RouteCandidate[],
  invalidTokens: string[],
  sender: Sender,
  lookups: Lookups,
): Promise<Omit<Posting, 'index' | 'sender'> | InboundOutcome> {
  const refusals: string[] = [];
  for (const candidate of candidates) {
    const found = await resolve(deps, candidate, lookups, sender.partnerId, mail);
    if (found.kind === 'thread') return { record: found.record, route: found.route, parent: found.parent, createdBy: null };
    if (found.kind === 'new-record') {
      return { record: await createAliasRecord(deps, inboundId, mail, found.alias, sender.partnerId), route: 'alias', parent: null, createdBy: found.alias };
    }
    refusals.push(found.why);
  }
  if (deps.config.inbound.answerUnrouted) await answerUnrouted(deps, inboundId, mail, lookups.aliasDomains);
  const tried = refusals.length > 0 ? ` (${refusals.join('; ')})` : '';
  const forged = invalidTokens.length > 0 ? `; reply token with an invalid signature: ${invalidTokens.join(', ')}` : '';
  return { state: 'unrouted', route: null, reason: `no reply token, known thread or alias matched${tried}${forged}` };
}

async function resolve(deps: MailDeps, candidate: RouteCandidate, lookups: Lookups, senderPartnerId: number | null, mail: ParsedInbound): Promise<Target> {
  switch (candidate.kind) {
    case 'reply-token': {
      const record = lookups.recordsByRef.get(refKey(candidate.model, candidate.resId));
      if (!record) return { kind: 'none', why: `the reply token names ${candidate.model} ${candidate.resId}, which is not registered` };
      return { kind: 'thread', record, parent: parentIn(record.id, lookups.known, mail), route: 'reply-token' };
    }
    case 'thread': {
      for (const id of candidate.messageIds) {
        const message = lookups.known.find((m) => m.rfcMessageId === id);
        if (message) return { kind: 'thread', record: lookups.recordsById.get(message.recordId)!, parent: { id: message.id, kind: message.kind }, route: 'thread' };
      }
      return { kind: 'none', why: 'In-Reply-To/References name no message of ours' };
    }
    case 'alias': {
      const alias = lookups.aliases.find((a) => a.id === candidate.aliasId)!;
      const refusal = await contactPolicyRefusal(deps, alias, senderPartnerId, candidate.address);
      if (refusal) return { kind: 'none', why: refusal };
      if (alias.recordId !== null) return { kind: 'thread', record: lookups.recordsById.get(alias.recordId)!, parent: null, route: 'alias' };
      return { kind: 'new-record', alias };
    }
  }
}

/** The message of this thread a reply answers, if it names one: a reply to a note stays a note. */
export function parentIn(recordId: number, known: KnownMessage[], mail: ParsedInbound): { id: number; kind: string } | null {
  for (const id of threadIdsOf(mail)) {
    const message = known.find((m) => m.rfcMessageId === id && m.recordId === recordId);
    if (message) return { id: message.id, kind: message.kind };
  }
  return null;
}

/** Seed 000 §3.3 aliases, with Odoo's contact policies: everyone, known partners, followers. */
async function contactPolicyRefusal(deps: MailDeps, alias: AliasRow, senderPartnerId: number | null, address: string): Promise<string | null> {
  if (alias.contactPolicy === 'everyone') return null;
  if (senderPartnerId === null) return `the alias ${address} accepts mail from known partners only`;
  if (alias.contactPolicy === 'partners') return null;
  const followed = alias.recordId ?? alias.parentRecordId;
  if (followed !== null && (await isFollower(deps.db, followed, senderPartnerId))) return null;
  return `the alias ${address} accepts mail from followers only`;
}

/**
 * Posts the routed messages, all in one transaction, after the sender-loop limit (issue 4 §3: more
 * than N messages from one sender to one thread within the window are not posted), counting the
 * messages of this batch with those already posted.
 */
async function post(deps: MailDeps, batch: StoredInbound[], postings: Posting[], outcomes: (InboundOutcome | undefined)[]): Promise<void> {
  const { loopLimit, loopMinutes } = deps.config.inbound;
  const fromOf = (p: Posting) => batch[p.index]!.mail.from?.address ?? null;
  const pairs = new Map(postings.flatMap((p) => (fromOf(p) ? [[senderKey(p.record.id, fromOf(p)!), { recordId: p.record.id, emailNormalized: fromOf(p)! }] as const] : [])));
  const sent = await countMessagesFromSenders(deps.db, [...pairs.values()], new Date(Date.now() - loopMinutes * 60_000), loopLimit);
  const accepted: Posting[] = [];
  for (const p of postings) {
    const sender = fromOf(p);
    const key = sender === null ? null : senderKey(p.record.id, sender);
    const count = key === null ? 0 : (sent.get(key) ?? 0);
    if (count >= loopLimit) {
      outcomes[p.index] = {
        state: 'dropped',
        route: 'sender-loop',
        reason: `sender-loop limit: ${sender} already sent ${loopLimit} messages to this thread within ${loopMinutes} minutes`,
        recordId: p.record.id,
      };
      continue;
    }
    if (key !== null) sent.set(key, count + 1);
    accepted.push(p);
  }
  if (accepted.length === 0) return;

  const posted = await postReceivedMessages(
    deps,
    accepted.map((p) => receivedPost(batch[p.index]!.mail, p)),
    // The host application hears of a record an alias created with its first message, or not at all.
    async (tx, results) => {
      for (const [i, p] of accepted.entries()) {
        if (p.createdBy) await recordCreatedEvent(tx, batch[p.index]!, p, results[i]!.messageId);
      }
    },
  );
  accepted.forEach((p, i) => {
    outcomes[p.index] = { state: 'routed', route: p.route, reason: null, recordId: p.record.id, messageId: posted[i]!.messageId };
  });
  // A person who writes normally again is not bouncing any more: their counter starts over.
  const recovered = [...new Set(accepted.flatMap((p) => (p.sender.bouncing && fromOf(p) ? [fromOf(p)!] : [])))];
  await resetBounceCounts(deps.db, recovered).catch((error) => deps.log.error({ err: error, addresses: recovered }, 'bounce counters could not be reset'));
}

/** The post a received message becomes on its thread (the gateway's, and a message attached by hand). */
export function receivedPost(mail: ParsedInbound, p: Pick<Posting, 'record' | 'parent' | 'sender'>): ReceivedPost {
  return {
    record: p.record,
    kind: p.parent?.kind === 'note' ? 'note' : 'comment',
    bodyHtml: !mail.body.blank || mail.attachments.length > 0 ? mail.body.html : '<p><em>(empty message)</em></p>',
    subject: mail.subject,
    authorPartnerId: p.sender.partnerId,
    from: mail.from ? (mail.from.name ? `${mail.from.name} <${mail.from.address}>` : mail.from.address) : 'unknown sender',
    fromNormalized: mail.from?.address ?? '',
    rfcMessageId: mail.rfcMessageId,
    parentMessageId: p.parent?.id ?? null,
    attachments: mail.attachments,
  };
}

async function recordCreatedEvent(db: Db, { inboundId, mail }: StoredInbound, p: Posting, messageId: number): Promise<void> {
  await insertEvent(db, 'record.created', {
    recordId: p.record.id,
    model: p.record.model,
    resId: p.record.resId,
    name: p.record.name,
    companyId: p.record.companyId,
    aliasId: p.createdBy!.id,
    inboundEmailId: inboundId,
    messageId,
    from: mail.from?.address ?? null,
    authorPartnerId: p.sender.partnerId,
  });
}

/**
 * Seed 000 §3.3: mail to an alias creates a record of its model. The host application owns its
 * records: Facteur registers one (res_id `inbound-<id>`, deterministic so that re-processing finds it
 * again) and tells the host with a `record.created` event. A known sender follows it, so that the
 * answers reach them.
 */
async function createAliasRecord(deps: MailDeps, inboundId: number, mail: ParsedInbound, alias: AliasRow, senderPartnerId: number | null): Promise<RoutedRecord> {
  const parent = alias.parentRecordId !== null ? await findRecordById(deps.db, alias.parentRecordId) : undefined;
  const { record } = await registerRecord(deps, SYSTEM, {
    model: alias.model,
    resId: `inbound-${inboundId}`,
    name: mail.subject?.trim() || `Email from ${mail.from?.address ?? 'unknown sender'}`,
    companyId: alias.companyId,
    parent: parent ? { model: parent.model, resId: parent.resId } : undefined,
  });
  if (senderPartnerId !== null) await followRecord(deps, SYSTEM, { model: record.model, resId: record.resId }, { partnerId: senderPartnerId });
  return record;
}
