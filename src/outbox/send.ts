// Sending one claimed batch of the outbox (DESIGN "Sending"): decide each email's addressing,
// compose it, send it through its server, then settle every entry in a few set-based statements.
import { findCompanies } from '../chatter/companies.store.ts';
import { listAttachmentContentsOf } from '../chatter/messages.store.ts';
import type { SendMailOptions } from 'nodemailer';
import { cachedRenderer, composeEmail, composeNotice } from '../mail/compose.ts';
import type { MailDeps } from '../mail/deps.ts';
import { decideAddressing, type Addressing, type AliasDomain } from '../mail/rules/addressing.ts';
import { replySecret as readReplySecret } from '../mail/reply-secret.ts';
import { replyTokenLocalPart } from '../mail/rules/reply-token.ts';
import { isLastAttempt, nextAttemptAt } from '../mail/rules/retry-policy.ts';
import { classifySendInfo, classifySmtpError, type SendOutcome } from '../mail/rules/smtp-outcome.ts';
import { insertCaughtEmails, type CaughtEmailValues } from '../mail/catcher.store.ts';
import { activeServersForSending, type OutgoingServer } from '../mail/servers.ts';
import type { TransportPool } from '../mail/transports.ts';
import { claimDueEntries, markFailed, markForRetry, markSent, type FailedEntry, type SentEntry } from './claim.store.ts';
import { loadEmailsToSend, type EmailToSend } from './delivery.store.ts';
import { loadNoticesToSend, type NoticeToSend } from './notices.store.ts';
import { outboxMessageIdHeader } from '../mail/rules/x-message-id.ts';

export interface BatchReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

/** One entry's email as the worker composes it: what to send, or why it is not sent. */
export type ComposedEntry =
  | { addressing: Extract<Addressing, { kind: 'do-not-send' }>; aliasDomain: AliasDomain | null }
  | { addressing: Extract<Addressing, { kind: 'send' }>; aliasDomain: AliasDomain | null; message: SendMailOptions; rfcMessageId: string };

/** Composes the emails of a batch: what every email needs (servers, alias domains, secrets, attachments) is looked up once. */
interface Composer {
  servers: OutgoingServer[];
  notification(email: EmailToSend): ComposedEntry;
  notice(notice: NoticeToSend): ComposedEntry;
}

async function composerFor(deps: MailDeps, emails: EmailToSend[], notices: NoticeToSend[]): Promise<Composer> {
  const { db, config } = deps;
  const servers = await activeServersForSending(deps);
  const aliasDomains = await aliasDomainsOfCompanies(deps, [...emails.flatMap((e) => [e.record.companyId, e.author.companyId]), ...notices.map((n) => n.companyId)]);
  const replySecret = await readReplySecret(db);
  const render = cachedRenderer(config.publicUrl);
  const attachments = await listAttachmentContentsOf(db, [...new Set(emails.map((e) => e.message.id))]);

  // A record's reply token is the same for all its recipients through one server: signed once per
  // record, server secret and batch. A Sweego server signs with its own secret (seed 001 §7.1).
  const replyTokens = new Map<string, string | null>();
  const replyTokenOf = (record: EmailToSend['record'], serverId: number | null) => {
    const secret = servers.find((s) => s.id === serverId)?.replyTokenSecret ?? replySecret;
    const key = `${record.model}\u0000${record.resId}\u0000${secret}`;
    if (!replyTokens.has(key)) replyTokens.set(key, config.replyTokens ? replyTokenLocalPart(record, secret) : null);
    return replyTokens.get(key)!;
  };

  return {
    servers,
    notification(email) {
      const aliasDomain = aliasDomains.get(email.record.companyId) ?? aliasDomains.get(email.author.companyId) ?? null;
      const addressing = decideAddressing({
        emailTo: email.emailTo,
        blacklisted: email.recipient.blacklisted,
        author: email.author,
        aliasDomain,
        replyTokenFor: (serverId) => replyTokenOf(email.record, serverId),
        servers,
      });
      if (addressing.kind === 'do-not-send') return { addressing, aliasDomain };
      const message = composeEmail(email, addressing, {
        render,
        headerDomain: aliasDomain?.domain ?? 'facteur.localhost',
        attachments: attachments.filter((a) => a.messageId === email.message.id),
      });
      return { addressing, aliasDomain, message, rfcMessageId: email.message.rfcMessageId };
    },
    notice(notice) {
      const aliasDomain = aliasDomains.get(notice.companyId) ?? null;
      const addressing = decideAddressing({ emailTo: notice.emailTo, blacklisted: false, author: { name: null, email: null }, aliasDomain, replyTokenFor: () => null, servers });
      if (addressing.kind === 'do-not-send') return { addressing, aliasDomain };
      const rfcMessageId = outboxMessageIdHeader(notice.outboxId, aliasDomain?.domain ?? 'facteur.localhost');
      return { addressing, aliasDomain, message: composeNotice(notice, addressing, rfcMessageId), rfcMessageId };
    },
  };
}

/**
 * One entry's email as the worker would compose it now (the send queue's detail): the same code as
 * sending, so what is shown is what goes out. undefined when the entry has no email behind it.
 */
export async function composeEntry(deps: MailDeps, outboxId: number): Promise<ComposedEntry | undefined> {
  const emails = await loadEmailsToSend(deps.db, [outboxId]);
  const notices = emails.length > 0 ? [] : await loadNoticesToSend(deps.db, [outboxId]);
  const composer = await composerFor(deps, emails, notices);
  if (emails[0]) return composer.notification(emails[0]);
  if (notices[0]) return composer.notice(notices[0]);
  return undefined;
}

