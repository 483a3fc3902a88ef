// Issue 4, item 2: the SMTP listener, end to end with nodemailer as the client. It takes mail for the
// alias domains (any local part, any case), stores it raw under its trace fields (RFC 5321 §4.4) and
// answers 250 with the inbound id; it refuses any other recipient at RCPT (550), an over-size message
// (552), and answers 451 when the message cannot be stored — nothing is stored in any of those cases.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.ts';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { loadConfig } from '../../src/config.ts';
import { getInboundRaw } from '../../src/inbound/inbound.ts';
import { startSmtpListener, type SmtpListener } from '../../src/inbound/smtp-listener.ts';
import { openTestDatabase } from '../helpers/database.ts';
import { MASTER_KEY, sleep, unique, type LogEntry } from '../helpers/smtp-app.ts';

const MAX_SIZE = 64 * 1024;
const SENDER = 'sender@outside.example';

interface Setup {
  app: App;
  listener: SmtpListener;
  logs: LogEntry[];
  domain: string;
  close(): Promise<void>;
}

/** The real App on a fresh test database, a company with an alias domain, and a listener on a free port. */
async function setUp(): Promise<Setup> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'facteur-smtp-listener-'));
  const logs: LogEntry[] = [];
  const log = pino({ level: 'info', base: null }, { write: (line: string) => void logs.push(JSON.parse(line) as LogEntry) });
  const config = loadConfig({ FACTEUR_DATA_DIR: dataDir, LOG_LEVEL: 'silent', FACTEUR_MASTER_KEY: MASTER_KEY });
  const app = await createApp(config, { database: await openTestDatabase(), log });
  const domain = `acme-${unique()}.example`;
  await createCompany(app.chatter, SYSTEM, { name: `Acme ${domain}`, aliasDomain: { domain } });
  const listener = await startSmtpListener(app.mail, { host: '127.0.0.1', port: 0, maxSizeBytes: MAX_SIZE });
  return {
    app,
    listener,
    logs,
    domain,
    async close() {
      await listener.stop();
      await app.close().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A MIME message as a client builds it; its bytes are exactly what goes over the wire. */
async function message(to: string, text = 'Hello,\r\n.a line that starts with a dot (RFC 5321 §4.5.2)\r\nBye.\r\n'): Promise<Buffer> {
  return new MailComposer({ from: `Sender <${SENDER}>`, to, subject: `Listener test ${unique()}`, text, messageId: `<${unique()}@outside.example>` })
    .compile()
    .build();
}

/** One SMTP transaction by nodemailer, on a connection of its own. */
async function send(port: number, to: string[], raw: Buffer): Promise<SMTPTransport.SentMessageInfo> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 10_000, socketTimeout: 20_000 });
  try {
    return await transport.sendMail({ envelope: { from: SENDER, to }, raw });
  } finally {
    transport.close();
  }
}

/** nodemailer's error for a refused transaction. */
interface SmtpClientError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  rejected?: string[];
}

interface StoredRow {
  id: number;
  source: string;
  raw: Uint8Array;
}

/** The stored messages, each read back as received (through the product: it keeps them compressed). */
async function storedRows(app: App): Promise<StoredRow[]> {
  const { rows } = await sql<{ id: number; source: string }>`SELECT id, source FROM inbound_emails ORDER BY id`.execute(app.database.db);
  return Promise.all(rows.map(async (r) => ({ ...r, raw: await getInboundRaw(app.mail, SYSTEM, r.id) })));
}

function idFrom(response: string): number {
  const match = /^250 2\.\d\.\d stored as inbound (\d+)$/.exec(response);
  assert.ok(match, `the 250 reply names the inbound id: ${response}`);
  return Number(match[1]);
}

/** The trace fields the listener wrote above what the client sent; fails unless the rest is byte for byte the same. */
function traceAbove(stored: Uint8Array, sent: Buffer): string {
  const bytes = Buffer.from(stored);
  assert.ok(bytes.length > sent.length, 'something is written above the message');
  assert.ok(bytes.subarray(bytes.length - sent.length).equals(sent), 'the message is kept byte for byte as sent, dots unstuffed');
  return bytes.subarray(0, bytes.length - sent.length).toString('utf8');
}

