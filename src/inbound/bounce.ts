// A bounce (seed 000 §3.4): find the email that failed from what the report returns, mark its
// recipient's notification `bounce` (failure type mail_bounce, with the diagnostic), count the
// bounce on the partner and blacklist the address at the configured limit.
import type { MailDeps } from '../mail/deps.ts';
import { findBouncedByMessage, findBouncedByOutboxIds, markBounced } from './bounce.store.ts';
import type { InboundOutcome } from './inbound.store.ts';
import type { ParsedInbound } from './parse.ts';
import { readBounce } from './rules/bounce.ts';

export async function applyBounce(deps: MailDeps, inboundId: number, mail: ParsedInbound, why: string): Promise<InboundOutcome> {
  const facts = readBounce({ deliveryStatus: mail.deliveryStatus, returnedMessage: mail.returnedMessage, text: mail.text });
  const bounced = (await findBouncedByOutboxIds(deps.db, facts.outboxIds)) ?? (await findBouncedByMessage(deps.db, facts.messageIds, facts.recipient));
  if (!bounced) {
    deps.log.warn({ inboundId, recipient: facts.recipient, messageIds: facts.messageIds }, 'bounce for an email we cannot identify');
    return { state: 'bounced', route: 'bounce', reason: `${why}; the bounced email is not one we can identify (${facts.diagnostic})` };
  }
  const limit = deps.config.inbound.bounceLimit;
  const counted = await deps.db.transaction().execute((tx) => markBounced(tx, bounced, facts.diagnostic, limit));
  deps.log.warn(
    { inboundId, outboxId: bounced.outboxId, notificationId: bounced.notificationId, partnerId: bounced.partnerId, recipient: facts.recipient, diagnostic: facts.diagnostic, ...counted },
    counted?.blacklisted ? 'email bounced; address blacklisted' : 'email bounced',
  );
  return { state: 'bounced', route: 'bounce', reason: facts.diagnostic, recordId: bounced.recordId, messageId: bounced.messageId };
}
