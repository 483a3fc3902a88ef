// Issue 4 §1: fetching incoming servers from a real IMAP server — Dovecot from Debian's packages, one
// throwaway instance per test on a loopback port (test/helpers/dovecot.ts). A fetch reads only unseen
// messages, stores each before anything else, marks it seen only once stored, and — when the server
// dies half-way — loses nothing and stores nothing twice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test, type TestContext } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { initSetting } from '../../src/db/settings.store.ts';
import { startInboundFetcher } from '../../src/inbound/fetcher.ts';
import { fetchAllDue, fetchIncomingServer, type FetchReport } from '../../src/inbound/imap-fetch.ts';
import { createIncomingServer, deleteIncomingServer, getIncomingServer, testIncomingServer, updateIncomingServer, type IncomingServerView } from '../../src/inbound/incoming-servers.ts';
import type { MailDeps } from '../../src/mail/deps.ts';
import { replyTokenLocalPart } from '../../src/mail/rules/reply-token.ts';
import { dovecotMissing, startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { company, eventually, record, startOutboundApp, unique, type OutboundApp } from '../helpers/smtp-app.ts';

let t: OutboundApp;
/** Every log line of the operations under test, parsed; `onLog` sees each as it is written. */
const logs: Record<string, unknown>[] = [];
let onLog: (entry: Record<string, unknown>) => void = () => {};
let deps: MailDeps;
let thread: { recordId: number; replyTo: string; domain: string };

before(async () => {
  if (dovecotMissing) return;
  t = await startOutboundApp();
  const log = pino({ level: 'info', base: null }, {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      onLog(entry);
    },
  });
  deps = { ...t.app.mail, log };
  // A record of a company with an alias domain, and the reply-token address its emails carry.
  const domain = `d${unique()}.facteur.test`;
  const { id: companyId } = await company(t, `Company ${domain}`, domain);
  const row = await record(t, { name: 'S00023', companyId });
  const secret = await initSetting(t.db, 'reply_token_secret', randomBytes(32).toString('hex'));
  thread = { recordId: row.id, domain, replyTo: `${replyTokenLocalPart({ model: row.model, resId: row.resId }, secret)}@${domain}` };
});
after(() => t?.close());

/** A throwaway Dovecot and an incoming server reading it; both gone at the end of the test. */
async function mailbox(c: TestContext, input: { password?: string; folder?: string } = {}): Promise<{ dovecot: Dovecot; server: IncomingServerView }> {
  const dovecot = await startDovecot();
  c.after(() => dovecot.stop());
  const server = await createIncomingServer(deps, SYSTEM, {
    name: `Replies ${unique()}`,
    host: dovecot.host,
    port: dovecot.port,
    security: 'none',
    username: dovecot.user,
    password: input.password ?? dovecot.password,
    folder: input.folder,
  });
  c.after(() => deleteIncomingServer(deps, SYSTEM, server.id));
  return { dovecot, server };
}

