// Processing a stored inbound message: route it (rules/route.ts decides the order), then post it on
// its thread, apply it as a bounce, or keep it with the reason it went nowhere. Whatever fails, the
// message stays in inbound_emails with its state and reason (issue 4 §5).
import { SYSTEM } from '../chatter/actor.ts';
import { followRecord } from '../chatter/followers.ts';
import { postMessage } from '../chatter/post.ts';
import { registerRecord } from '../chatter/records.ts';
import { findRecordById, findRecordByRef, type RecordRow } from '../chatter/records.store.ts';
import { isBlank } from '../chatter/rules/html.ts';
import { insertEvent } from '../events/events.store.ts';
import type { MailDeps } from '../mail/deps.ts';
import { replySecret as readReplySecret } from '../mail/reply-secret.ts';
import { applyBounce } from './bounce.ts';
import { answerUnrouted } from './unrouted-notice.ts';
import { findInboundEmail, findInboundRaw, settleInboundEmail, type InboundOutcome } from './inbound.store.ts';
import { parseInbound, threadIdsOf, type ParsedInbound } from './parse.ts';
import {
  countMessagesFromSender,
  findMessagesByRfcIds,
  findSender,
  isFollower,
  loadRoutingTables,
  resetBounceCount,
  type AliasRow,
} from './routing.store.ts';
import { sanitizeReplyHtml, textToHtml } from './rules/quote.ts';
import { planRoute, type RouteCandidate } from './rules/route.ts';

/** Where a candidate leads: a thread to post on, or why it does not. */
type Target =
  | { kind: 'thread'; record: RecordRow; parent: { id: number; kind: string } | null; route: RouteCandidate['kind'] }
  | { kind: 'new-record'; alias: AliasRow }
  | { kind: 'none'; why: string };

/** Routes a stored message and records its outcome (its state, route and reason), which it returns. */
export async function processInbound(deps: MailDeps, inboundId: number, parsed?: ParsedInbound): Promise<InboundOutcome> {
  let outcome: InboundOutcome;
  try {
    const message = parsed ?? (await reparse(deps, inboundId));
    outcome = message.parseError
      ? { state: 'failed', route: null, reason: `the message could not be parsed: ${message.parseError}` }
      : await route(deps, inboundId, message);
  } catch (error) {
    deps.log.error({ err: error, inboundId }, 'inbound email failed');
    outcome = { state: 'failed', route: null, reason: (error as Error).message };
  }
  await settleInboundEmail(deps.db, inboundId, outcome);
  deps.log.info({ inboundId, state: outcome.state, route: outcome.route, reason: outcome.reason, recordId: outcome.recordId, messageId: outcome.messageId }, 'inbound email processed');
  return outcome;
}

/** A kept message read again (a retry): under the identity it was stored with. */
async function reparse(deps: MailDeps, inboundId: number): Promise<ParsedInbound> {
  const [raw, row] = await Promise.all([findInboundRaw(deps.db, inboundId), findInboundEmail(deps.db, inboundId)]);
  return { ...(await parseInbound(Buffer.from(raw!))), rfcMessageId: row!.rfcMessageId };
}

async function route(deps: MailDeps, inboundId: number, mail: ParsedInbound): Promise<InboundOutcome> {
  const [{ aliasDomains, aliases }, replySecret] = await Promise.all([loadRoutingTables(deps.db), readReplySecret(deps.db)]);
  const plan = planRoute(
    {
      from: mail.from?.address ?? null,
      recipients: [...new Set([...mail.to, ...mail.cc].map((a) => a.address).concat(mail.deliveredTo))],
      headers: mail.headers,
      contentType: mail.contentType,
      threadMessageIds: threadIdsOf(mail),
    },
    aliasDomains,
    aliases.map((a) => ({ id: a.id, address: `${a.name}@${a.domain}`.toLowerCase() })),
    replySecret,
  );
  if (plan.kind === 'drop') return { state: 'dropped', route: 'loop', reason: plan.reason };
  if (plan.kind === 'bounce') return applyBounce(deps, inboundId, mail, plan.reason);
  for (const address of plan.invalidTokens) {
    deps.log.warn({ inboundId, address, from: mail.from?.address }, 'invalid inbound token signature');
  }

  // Our own message coming back (a follower whose address is our catchall…) must not be posted again.
  const known = await findMessagesByRfcIds(deps.db, [mail.rfcMessageId, ...mail.inReplyTo, ...mail.references]);
  if (known.some((m) => m.rfcMessageId === mail.rfcMessageId)) {
    return { state: 'dropped', route: 'loop', reason: `loop: ${mail.rfcMessageId} is a message of ours that came back` };
  }
  const sender = mail.from ? await findSender(deps.db, mail.from.address) : { partnerId: null, bouncing: false };
  const senderPartnerId = sender.partnerId;
  const refusals: string[] = [];
  for (const candidate of plan.candidates) {
    const target = await resolve(deps, candidate, known, aliases, senderPartnerId, mail);
    if (target.kind === 'none') {
      refusals.push(target.why);
      continue;
    }
    return post(deps, inboundId, mail, target, sender);
  }
  if (deps.config.inbound.answerUnrouted) await answerUnrouted(deps, inboundId, mail, aliasDomains);
  const tried = refusals.length > 0 ? ` (${refusals.join('; ')})` : '';
  const forged = plan.invalidTokens.length > 0 ? `; reply token with an invalid signature: ${plan.invalidTokens.join(', ')}` : '';
  return { state: 'unrouted', route: null, reason: `no reply token, known thread or alias matched${tried}${forged}` };
}

