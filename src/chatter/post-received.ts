// Posting messages that came in by email, many at once: the inbound gateway hands over a batch of
// routed replies. The rules are postMessage's (DESIGN "Posting"; seed 000 §12.2) for a post with no
// mentions and no added recipients: the followers subscribed to the subtype are notified, the author
// is not, nobody else is. It takes one transaction and the same few statements for one message or a
// hundred, on as many threads as they answer.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { enqueueEmailNotifications } from '../outbox/outbox.store.ts';
import type { ChatterDeps } from './deps.ts';
import { subscribedAddresseesOf, threadKey } from './followers.store.ts';
import { subtypeByCode } from './lookups.ts';
import { insertAttachments, insertMessages, insertNotifications } from './messages.store.ts';
import { notificationsOf } from './post.ts';
import type { RecordRow } from './records.store.ts';
import { decideRecipients } from './rules/recipients.ts';
import { listSubtypes } from './subtypes.store.ts';

export interface ReceivedPost {
  record: Pick<RecordRow, 'id' | 'model' | 'resId'>;
  /** A reply to a note stays a note (seed 000 §12.2). */
  kind: 'comment' | 'note';
  /** Already sanitised by the gateway, and never read for mentions: a stranger's text must not notify anyone. */
  bodyHtml: string;
  subject: string | null;
  /** The sender's partner; null for a sender we do not know, whose address stays in `from`. */
  authorPartnerId: number | null;
  /** The From field as received, e.g. `Jane Doe <jane@example.com>`. */
  from: string;
  /** The sender's address, lowercased (the sender-loop limit counts by it). */
  fromNormalized: string;
  /** The message's own Message-ID, with angle brackets. */
  rfcMessageId: string;
  /** The message of the thread it answers, when it names one. */
  parentMessageId: number | null;
  attachments: { filename: string; contentType: string; content: Uint8Array; contentId: string | null }[];
}

export interface ReceivedPostResult {
  messageId: number;
  notified: { inbox: number; email: number };
}

/**
 * Posts every message, or none (one transaction); results in the order given. `alongside` runs in the
 * same transaction once the messages exist, for what must be recorded with them or not at all.
 */
export async function postReceivedMessages(
  deps: ChatterDeps,
  posts: ReceivedPost[],
  alongside?: (tx: Db, results: ReceivedPostResult[]) => Promise<void>,
): Promise<ReceivedPostResult[]> {
  if (posts.length === 0) return [];
  const results = await deps.db.transaction().execute(async (tx) => {
    const subtypes = await listSubtypes(tx);
    const subtypeOf = posts.map((p) => subtypeByCode(subtypes, p.kind === 'note' ? 'note' : 'discussion', p.record.model));
    const threads = [...new Map(posts.map((p, i) => [threadKey(p.record.id, subtypeOf[i]!.id), { recordId: p.record.id, subtypeId: subtypeOf[i]!.id }])).values()];
    const followers = await subscribedAddresseesOf(tx, threads);
    const messages = await insertMessages(
        tx,
        posts.map((p, i) => ({
          recordId: p.record.id,
          kind: p.kind,
          subtypeId: subtypeOf[i]!.id,
          authorPartnerId: p.authorPartnerId,
          emailFrom: p.from,
          emailFromNormalized: p.fromNormalized,
          subject: p.subject,
          bodyHtml: p.bodyHtml,
          rfcMessageId: p.rfcMessageId,
          parentMessageId: p.parentMessageId,
        })),
      );
    const decisions = posts.map((p, i) =>
      decideRecipients({
        subscribedFollowers: followers.get(threadKey(p.record.id, subtypeOf[i]!.id)) ?? [],
        explicitRecipients: [],
        mentioned: [],
        followerPartnerIds: new Set(),
        authorPartnerId: p.authorPartnerId,
      }),
    );
    const messageIds = messages.map((m) => m.id);
    await insertAttachments(
      tx,
      posts.flatMap((p, i) => p.attachments.map((a) => ({ ...a, messageId: messageIds[i]!, sha256: createHash('sha256').update(a.content).digest('hex') }))),
    );
    await insertNotifications(tx, decisions.flatMap((d, i) => notificationsOf(messageIds[i]!, d.recipients)));
    await enqueueEmailNotifications(tx, messageIds, { records: posts.map((p) => p.record.id) });
    const posted = decisions.map((d, i) => {
      const email = d.recipients.filter((r) => r.channel === 'email').length;
      return { messageId: messageIds[i]!, notified: { inbox: d.recipients.length - email, email } };
    });
    await alongside?.(tx, posted);
    return posted;
  });
  posts.forEach((p, i) => {
    deps.log.info({ messageId: results[i]!.messageId, recordId: p.record.id, model: p.record.model, resId: p.record.resId, kind: p.kind, ...results[i]!.notified }, 'message posted');
  });
  return results;
}
