// Where a batch's time goes, measured on the real sendDueBatch (src/outbox/send.ts): a Kysely plugin
// times every statement (StatementTimer), and a wrapper around the product's transport pool notes when
// each email is handed to nodemailer and when the server accepts it. No instrumented copy of the worker.
import type { SendMailOptions } from 'nodemailer';
import { cachedRenderer, composeEmail, recordUrl } from '../../src/mail/compose.ts';
import type { MailDeps } from '../../src/mail/deps.ts';
import { decideAddressing } from '../../src/mail/rules/addressing.ts';
import { replyTokenLocalPart } from '../../src/mail/rules/reply-token.ts';
import { activeServersForSending } from '../../src/mail/servers.ts';
import { createTransportPool, type TransportPool } from '../../src/mail/transports.ts';
import { loadEmailsToSend } from '../../src/outbox/delivery.store.ts';
import { sendDueBatch } from '../../src/outbox/send.ts';
import { renderNotificationEmail } from '../../src/templates/layouts.ts';
import { StatementTimer } from './statement-timer.ts';

export interface Phases {
  batches: number;
  emails: number;
  /** Sums over the batches, in ms. */
  wallMs: number;
  claimMs: number;
  loadMs: number;
  /** Servers, companies, the reply secret (insert + read), attachments. */
  lookupsMs: number;
  /** From the last lookup to the last email handed to nodemailer: addressing, composing, sendMail's own synchronous part. */
  composeMs: number;
  /** From then until the last email of the batch is accepted: only SMTP left in flight. */
  smtpTailMs: number;
  /** The settling transaction (BEGIN, markSent's two UPDATEs, COMMIT) and the logging after it. */
  settleMs: number;
  statements: number;
}

const LOOKUPS = /listActiveServers|activeServersForSending|findCompanies|aliasDomainsOf|sendDueBatch|initSetting|readSetting|listAttachmentContentsOf/;

/** Runs sendDueBatch `batches` times (or until the queue is empty) with every phase timed. */
export async function timeBatches(deps: MailDeps, batches: number, batchSize = 100, maxConnections = 5): Promise<Phases> {
  const pool = createTransportPool({ maxConnections });
  const sum: Phases = { batches: 0, emails: 0, wallMs: 0, claimMs: 0, loadMs: 0, lookupsMs: 0, composeMs: 0, smtpTailMs: 0, settleMs: 0, statements: 0 };
  try {
    for (let b = 0; b < batches; b++) {
      const timer = new StatementTimer();
      let lastHandedOver = 0;
      let lastAccepted = 0;
      const transports: TransportPool = {
        async send(server, message: SendMailOptions) {
          lastHandedOver = performance.now();
          try {
            return await pool.send(server, message);
          } finally {
            lastAccepted = performance.now();
          }
        },
        close: () => {},
      };
      const start = performance.now();
      const report = await sendDueBatch({ ...deps, db: deps.db.withPlugin(timer) }, transports, batchSize);
      const end = performance.now();
      if (report.claimed === 0) break;
      const t = timer.timings;
      const claim = t.find((s) => s.caller.startsWith('claimDueEntries'));
      const load = t.find((s) => s.caller.startsWith('loadEmailsToSend'));
      const lookups = t.filter((s) => LOOKUPS.test(s.caller) && s.start >= (load?.end ?? start) && s.end <= lastHandedOver);
      const lastLookup = lookups.at(-1)?.end ?? load?.end ?? start;
      sum.batches++;
      sum.emails += report.claimed;
      sum.wallMs += end - start;
      sum.claimMs += claim ? claim.end - start : 0;
      sum.loadMs += load ? load.end - (claim?.end ?? start) : 0;
      sum.lookupsMs += lastLookup - (load?.end ?? start);
      sum.composeMs += lastHandedOver - lastLookup;
      sum.smtpTailMs += lastAccepted - lastHandedOver;
      sum.settleMs += end - lastAccepted;
      sum.statements += t.length;
    }
  } finally {
    pool.close();
  }
  return sum;
}

export interface ComposeCost {
  emails: number;
  /** In ms: one layout (Liquid + html-to-text), then per email decideAddressing + composeEmail as sendDueBatch calls it (layout cached per message and group). */
  renderMs: number;
  composeMs: number;
}

/**
 * The JavaScript cost of building one email, apart from any I/O: the entries' rows are loaded once,
 * then addressing and composing run `rounds` times over them. Does not send and changes nothing.
 */
export async function composeCost(deps: MailDeps, outboxIds: number[], rounds = 5): Promise<ComposeCost> {
  const emails = await loadEmailsToSend(deps.db, outboxIds);
  const servers = await activeServersForSending(deps);
  const aliasDomain = { domain: 'bench.example.com', catchall: 'catchall', bounce: 'bounce', defaultFrom: 'notifications' };
  const secret = 'a'.repeat(64);
  let start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const email of emails) {
      renderNotificationEmail({
        group: 'external',
        bodyHtml: email.message.bodyHtml,
        recordName: email.record.name,
        authorName: email.author.name,
        subtypeName: email.message.subtypeName,
        recordUrl: recordUrl(deps.config.publicUrl, email.record),
      });
    }
  }
  const renderMs = (performance.now() - start) / (rounds * emails.length);
  start = performance.now();
  const render = cachedRenderer(deps.config.publicUrl);
  for (let r = 0; r < rounds; r++) {
    for (const email of emails) {
      const addressing = decideAddressing({
        emailTo: email.emailTo,
        blacklisted: email.recipient.blacklisted,
        author: email.author,
        aliasDomain,
        replyTokenFor: () => replyTokenLocalPart(email.record, secret),
        servers,
      });
      if (addressing.kind !== 'send') throw new Error(`Email ${email.outboxId} would not be sent: ${addressing.reason}`);
      composeEmail(email, addressing, { render, headerDomain: aliasDomain.domain, attachments: [] });
    }
  }
  const composeMs = (performance.now() - start) / (rounds * emails.length);
  return { emails: emails.length, renderMs, composeMs };
}
