// Issue 3, point 5: every outcome of a send against real SMTP peers (smtp-server on loopback) —
// accepted, 4xx then success, 4xx until the last attempt, a server that is down, 5xx at RCPT and
// at MAIL FROM, no address, a blacklisted address, a From no server accepts — and the queue driven
// by hand (retry, cancel). The notification of the recipient follows its outbox entry each time.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { cancelQueued, retryFailed } from '../../src/outbox/outbox.ts';
import { startOutboxWorker } from '../../src/outbox/worker.ts';
import { createSecretBox } from '../../src/secrets/secretBox.ts';
import {
  MAX_ATTEMPTS,
  RETRY_BASE_SECONDS,
  company,
  customer,
  drain,
  entries,
  eventually,
  makeDue,
  onlyEntry,
  post,
  record,
  smtpServer,
  staff,
  startOutboundApp,
  unique,
  useServers,
  withdrawLeftovers,
  type EntryRow,
  type OutboundApp,
} from '../helpers/smtp-app.ts';
import {
  MAILBOX_UNAVAILABLE_WORDS,
  SENDER_REJECTED_WORDS,
  TEMPORARY_WORDS,
  closedPort,
  startSilentPeer,
  startSmtpPeer,
  type SmtpPeer,
} from '../helpers/smtp.ts';

const BASE_MS = RETRY_BASE_SECONDS * 1000;

