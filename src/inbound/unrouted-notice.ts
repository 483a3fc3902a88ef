// The optional answer to an unrouted message (issue 4 §3: "optionally answered to the sender with an
// explanation"), queued in the outbox like any email so that it is retried and visible.
import type { MailDeps } from '../mail/deps.ts';
import { countNoticesTo, enqueueNotice } from '../outbox/notices.store.ts';
import type { ParsedInbound } from './parse.ts';
import type { AliasDomainRow } from './routing.store.ts';
import { mayAnswer, unroutedNotice } from './rules/auto-reply.ts';

const ONE_DAY_MS = 86_400_000;

/**
 * The optional notice to the sender of an unrouted message, from the notifications address of the
 * alias domain it was sent to; at most one a day per sender, never to automatic mail (RFC 3834).
 */
export async function answerUnrouted(deps: MailDeps, inboundId: number, mail: ParsedInbound, aliasDomains: AliasDomainRow[]): Promise<void> {
  const sender = mail.from?.address ?? null;
  if (!mayAnswer(mail.headers, sender, mail.returnPath)) return;
  const recipient = [...mail.to, ...mail.cc].map((a) => a.address).find((a) => aliasDomains.some((d) => a.endsWith(`@${d.domain}`)));
  const company = aliasDomains.find((d) => recipient?.endsWith(`@${d.domain}`));
  if (!recipient || !company) return;
  if ((await countNoticesTo(deps.db, 'unrouted', sender!, new Date(Date.now() - ONE_DAY_MS))) > 0) return;
  const outboxId = await enqueueNotice(deps.db, {
    notice: 'unrouted',
    emailTo: sender!,
    companyId: company.companyId,
    inReplyTo: mail.hasOwnMessageId ? mail.rfcMessageId : null,
    ...unroutedNotice({ subject: mail.subject, recipient }),
  });
  deps.log.info({ inboundId, outboxId, to: sender }, 'unrouted email answered with a notice');
}