/** A raw SMTP conversation: the greeting, then one whole reply per command. */
async function converse(port: number, commands: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waiting: (() => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    waiting.splice(0).forEach((wake) => wake());
  });
  const nextReply = async (): Promise<string> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      // A reply ends with a line whose code is followed by a space (RFC 5321 §4.2.1).
      const end = /^\d{3} .*\r\n/m.exec(buffer);
      if (end) {
        const reply = buffer.slice(0, end.index + end[0].length);
        buffer = buffer.slice(reply.length);
        return reply;
      }
      if (Date.now() > deadline) throw new Error(`No SMTP reply within 10 s; got so far: ${buffer}`);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  try {
    const replies = [await nextReply()];
    for (const command of commands) {
      socket.write(`${command}\r\n`);
      replies.push(await nextReply());
    }
    return replies;
  } finally {
    socket.destroy();
  }
}

describe('the SMTP listener, with nodemailer as the client', () => {
  let s: Setup;

  before(async () => {
    s = await setUp();
  });
  after(() => s.close());

  test('a message to catchall@<alias domain> is answered 250 with its inbound id and kept raw, under its trace fields, with source smtp', async () => {
    const to = `catchall@${s.domain}`;
    const raw = await message(to);
    const info = await send(s.listener.port, [to], raw);
    assert.deepEqual(info.accepted, [to]);
    const id = idFrom(info.response);

    const row = (await storedRows(s.app)).find((r) => r.id === id);
    assert.ok(row, `inbound ${id} is stored`);
    assert.equal(row.source, 'smtp');
    const trace = traceAbove(row.raw, raw);
    const escaped = to.replace(/\./g, '\\.');
    assert.match(
      trace,
      new RegExp(
        `^Return-Path: <sender@outside\\.example>\\r\\nDelivered-To: ${escaped}\\r\\n` +
          `Received: from \\S+ \\(\\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby \\S+ \\(Facteur\\) with ESMTP id \\w+\\r\\n\\tfor <${escaped}>;\\r\\n` +
          `\\t\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000\\r\\n$`,
      ),
    );
    const logged = s.logs.find((l) => l.msg === 'smtp message accepted' && l.inboundId === id);
    assert.ok(logged, 'one log line for the accepted message');
    assert.equal(logged.remoteAddress, '127.0.0.1');
  });

  test('any local part of an alias domain is accepted, and the domain whatever its case', async () => {
    const to = `Reply+Token.42@${s.domain}`;
    const raw = await message(to);
    const info = await send(s.listener.port, [to], raw);
    const row = (await storedRows(s.app)).find((r) => r.id === idFrom(info.response));
    assert.ok(row);
    assert.match(traceAbove(row.raw, raw), new RegExp(`^Delivered-To: ${to.replace(/[.+]/g, '\\$&')}\\r$`, 'm'));
    // nodemailer lowercases domains itself: the upper case is spoken by hand.
    const replies = await converse(s.listener.port, ['EHLO client.example', `MAIL FROM:<${SENDER}>`, `RCPT TO:<Someone@${s.domain.toUpperCase()}>`, 'QUIT']);
    assert.match(replies[3]!, /^250 /);
  });

  test('a recipient at another domain — a stranger, a subdomain, a look-alike — is refused at RCPT with 550; nothing is stored', async () => {
    const before = (await storedRows(s.app)).length;
    const strangers = ['someone@elsewhere.example', `catchall@mail.${s.domain}`, `catchall@${s.domain}.evil.example`];
    await assert.rejects(send(s.listener.port, strangers, await message(strangers[0]!)), (error: SmtpClientError) => {
      assert.equal(error.code, 'EENVELOPE');
      assert.equal(error.responseCode, 550);
      assert.deepEqual(error.rejected, strangers);
      assert.match(error.response ?? '', /^550 5\.1\.1 <[^>]+>: recipient not accepted here \(not one of this Facteur's alias domains\)$/);
      return true;
    });
    assert.equal((await storedRows(s.app)).length, before, 'nothing stored');
    for (const address of strangers) {
      const logged = s.logs.find((l) => l.msg === 'smtp recipient refused' && l.address === address);
      assert.ok(logged, `one log line for ${address}`);
      assert.equal(logged.remoteAddress, '127.0.0.1');
    }
  });

  test('mixed recipients: the one at the alias domain is accepted and the message stored for it alone; the other is refused', async () => {
    const good = `sales@${s.domain}`;
    const bad = 'someone@elsewhere.example';
    const raw = await message(`${good}, ${bad}`);
    const info = await send(s.listener.port, [good, bad], raw);
    assert.deepEqual(info.accepted, [good]);
    assert.deepEqual(info.rejected, [bad]);
    const errors = (info as SMTPTransport.SentMessageInfo & { rejectedErrors?: SmtpClientError[] }).rejectedErrors ?? [];
    assert.equal(errors[0]?.responseCode, 550);
    const row = (await storedRows(s.app)).find((r) => r.id === idFrom(info.response));
    assert.ok(row);
    const trace = traceAbove(row.raw, raw);
    assert.match(trace, new RegExp(`^Delivered-To: ${good.replace(/\./g, '\\.')}\\r$`, 'm'));
    assert.doesNotMatch(trace, /elsewhere/, 'the refused recipient is not recorded');
  });

  test('RCPT TO:<postmaster> without a domain is accepted (RFC 5321 §4.5.1) and the message kept', async () => {
    const replies = await converse(s.listener.port, ['EHLO client.example', `MAIL FROM:<${SENDER}>`, 'RCPT TO:<Postmaster>', 'DATA', 'Subject: abuse report\r\n\r\nHello postmaster\r\n.', 'QUIT']);
    assert.match(replies[3]!, /^250 /, 'RCPT accepted');
    assert.match(replies[5]!, /^250 2\.6\.0 stored as inbound \d+/);
  });

  test('EHLO announces the size limit and neither AUTH nor STARTTLS; a declared size over it is refused at MAIL FROM with 552', async () => {
    const replies = await converse(s.listener.port, ['EHLO client.example', `MAIL FROM:<${SENDER}> SIZE=${MAX_SIZE + 1}`, 'QUIT']);
    assert.match(replies[0]!, /^220 /);
    assert.match(replies[1]!, new RegExp(`^250[- ]SIZE ${MAX_SIZE}\\r$`, 'm'));
    assert.doesNotMatch(replies[1]!, /AUTH|STARTTLS/);
    assert.match(replies[2]!, /^552 /);
  });

  test('an over-size message is refused with 552 after DATA; nothing is stored, and the listener takes the next one', async () => {
    const before = (await storedRows(s.app)).length;
    const to = `catchall@${s.domain}`;
    const big = await message(to, `${'x'.repeat(76)}\r\n`.repeat(Math.ceil((MAX_SIZE * 1.5) / 78)));
    await assert.rejects(send(s.listener.port, [to], big), (error: SmtpClientError) => {
      assert.equal(error.responseCode, 552);
      assert.match(error.response ?? '', /^552 5\.3\.4 /);
      return true;
    });
    assert.equal((await storedRows(s.app)).length, before, 'nothing stored');
    assert.ok(s.logs.some((l) => l.msg === 'smtp message refused: over the size limit'));
    const info = await send(s.listener.port, [to], await message(to));
    assert.ok(idFrom(info.response) > 0);
  });

  test('a domain added while the listener runs is accepted within a few seconds (well inside the 10 s cache bound)', async () => {
    const domain = `late-${unique()}.example`;
    const to = `catchall@${domain}`;
    await assert.rejects(send(s.listener.port, [to], await message(to)), (error: SmtpClientError) => error.responseCode === 550);
    await createCompany(s.app.chatter, SYSTEM, { name: `Late ${domain}`, aliasDomain: { domain } });
    const added = Date.now();
    let info: SMTPTransport.SentMessageInfo | undefined;
    while (!info) {
      try {
        info = await send(s.listener.port, [to], await message(to));
      } catch (error) {
        assert.equal((error as SmtpClientError).responseCode, 550);
        assert.ok(Date.now() - added < 10_000, 'accepted within the cache time');
        await sleep(200);
      }
    }
    assert.ok(idFrom(info.response) > 0);
    assert.ok(Date.now() - added < 5_000, `accepted ${Date.now() - added} ms after the domain was added`);
  });
});

describe('the SMTP listener when the database is gone', () => {
  test('a message that cannot be stored is answered 451 4.3.0: the sending MTA keeps it and retries', async () => {
    const s = await setUp();
    try {
      const to = `catchall@${s.domain}`;
      // A first message reads the alias domains: the next RCPT is answered from memory.
      await send(s.listener.port, [to], await message(to));
      await s.app.close();
      await assert.rejects(send(s.listener.port, [to], await message(to)), (error: SmtpClientError) => {
        assert.equal(error.responseCode, 451);
        assert.match(error.response ?? '', /^451 4\.3\.0 the message could not be stored, try again later$/);
        return true;
      });
      assert.ok(s.logs.some((l) => l.msg === 'smtp message not stored: answered 451, the sender will retry'));
    } finally {
      await s.close();
    }
  });
});