export async function sendDueBatch(deps: MailDeps, transports: TransportPool, limit: number): Promise<BatchReport> {
  const { db, log, config } = deps;
  const ids = await claimDueEntries(db, limit, config.outbox.leaseSeconds);
  if (ids.length === 0) return { claimed: 0, sent: 0, retried: 0, failed: 0 };
  const emails = await loadEmailsToSend(db, ids);
  // Entries that are not a message's notification are notices Facteur wrote itself.
  const notificationEntryIds = new Set(emails.map((e) => e.outboxId));
  const notices = await loadNoticesToSend(db, ids.filter((id) => !notificationEntryIds.has(id)));
  const composer = await composerFor(deps, emails, notices);
  const servers = composer.servers;

  const sent: SentEntry[] = [];
  const caught: CaughtEmailValues[] = [];
  const retries: (FailedEntry & { nextAttemptAt: Date })[] = [];
  const failures: { exception: FailedEntry[]; canceled: FailedEntry[] } = { exception: [], canceled: [] };
  const missingAliasDomain = new Set<number>();

  /** Sends one composed email through its server and notes what became of its entry. */
  const sendAndRecord = async (entry: { outboxId: number; attempts: number; emailTo: string | null }, composed: ComposedEntry) => {
    if (!('message' in composed)) {
      const { addressing } = composed;
      failures[addressing.state].push({ id: entry.outboxId, failureType: addressing.failureType, reason: addressing.reason });
      return;
    }
    const { addressing, message, rfcMessageId } = composed;
    const server = servers.find((s) => s.id === addressing.serverId) ?? null;
    const { outcome, raw } = await send(transports, server, message);
    if (raw) {
      caught.push({
        outboxId: entry.outboxId,
        messageId: rfcMessageId,
        envelopeFrom: addressing.envelopeFrom,
        envelopeTo: [entry.emailTo!],
        fromHeader: addressing.from.name ? `${addressing.from.name} <${addressing.from.address}>` : addressing.from.address,
        toHeader: entry.emailTo,
        subject: String(message.subject),
        raw,
      });
    }
    if (outcome === null) {
      sent.push({
        id: entry.outboxId,
        serverId: server?.id ?? null,
        rfcMessageId,
        emailFrom: addressing.from.address,
        replyTo: addressing.replyTo,
        subject: String(message.subject),
        providerMessageId: null,
        pendingDelete: server?.deleteAfterDelivery ?? false,
      });
    } else if (outcome.kind === 'retry' && !isLastAttempt(entry.attempts, config.outbox.maxAttempts)) {
      retries.push({ id: entry.outboxId, failureType: outcome.failureType, reason: outcome.reason, nextAttemptAt: nextAttemptAt(new Date(), entry.attempts, config.outbox.retryBaseSeconds) });
    } else {
      failures.exception.push({ id: entry.outboxId, failureType: outcome.failureType, reason: outcome.reason });
    }
  };

  await Promise.all(
    emails.map(async (email) => {
      const composed = composer.notification(email);
      if (!composed.aliasDomain) missingAliasDomain.add(email.outboxId);
      await sendAndRecord(email, composed);
    }),
  );
  await Promise.all(notices.map((notice) => sendAndRecord(notice, composer.notice(notice))));

  // The catcher's copies and the entries' new states are written together: a crash in between
  // would leave the entry to be sent again after its lease, never an email marked sent but lost.
  await db.transaction().execute(async (tx) => {
    await insertCaughtEmails(tx, caught);
    await markSent(tx, sent);
    await markForRetry(tx, retries);
    await markFailed(tx, 'exception', failures.exception);
    await markFailed(tx, 'canceled', failures.canceled);
  });
  // One line per batch, not per email: a post to 10,000 followers would otherwise log 10,000 of them.
  if (missingAliasDomain.size > 0) log.warn({ outboxIds: [...missingAliasDomain] }, 'no alias domain configured');
  for (const entry of [...failures.exception, ...failures.canceled]) {
    log.warn({ outboxId: entry.id, failureType: entry.failureType, reason: entry.reason }, 'email not sent');
  }
  for (const entry of retries) {
    log.info({ outboxId: entry.id, reason: entry.reason, nextAttemptAt: entry.nextAttemptAt }, 'email will be retried');
  }
  const report = { claimed: ids.length, sent: sent.length, retried: retries.length, failed: failures.exception.length + failures.canceled.length };
  log.info(report, 'outbox batch sent');
  return report;
}

/** outcome null when the server accepted the email; otherwise what to do about it. */
async function send(
  transports: TransportPool,
  server: OutgoingServer | null,
  message: Parameters<TransportPool['send']>[1],
): Promise<{ outcome: SendOutcome | null; raw: Buffer | null }> {
  try {
    const result = await transports.send(server, message);
    return { outcome: classifySendInfo(result), raw: result.raw };
  } catch (error) {
    return { outcome: classifySmtpError(error as Parameters<typeof classifySmtpError>[0]), raw: null };
  }
}

async function aliasDomainsOfCompanies(deps: MailDeps, ids: (number | null)[]): Promise<Map<number | null, AliasDomain>> {
  const companyIds = [...new Set(ids.filter((id): id is number => id !== null))];
  if (companyIds.length === 0) return new Map();
  const companies = await findCompanies(deps.db, companyIds);
  return new Map(companies.filter((c) => c.aliasDomain).map((c) => [c.id, c.aliasDomain!]));
}