describe('outbound outcomes against real SMTP peers', () => {
  let t: OutboundApp;
  let peer: SmtpPeer;
  let acme: Awaited<ReturnType<typeof company>>;
  let alice: Awaited<ReturnType<typeof staff>>;

  before(async () => {
    t = await startOutboundApp();
    peer = await startSmtpPeer();
    acme = await company(t, 'Acme', 'acme.example');
    alice = await staff(t, { name: 'Alice Martin', email: 'alice@acme.example', companyId: acme.id, notification: 'inbox' });
  });
  after(async () => {
    await peer?.close();
    await t?.close();
  });
  beforeEach(async () => {
    await withdrawLeftovers(t);
    peer.mode = { kind: 'accept' };
    peer.reset();
    // A server without filter: it may send as anyone, so only the peer's answers decide.
    await useServers(t, [smtpServer(peer, { name: 'Relay' })]);
  });

  /** A record of Acme, and one message by Alice to one recipient: one outbox entry. */
  async function postTo(recipientId: number, subject = 'Quotation') {
    const rec = await record(t, { name: `S${unique()}`, companyId: acme.id });
    const posted = await post(t, rec, { authorPartnerId: alice.partnerId, recipientIds: [recipientId], subject });
    assert.equal(posted.notified.email, 1, 'one email queued');
    return { rec, posted, entry: await onlyEntry(t, posted.id) };
  }

  /** Drains until the entry has been attempted `attempts` times; returns the instants around that drain. */
  async function drainUntilAttempt(id: number, attempts: number, timeoutMs = 15_000) {
    return eventually(`outbox entry ${id} to reach attempt ${attempts}`, async () => {
      const before = new Date();
      await drain(t);
      const afterDrain = new Date();
      const [row] = await entries(t, { ids: [id] });
      return row!.attempts >= attempts ? { before, after: afterDrain, row: row! } : undefined;
    }, timeoutMs, 50);
  }

  function assertNotificationFollows(row: EntryRow, status: string) {
    assert.ok(row.notification, 'the entry has a notification');
    assert.equal(row.notification.status, status);
    assert.equal(row.notification.failureType, row.failureType, 'the notification carries the failure type of its entry');
    assert.equal(row.notification.failureReason, row.failureReason, 'the notification carries the failure reason of its entry');
  }

  test('accepted → the outbox entry and the notification are sent', async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);
    assert.equal(entry.state, 'queued');
    assert.equal(entry.notification?.status, 'ready');

    const report = await drain(t);
    assert.deepEqual(report, { claimed: 1, sent: 1, retried: 0, failed: 0 });

    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'sent');
    assert.equal(row!.attempts, 1);
    assert.equal(row!.failureType, null);
    assertNotificationFollows(row!, 'sent');
    assert.equal(peer.received.length, 1);
    assert.deepEqual(peer.received[0]!.rcptTo, [carol.email]);
  });

  test('accepted → sent by a running worker, woken by the post itself (NOTIFY)', async () => {
    const worker = await startOutboxWorker(t.app.mail, t.app.database);
    try {
      const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
      const one = await postTo(carol.id);
      await peer.waitForMessages(1, 10_000);
      // The worker has looked at the queue by now; its periodic sweep comes only every
      // OUTBOX_SWEEP_SECONDS (60 s by default), so only the NOTIFY of the post can bring this one.
      const two = await postTo(carol.id);
      await peer.waitForMessages(2, 10_000);
      const rows = await eventually('both entries to be settled', async () => {
        const found = await entries(t, { ids: [one.entry.id, two.entry.id] });
        return found.every((r) => r.state === 'sent') ? found : undefined;
      }, 10_000);
      for (const row of rows) assertNotificationFollows(row, 'sent');
    } finally {
      await worker.stop();
    }
  });

  test('a running worker retries when the retry falls due, not at its next sweep', async () => {
    const worker = await startOutboxWorker(t.app.mail, t.app.database);
    try {
      peer.mode = { kind: 'temporary', at: 'RCPT' };
      const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
      const { entry } = await postTo(carol.id);
      await eventually('the first attempt to fail', async () => {
        const [row] = await entries(t, { ids: [entry.id] });
        return row!.attempts === 1 && row!.state === 'queued' ? true : undefined;
      }, 10_000);
      peer.mode = { kind: 'accept' };
      // The retry is due one base delay (1 s) later; the sweep comes only every 60 s.
      const [row] = await eventually('the retry to be sent', async () => {
        const found = await entries(t, { ids: [entry.id] });
        return found[0]!.state === 'sent' ? found : undefined;
      }, 10_000);
      assert.equal(row!.attempts, 2);
    } finally {
      await worker.stop();
    }
  });

  test('4xx at RCPT → retried with exponential backoff; once the peer accepts → sent', async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);
    peer.mode = { kind: 'temporary', at: 'RCPT' };

    // Attempt 1: the entry goes back to the queue, due one base delay later.
    const first = await drainUntilAttempt(entry.id, 1);
    assert.equal(first.row.state, 'queued');
    assert.equal(first.row.failureType, 'mail_smtp');
    assert.match(first.row.failureReason ?? '', /^451\b/, 'the reply code, as the server gave it');
    assert.ok(first.row.failureReason?.includes(TEMPORARY_WORDS), `the server's own words: ${first.row.failureReason}`);
    assert.equal(first.row.notification?.status, 'ready', 'the notification waits while the entry is retried');
    const next1 = first.row.nextAttemptAt.getTime();
    assert.ok(next1 >= first.before.getTime() + BASE_MS, 'attempt 2 is due at least one base delay after attempt 1');
    assert.ok(next1 <= first.after.getTime() + BASE_MS, 'attempt 2 is due one base delay (2^0) after attempt 1, not more');

    // Attempt 2 happens only once due (the real backoff, no SQL): twice the base delay this time.
    const second = await drainUntilAttempt(entry.id, 2);
    assert.equal(second.row.state, 'queued');
    const next2 = second.row.nextAttemptAt.getTime();
    assert.ok(second.after.getTime() >= next1, 'attempt 2 was not made before it was due');
    assert.ok(next2 >= second.before.getTime() + 2 * BASE_MS, 'attempt 3 is due two base delays (2^1) after attempt 2');
    assert.ok(next2 <= second.after.getTime() + 2 * BASE_MS);
    assert.ok(next2 - next1 >= 2 * BASE_MS, 'the delay grows: attempt 3 is due ≥ 2 base delays after attempt 2 was due');
    assert.equal(peer.seen.rcptTo, 2);
    assert.equal(peer.received.length, 0);

    // The peer recovers; attempt 3 (the last one allowed) succeeds.
    peer.mode = { kind: 'accept' };
    const third = await drainUntilAttempt(entry.id, 3);
    assert.equal(third.row.state, 'sent');
    assert.equal(third.row.failureType, null, 'a success clears the failure of the earlier attempts');
    assert.equal(third.row.failureReason, null);
    assertNotificationFollows(third.row, 'sent');
    assert.equal(peer.received.length, 1);
    assert.deepEqual(peer.received[0]!.rcptTo, [carol.email]);
  });

  test(`4xx at DATA until the last attempt (${MAX_ATTEMPTS}) → exception mail_smtp, in the server's words, on the notification too`, async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);
    const words = '4.3.0 Mail server temporarily out of resources';
    peer.mode = { kind: 'temporary', at: 'DATA', code: 452, message: words };

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      await drain(t);
      const [row] = await entries(t, { ids: [entry.id] });
      assert.equal(row!.attempts, attempt);
      if (attempt < MAX_ATTEMPTS) {
        assert.equal(row!.state, 'queued', `attempt ${attempt} is retried`);
        assert.equal(row!.notification?.status, 'ready');
        await makeDue(t, [entry.id]);
      } else {
        assert.equal(row!.state, 'exception', 'no attempt left');
        assert.equal(row!.failureType, 'mail_smtp');
        assert.match(row!.failureReason ?? '', /^452\b/);
        assert.ok(row!.failureReason?.includes(words), `the server's own words: ${row!.failureReason}`);
        assertNotificationFollows(row!, 'exception');
      }
    }
    assert.equal(peer.seen.data, MAX_ATTEMPTS, 'the peer saw every attempt');
    assert.equal(peer.received.length, 0);
    // Final: nothing is due any more.
    assert.equal((await drain(t)).claimed, 0);
  });

  test('down (connection refused) → retried, then exception mail_smtp', async () => {
    const down = await closedPort();
    await useServers(t, [smtpServer(down, { name: 'Down' })]);
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const before = Date.now();
      const report = await drain(t);
      assert.equal(report.claimed, 1);
      const [row] = await entries(t, { ids: [entry.id] });
      assert.equal(row!.failureType, 'mail_smtp');
      assert.match(row!.failureReason ?? '', /ECONNREFUSED|refused/i, `says the connection was refused: ${row!.failureReason}`);
      if (attempt < MAX_ATTEMPTS) {
        assert.equal(row!.state, 'queued', `attempt ${attempt} is retried`);
        assert.equal(report.retried, 1);
        assert.ok(row!.nextAttemptAt.getTime() >= before + BASE_MS * 2 ** (attempt - 1), 'due after the backoff delay, not at once');
        await makeDue(t, [entry.id]);
      } else {
        assert.equal(row!.state, 'exception');
        assert.equal(report.failed, 1);
        assertNotificationFollows(row!, 'exception');
      }
    }
  });

  test('a timeout (the server never greets) → retried as mail_smtp', { timeout: 60_000 }, async () => {
    // nodemailer's greeting timeout, as the product sets it (15 s): this test waits for it once.
    const silent = await startSilentPeer();
    try {
      await useServers(t, [smtpServer(silent.port, { name: 'Silent' })]);
      const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
      const { entry } = await postTo(carol.id);

      const report = await drain(t);
      assert.equal(report.retried, 1);
      const [row] = await entries(t, { ids: [entry.id] });
      assert.equal(row!.state, 'queued', 'a timeout is temporary');
      assert.equal(row!.attempts, 1);
      assert.equal(row!.failureType, 'mail_smtp');
      assert.match(row!.failureReason ?? '', /greeting|time/i, `says what timed out: ${row!.failureReason}`);
      assert.equal(row!.notification?.status, 'ready');
      assert.ok(silent.connections() >= 1, 'the worker did connect');
    } finally {
      await silent.close();
    }
  });

  test('5xx at RCPT → exception mail_email_invalid at once, with the server\'s words', async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);
    peer.mode = { kind: 'reject-recipient' };

    const report = await drain(t);
    assert.deepEqual(report, { claimed: 1, sent: 0, retried: 0, failed: 1 });
    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'exception');
    assert.equal(row!.attempts, 1, 'a permanent failure is not retried');
    assert.equal(row!.failureType, 'mail_email_invalid');
    assert.match(row!.failureReason ?? '', /^550\b/);
    assert.ok(row!.failureReason?.includes(MAILBOX_UNAVAILABLE_WORDS), `the server's own words: ${row!.failureReason}`);
    assertNotificationFollows(row!, 'exception');
    assert.equal((await drain(t)).claimed, 0, 'nothing left to retry');
    assert.equal(peer.seen.rcptTo, 1);
  });

  test('5xx at MAIL FROM → exception mail_from_invalid at once, with the server\'s words', async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);
    peer.mode = { kind: 'reject-sender' };

    await drain(t);
    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'exception');
    assert.equal(row!.attempts, 1);
    assert.equal(row!.failureType, 'mail_from_invalid');
    assert.match(row!.failureReason ?? '', /^553\b/);
    assert.ok(row!.failureReason?.includes(SENDER_REJECTED_WORDS), `the server's own words: ${row!.failureReason}`);
    assertNotificationFollows(row!, 'exception');
  });

  test('a partner without email → exception mail_email_missing, nothing reaches the peer', async () => {
    const nomail = await customer(t, 'No Mail', null);
    const { entry } = await postTo(nomail.id);
    assert.equal(entry.emailTo, null);

    await drain(t);
    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'exception');
    assert.equal(row!.failureType, 'mail_email_missing');
    assert.ok(row!.failureReason, 'a reason a person can read');
    assertNotificationFollows(row!, 'exception');
    assert.equal(peer.seen.connections, 0, 'no connection was even opened');
  });

  test('a blacklisted partner → canceled mail_bl, nothing reaches the peer', async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);
    // No operation blacklists yet (bounces will, in the Sweego issue): the test sets the flag.
    await t.db.updateTable('partners').set({ blacklisted: true }).where('id', '=', carol.id).execute();

    await drain(t);
    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'canceled');
    assert.equal(row!.failureType, 'mail_bl');
    assert.ok(row!.failureReason?.includes(carol.email!), `names the address: ${row!.failureReason}`);
    assertNotificationFollows(row!, 'canceled');
    assert.equal(peer.seen.connections, 0);
  });

  test('a From no server accepts → exception mail_from_invalid, nothing reaches the peer', async () => {
    // The only server may send for other.example: neither Alice (acme.example) nor the
    // notifications address of the record's alias domain (notifications@acme.example) fits it.
    await useServers(t, [smtpServer(peer, { name: 'Other', fromFilter: 'other.example' })]);
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const withAlias = await postTo(carol.id);

    // …nor when no alias domain offers a notifications address at all.
    const plain = await company(t, `Plain ${unique()}`, null);
    const bob = await staff(t, { name: 'Bob', email: `bob.${unique()}@plain.example`, companyId: plain.id });
    const rec = await record(t, { name: 'Plain record', companyId: plain.id });
    const posted = await post(t, rec, { authorPartnerId: bob.partnerId, recipientIds: [carol.id] });
    const withoutAlias = await onlyEntry(t, posted.id);

    await drain(t);
    for (const entry of [withAlias.entry, withoutAlias]) {
      const [row] = await entries(t, { ids: [entry.id] });
      assert.equal(row!.state, 'exception');
      assert.equal(row!.failureType, 'mail_from_invalid');
      assert.match(row!.failureReason ?? '', /No outgoing server may send as/);
      assertNotificationFollows(row!, 'exception');
    }
    assert.equal(peer.seen.connections, 0);
  });

  test('no author address and no alias domain → exception mail_from_missing', async () => {
    // The host application posts without an author, on a record of a company without alias
    // domain: there is no address at all to send from.
    const plain = await company(t, `Plain ${unique()}`, null);
    const rec = await record(t, { name: 'Plain record', companyId: plain.id });
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const posted = await post(t, rec, { authorPartnerId: null, recipientIds: [carol.id] });
    const entry = await onlyEntry(t, posted.id);

    await drain(t);
    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'exception');
    assert.equal(row!.failureType, 'mail_from_missing');
    assertNotificationFollows(row!, 'exception');
    assert.equal(peer.seen.connections, 0);
  });

  test('a server whose password cannot be decrypted (master key changed) does not hold back the emails another server carries', async () => {
    // "Broken" may send only for other.example; its password was sealed under another master key,
    // as after FACTEUR_MASTER_KEY changed. Alice's email goes through "Relay", which has no password.
    const [broken] = await useServers(t, [
      smtpServer(peer, { name: 'Broken', fromFilter: 'other.example', username: 'user', password: 'secret' }),
      smtpServer(peer, { name: 'Relay' }),
    ]);
    const sealedElsewhere = createSecretBox(Buffer.alloc(32, 9).toString('base64')).seal('secret');
    await t.db.updateTable('outgoing_servers').set({ password_encrypted: sealedElsewhere }).where('id', '=', broken!.id).execute();
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);

    await drain(t);
    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'sent', `sent through Relay (got ${row!.state}, attempts ${row!.attempts})`);
    assert.equal(peer.received.length, 1);
  });

  test('queue retry puts an entry in error back, and it is then sent', async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);
    peer.mode = { kind: 'reject-recipient' };
    await drain(t);
    assert.equal((await entries(t, { ids: [entry.id] }))[0]!.state, 'exception');

    // The mailbox is fixed; someone retries the queue (seed 002 "retry_queue").
    peer.mode = { kind: 'accept' };
    const { requeued } = await retryFailed(t.app.chatter, SYSTEM, [entry.id]);
    assert.deepEqual(requeued, [entry.id]);
    const [requeuedRow] = await entries(t, { ids: [entry.id] });
    assert.equal(requeuedRow!.state, 'queued');
    assert.equal(requeuedRow!.attempts, 0, 'a fresh count of attempts');
    assert.equal(requeuedRow!.failureType, null);
    assert.equal(requeuedRow!.notification?.status, 'ready');

    await drain(t);
    const [row] = await entries(t, { ids: [entry.id] });
    assert.equal(row!.state, 'sent');
    assertNotificationFollows(row!, 'sent');
    assert.equal(peer.received.length, 1);
    assert.deepEqual(peer.received[0]!.rcptTo, [carol.email]);
  });

  test('cancel a queued entry → canceled with its notification, and it is never sent', async () => {
    const carol = await customer(t, 'Carol', `carol.${unique()}@customer.example.org`);
    const { entry } = await postTo(carol.id);

    await cancelQueued(t.app.chatter, SYSTEM, entry.id);
    const [canceled] = await entries(t, { ids: [entry.id] });
    assert.equal(canceled!.state, 'canceled');
    assert.equal(canceled!.notification?.status, 'canceled');
    assert.equal(canceled!.notification?.failureReason, canceled!.failureReason);

    assert.equal((await drain(t)).claimed, 0);
    assert.equal(peer.seen.connections, 0);
    assert.equal((await entries(t, { ids: [entry.id] }))[0]!.state, 'canceled');
  });
});