/** A plain RFC 5322 message. */
function email(input: { subject: string; to?: string; messageId?: string; from?: string }): { raw: string; messageId: string } {
  const messageId = input.messageId ?? `<${unique()}.${Date.now()}@mail.customer.test>`;
  const raw = [
    `From: ${input.from ?? 'Monsieur Client <client@customer.test>'}`,
    `To: ${input.to ?? `catchall@${thread.domain}`}`,
    `Subject: ${input.subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `${input.subject}: thank you.`,
    '',
  ].join('\r\n');
  return { raw, messageId };
}

async function storedRows(messageIds: string[]) {
  return t.db
    .selectFrom('inbound_emails')
    .select(['id', 'rfc_message_id', 'state', 'route', 'record_id', 'message_id', 'source', 'incoming_server_id'])
    .where('rfc_message_id', 'in', messageIds)
    .orderBy('id')
    .execute();
}

const clean: Omit<FetchReport, 'unseen' | 'stored' | 'duplicates'> = { failed: 0, error: null };

describe('fetching an incoming server from a real Dovecot', { skip: dovecotMissing }, () => {
  test('only the unseen messages are stored, each is marked seen, the seen one is left alone; a reply lands in its thread; a second fetch stores nothing', async (c) => {
    const { dovecot, server } = await mailbox(c);
    const reply = email({ subject: 'Re: Your quotation S00023', to: `Monsieur Client <${thread.replyTo}>` });
    const others = [email({ subject: 'Question one' }), email({ subject: 'Question two' })];
    const alreadySeen = email({ subject: 'Read by a person already' });
    await dovecot.append(reply.raw);
    await dovecot.append(alreadySeen.raw, ['\\Seen']);
    for (const other of others) await dovecot.append(other.raw);

    const progress: FetchReport[] = [];
    const report = await fetchIncomingServer(deps, server.id, { onProgress: (r) => progress.push(r) });
    assert.deepEqual(report, { unseen: 3, stored: 3, duplicates: 0, ...clean });
    assert.deepEqual(progress.map((p) => p.stored), [0, 3], 'a running count, from the search on, by chunk (all 3 in one)');

    const rows = await storedRows([reply.messageId, alreadySeen.messageId, ...others.map((o) => o.messageId)]);
    assert.deepEqual(rows.map((r) => r.rfc_message_id).sort(), [reply.messageId, ...others.map((o) => o.messageId)].sort(), 'the seen message was not fetched');
    assert.ok(rows.every((r) => r.source === 'imap' && r.incoming_server_id === server.id));
    const routed = rows.find((r) => r.rfc_message_id === reply.messageId)!;
    assert.equal(routed.state, 'routed', `the reply is routed (route ${routed.route})`);
    assert.equal(routed.record_id, thread.recordId, 'to the record of its reply token');
    const posted = await t.db.selectFrom('messages').select(['record_id', 'subject']).where('id', '=', routed.message_id!).executeTakeFirstOrThrow();
    assert.deepEqual(posted, { record_id: thread.recordId, subject: 'Re: Your quotation S00023' }, 'posted on the thread');

    assert.deepEqual(
      (await dovecot.list()).map((m) => [m.subject, m.seen]),
      [
        ['Re: Your quotation S00023', true],
        ['Read by a person already', true],
        ['Question one', true],
        ['Question two', true],
      ],
    );
    const fetched = await getIncomingServer(deps, SYSTEM, server.id);
    assert.ok(fetched.lastFetchAt instanceof Date);
    assert.equal(fetched.lastError, null);

    assert.deepEqual(await fetchIncomingServer(deps, server.id), { unseen: 0, stored: 0, duplicates: 0, ...clean });
    assert.equal((await storedRows([reply.messageId, ...others.map((o) => o.messageId)])).length, 3);
  });

  test('a message in the mailbox twice (same Message-ID) is stored once, and both copies end seen', async (c) => {
    const { dovecot, server } = await mailbox(c);
    const twice = email({ subject: 'Sent twice' });
    await dovecot.append(twice.raw);
    await dovecot.append(twice.raw);
    assert.deepEqual(await fetchIncomingServer(deps, server.id), { unseen: 2, stored: 1, duplicates: 1, ...clean });
    assert.equal((await storedRows([twice.messageId])).length, 1);
    assert.deepEqual((await dovecot.list()).map((m) => m.seen), [true, true]);
  });

  test('Dovecot killed in the middle of a fetch of 50: the fetch reports it, and after a restart every message is stored exactly once and all end seen', async (c) => {
    const { dovecot, server } = await mailbox(c);
    const messages = Array.from({ length: 50 }, (_, i) => email({ subject: `Message ${i + 1}` }));
    for (const message of messages) await dovecot.append(message.raw);

    // Fetched by chunks of 10. Killed while the gateway stores the second chunk: it is stored, but the
    // connection is gone before it can be marked seen — the hardest case, which the Message-ID must absorb.
    const CHUNK = 10;
    let armed = false;
    let killed: Promise<void> | undefined;
    onLog = (entry) => {
      if (armed && typeof entry.inboundId === 'number') {
        armed = false;
        killed = dovecot.kill();
      }
    };
    c.after(() => (onLog = () => {}));
    const first = await fetchIncomingServer(deps, server.id, {
      chunkSize: CHUNK,
      onProgress: (r) => {
        if (r.stored === CHUNK) armed = true;
      },
    });
    assert.ok(killed, 'Dovecot was killed during the fetch');
    await killed;
    assert.equal(first.unseen, 50);
    assert.equal(first.stored, CHUNK, 'the second chunk was stored but not counted: it could not be marked seen');
    assert.match(first.error ?? '', /connection|seen/i, 'the fetch says why it ended');
    c.diagnostic(`the fetch ended with: ${first.error}`);
    const failed = await getIncomingServer(deps, SYSTEM, server.id);
    assert.equal(failed.lastError, first.error, 'recorded on the server');
    assert.ok(logs.some((l) => l.serverId === server.id && l.level === 50 && /fetch of incoming server failed/.test(String(l.msg))), 'logged, with the server id');
    // The chunks after the second may have been downloaded and stored ahead of the kill (the gateway
    // takes chunks while the next ones download): at least the first two chunks are stored.
    const storedFirst = (await storedRows(messages.map((m) => m.messageId))).length;
    assert.ok(storedFirst >= 2 * CHUNK && storedFirst <= 50, `what was stored stays stored (${storedFirst})`);

    // While it is down, a fetch fails cleanly and takes nothing.
    const down = await fetchIncomingServer(deps, server.id);
    assert.deepEqual([down.unseen, down.stored], [0, 0]);
    assert.match(down.error ?? '', /connection refused/);
    c.diagnostic(`while down: ${down.error}`);

    await dovecot.start();
    const unseenAfterRestart = (await dovecot.list()).filter((m) => !m.seen).length;
    assert.equal(unseenAfterRestart, 50 - CHUNK, 'the stored-but-unseen messages are still unseen');
    const second = await fetchIncomingServer(deps, server.id);
    assert.deepEqual(second, { unseen: 50 - CHUNK, stored: 50 - storedFirst, duplicates: storedFirst - CHUNK, ...clean }, 'what the first fetch stored comes back as duplicates');
    const rows = await storedRows(messages.map((m) => m.messageId));
    assert.equal(rows.length, 50, 'every message stored');
    assert.equal(new Set(rows.map((r) => r.rfc_message_id)).size, 50, 'none twice');
    assert.ok((await dovecot.list()).every((m) => m.seen), 'all seen');
    assert.equal((await getIncomingServer(deps, SYSTEM, server.id)).lastError, null);
  });

  test('a message the gateway cannot store stays unseen and is counted failed; the others go through; the next fetch takes it', async (c) => {
    const { dovecot, server } = await mailbox(c);
    // The database refuses this one message, as a full disk or a lost connection would.
    await sql`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.subject = 'Poison' THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW; END $$`.execute(t.db);
    await sql`CREATE TRIGGER refuse_poison BEFORE INSERT ON inbound_emails FOR EACH ROW EXECUTE FUNCTION refuse_poison()`.execute(t.db);
    c.after(async () => {
      await sql`DROP TRIGGER IF EXISTS refuse_poison ON inbound_emails`.execute(t.db);
      await sql`DROP FUNCTION IF EXISTS refuse_poison()`.execute(t.db);
    });
    const before = email({ subject: 'Before' });
    const poison = email({ subject: 'Poison' });
    const afterIt = email({ subject: 'After' });
    for (const message of [before, poison, afterIt]) await dovecot.append(message.raw);

    assert.deepEqual(await fetchIncomingServer(deps, server.id), { unseen: 3, stored: 2, duplicates: 0, failed: 1, error: null });
    assert.deepEqual((await dovecot.list()).map((m) => [m.subject, m.seen]), [['Before', true], ['Poison', false], ['After', true]]);
    assert.ok(logs.some((l) => l.serverId === server.id && /could not be stored/.test(String(l.msg))));

    await sql`DROP TRIGGER refuse_poison ON inbound_emails`.execute(t.db);
    assert.deepEqual(await fetchIncomingServer(deps, server.id), { unseen: 1, stored: 1, duplicates: 0, ...clean });
    assert.equal((await storedRows([poison.messageId])).length, 1);
  });

  test('two fetches of one server never overlap: the second begins when the first has ended', async (c) => {
    const { dovecot, server } = await mailbox(c);
    for (let i = 0; i < 5; i += 1) await dovecot.append(email({ subject: `Overlap ${i}` }).raw);
    const [first, second, third] = await Promise.all([
      fetchIncomingServer(deps, server.id),
      fetchIncomingServer(deps, server.id),
      fetchIncomingServer(deps, server.id),
    ]);
    assert.deepEqual(first, { unseen: 5, stored: 5, duplicates: 0, ...clean });
    assert.deepEqual(second, { unseen: 0, stored: 0, duplicates: 0, ...clean }, 'it searched after the first had marked them seen');
    assert.equal(third, second, 'requests made meanwhile share one follow-up fetch');
  });

  test('Test connection: ok, the server\'s own words for a wrong password, a missing folder named; a fetch with a wrong password records why', async (c) => {
    const { server } = await mailbox(c);
    assert.deepEqual(await testIncomingServer(deps, SYSTEM, server.id), { ok: true });

    await updateIncomingServer(deps, SYSTEM, server.id, { password: 'not-the-password' });
    const refused = await testIncomingServer(deps, SYSTEM, server.id);
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.reason : '', /^The server refused the login: .*Authentication failed/);
    const report = await fetchIncomingServer(deps, server.id);
    assert.equal(report.stored, 0);
    assert.match(report.error ?? '', /Authentication failed/);
    assert.match((await getIncomingServer(deps, SYSTEM, server.id)).lastError ?? '', /Authentication failed/);

    const { server: wrongFolder } = await mailbox(c, { folder: 'Replies' });
    const missing = await testIncomingServer(deps, SYSTEM, wrongFolder.id);
    assert.equal(missing.ok, false);
    assert.match(!missing.ok ? missing.reason : '', /The folder "Replies" does not exist/);
  });

  test('fetchAllDue takes the active servers whose interval has elapsed', async (c) => {
    const { dovecot, server } = await mailbox(c);
    await dovecot.append(email({ subject: 'Due' }).raw);
    const due = await fetchAllDue(deps);
    assert.deepEqual(
      due.filter((r) => r.serverId === server.id).map((r) => [r.stored, r.error]),
      [[1, null]],
      'never fetched: due',
    );
    assert.deepEqual((await fetchAllDue(deps)).filter((r) => r.serverId === server.id), [], 'just fetched: not due');
    await sql`UPDATE incoming_servers SET last_fetch_at = now() - interval '6 minutes' WHERE id = ${server.id}`.execute(t.db);
    assert.equal((await fetchAllDue(deps)).filter((r) => r.serverId === server.id).length, 1, '6 minutes later: due again (interval 5)');
    await updateIncomingServer(deps, SYSTEM, server.id, { active: false });
    await sql`UPDATE incoming_servers SET last_fetch_at = NULL WHERE id = ${server.id}`.execute(t.db);
    assert.deepEqual((await fetchAllDue(deps)).filter((r) => r.serverId === server.id), [], 'inactive: never due');
  });

  test('the worker\'s fetcher: due servers at start, then new mail at once through IMAP IDLE', async (c) => {
    const { dovecot, server } = await mailbox(c);
    const early = email({ subject: 'There before the worker started' });
    await dovecot.append(early.raw);
    const watching = new Promise<void>((resolve) => {
      onLog = (entry) => {
        if (entry.serverId === server.id && /watching incoming server/.test(String(entry.msg))) resolve();
      };
    });
    c.after(() => (onLog = () => {}));
    // Checks for due servers once an hour only: what arrives later can only come through IDLE.
    const fetcher = startInboundFetcher(deps, { checkEverySeconds: 3600 });
    c.after(() => fetcher.stop());
    await eventually('the first check', async () => ((await storedRows([early.messageId])).length === 1 ? true : undefined), 15_000);
    await watching;

    const late = email({ subject: 'Arrived while the worker runs' });
    const appendedAt = Date.now();
    await dovecot.append(late.raw);
    await eventually('pickup through IDLE', async () => ((await storedRows([late.messageId])).length === 1 ? true : undefined), 15_000, 50);
    c.diagnostic(`picked up ${Date.now() - appendedAt} ms after it arrived`);
    await eventually('marked seen', async () => ((await dovecot.list()).every((m) => m.seen) ? true : undefined), 5_000, 50);
    await fetcher.stop();
  });
});