async function resolve(
  deps: MailDeps,
  candidate: RouteCandidate,
  known: Awaited<ReturnType<typeof findMessagesByRfcIds>>,
  aliases: AliasRow[],
  senderPartnerId: number | null,
  mail: ParsedInbound,
): Promise<Target> {
  switch (candidate.kind) {
    case 'reply-token': {
      const record = await findRecordByRef(deps.db, candidate.model, candidate.resId);
      if (!record) return { kind: 'none', why: `the reply token names ${candidate.model} ${candidate.resId}, which is not registered` };
      return { kind: 'thread', record, parent: parentIn(record.id, known, mail), route: 'reply-token' };
    }
    case 'thread': {
      for (const id of candidate.messageIds) {
        const message = known.find((m) => m.rfcMessageId === id);
        if (message) return { kind: 'thread', record: (await findRecordById(deps.db, message.recordId))!, parent: { id: message.id, kind: message.kind }, route: 'thread' };
      }
      return { kind: 'none', why: 'In-Reply-To/References name no message of ours' };
    }
    case 'alias': {
      const alias = aliases.find((a) => a.id === candidate.aliasId)!;
      const refusal = await contactPolicyRefusal(deps, alias, senderPartnerId, candidate.address);
      if (refusal) return { kind: 'none', why: refusal };
      if (alias.recordId !== null) return { kind: 'thread', record: (await findRecordById(deps.db, alias.recordId))!, parent: null, route: 'alias' };
      return { kind: 'new-record', alias };
    }
  }
}

/** The message of this thread a reply answers, if it names one: a reply to a note stays a note. */
function parentIn(recordId: number, known: Awaited<ReturnType<typeof findMessagesByRfcIds>>, mail: ParsedInbound): { id: number; kind: string } | null {
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

async function post(
  deps: MailDeps,
  inboundId: number,
  mail: ParsedInbound,
  target: Exclude<Target, { kind: 'none' }>,
  { partnerId: senderPartnerId, bouncing }: { partnerId: number | null; bouncing: boolean },
): Promise<InboundOutcome> {
  const sender = mail.from?.address ?? null;
  const record = target.kind === 'thread' ? target.record : await createAliasRecord(deps, inboundId, mail, target.alias, senderPartnerId);
  const routeName = target.kind === 'thread' ? target.route : 'alias';

  // Issue 4 §3: more than N messages from one sender to one thread within the window are not posted.
  const { loopLimit, loopMinutes } = deps.config.inbound;
  if (sender && (await countMessagesFromSender(deps.db, record.id, sender, new Date(Date.now() - loopMinutes * 60_000), loopLimit)) >= loopLimit) {
    return { state: 'dropped', route: 'sender-loop', reason: `sender-loop limit: ${sender} already sent ${loopLimit} messages to this thread within ${loopMinutes} minutes`, recordId: record.id };
  }
  const parent = target.kind === 'thread' ? target.parent : null;
  const body = mail.html !== null ? sanitizeReplyHtml(mail.html) : textToHtml(mail.text ?? '');
  const posted = await postMessage(deps, SYSTEM, { model: record.model, resId: record.resId }, {
    kind: parent?.kind === 'note' ? 'note' : 'comment',
    body: !isBlank(body) || mail.attachments.length > 0 ? body : '<p><em>(empty message)</em></p>',
    subject: mail.subject,
    authorPartnerId: senderPartnerId,
    attachments: mail.attachments,
    email: {
      from: mail.from ? (mail.from.name ? `${mail.from.name} <${mail.from.address}>` : mail.from.address) : 'unknown sender',
      fromNormalized: sender ?? '',
      rfcMessageId: mail.rfcMessageId,
      parentMessageId: parent?.id ?? null,
    },
  });
  if (sender && bouncing) await resetBounceCount(deps.db, sender);
  if (target.kind === 'new-record') {
    await insertEvent(deps.db, 'record.created', {
      recordId: record.id,
      model: record.model,
      resId: record.resId,
      name: record.name,
      companyId: record.companyId,
      aliasId: target.alias.id,
      inboundEmailId: inboundId,
      messageId: posted.id,
      from: sender,
      authorPartnerId: senderPartnerId,
    });
  }
  return { state: 'routed', route: routeName, reason: null, recordId: record.id, messageId: posted.id };
}

/**
 * Seed 000 §3.3: mail to an alias creates a record of its model. The host application owns its
 * records: Facteur registers one (res_id `inbound-<id>`, deterministic so that re-processing finds it
 * again) and tells the host with a `record.created` event. A known sender follows it, so that the
 * answers reach them.
 */
async function createAliasRecord(deps: MailDeps, inboundId: number, mail: ParsedInbound, alias: AliasRow, senderPartnerId: number | null): Promise<RecordRow> {
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
