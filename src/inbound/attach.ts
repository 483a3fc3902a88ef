// "Attach to a record…": a person posts a message the gateway could not route (unrouted, failed,
// dropped) on the thread they choose. It is posted exactly as the gateway posts a routed reply
// (receivedPost → postReceivedMessages): the known sender is its author, its attachments come along,
// the record's followers are notified; then it is settled as routed by hand.
import { requireSystem, type Actor } from '../chatter/actor.ts';
import { requireRecord, type RecordRef } from '../chatter/lookups.ts';
import { postReceivedMessages } from '../chatter/post-received.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { FacteurError } from '../errors.ts';
import type { MailDeps } from '../mail/deps.ts';
import { findInboundEmail, findInboundRaw, settleAttachedInboundEmail, type InboundEmailRow } from './inbound.store.ts';
import { parseInbound, threadIdsOf } from './parse.ts';
import { parentIn, receivedPost } from './process.ts';
import { loadRouting } from './routing.store.ts';

export async function attachInbound(deps: MailDeps, actor: Actor, id: number, ref: RecordRef): Promise<InboundEmailRow> {
  requireSystem(actor, 'handle inbound email');
  const row = await findInboundEmail(deps.db, id);
  if (!row) throw new FacteurError('INBOUND_EMAIL_NOT_FOUND', `There is no inbound email ${id}.`);
  if (row.state === 'routed') throw alreadyRouted(row);
  if (row.state === 'bounced') {
    throw new FacteurError('INBOUND_EMAIL_NOT_ATTACHABLE', `Inbound email ${id} is a delivery report, already applied to the recipient it names; it is not posted on threads.`, { inboundId: id });
  }
  const record = await requireRecord(deps.db, ref);
  const mail = { ...(await parseInbound((await findInboundRaw(deps.db, id))!)), rfcMessageId: row.rfcMessageId };
  if (mail.parseError) {
    throw new FacteurError('INBOUND_EMAIL_NOT_ATTACHABLE', `Inbound email ${id} could not be read (${mail.parseError}), so it cannot be posted.`, { inboundId: id });
  }
  const lookups = await loadRouting(deps.db, { rfcMessageIds: [mail.rfcMessageId, ...threadIdsOf(mail)], senders: mail.from ? [mail.from.address] : [], refs: [] });
  // Message-IDs are unique among messages: one of ours that came back (a loop) is already on its thread.
  if (lookups.known.some((m) => m.rfcMessageId === mail.rfcMessageId)) {
    throw new FacteurError('INBOUND_EMAIL_NOT_ATTACHABLE', `Inbound email ${id} is a message already posted on a thread (${mail.rfcMessageId}); it cannot be posted again.`, {
      inboundId: id,
    });
  }
  const sender = (mail.from && lookups.senders.get(mail.from.address)) || { partnerId: null, bouncing: false };
  const by = actor.kind === 'user' ? `${actor.user.name} (${actor.user.login})` : 'the host application';
  const reason = `attached by hand to ${record.model} ${record.resId} by ${by}`;
  const post = receivedPost(mail, { record, parent: parentIn(record.id, lookups.known, mail), sender });
  const [posted] = await postReceivedMessages(deps, [post], async (tx, [result]) => {
    // Settled in the post's transaction: if someone routed it meanwhile, nothing is posted.
    if (!(await settleAttachedInboundEmail(tx, id, { reason, recordId: record.id, messageId: result!.messageId }))) throw alreadyRouted(row);
  }).catch((error: unknown) => {
    // Two people attaching it at once: the second post meets the first one's Message-ID.
    throw isUniqueViolation(error) ? alreadyRouted(row) : error;
  });
  deps.log.info({ inboundId: id, recordId: record.id, model: record.model, resId: record.resId, messageId: posted!.messageId, by }, 'inbound email attached by hand');
  return (await findInboundEmail(deps.db, id))!;
}

function alreadyRouted(row: InboundEmailRow): FacteurError {
  return new FacteurError('INBOUND_EMAIL_ALREADY_ROUTED', `Inbound email ${row.id} is already routed${row.record ? ` to ${row.record.model} ${row.record.resId}` : ''}; it is not posted twice.`, {
    inboundId: row.id,
    recordId: row.recordId,
  });
}
