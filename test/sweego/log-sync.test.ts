// Issue 5 §6 (seed 001 §6): the log sync, against the local Sweego simulator — nothing waiting, no
// API call; webhooks lost, the logs confirm deliveries and mark bounces; 1,201 waiting entries read
// across three pages of 500; run twice, nothing more happens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { syncSweegoNow } from '../../src/sweego/log-sync.ts';
import { updateSweegoSettings } from '../../src/sweego/settings.ts';
import { company, customer, drain, entries, follow, post, record, startOutboundApp, staff, unique, type OutboundApp } from '../helpers/smtp-app.ts';
import type { SmtpPeer } from '../helpers/smtp.ts';
import { startSweegoRelay, startSweegoSimulator, useSweegoServer, type SweegoLogRecord, type SweegoSimulator } from '../helpers/sweego-simulator.ts';

let t: OutboundApp;
let relay: SmtpPeer;
let sweego: SweegoSimulator;

before(async () => {
  t = await startOutboundApp();
  relay = await startSweegoRelay();
  sweego = await startSweegoSimulator();
  await useSweegoServer(t, relay, { deleteAfterDelivery: true });
  await updateSweegoSettings(t.app.mail, SYSTEM, { apiKey: sweego.apiKey, clientUuid: sweego.clientUuid, apiUrl: sweego.url });
});
after(async () => {
  await sweego.close();
  await relay.close();
  await t.close();
});

/** A record of `followers` customers; one comment to them, sent through the relay. Returns the entries with their X-Message-Id. */
async function sentEmails(followers: number) {
  const domain = `d${unique()}.facteur.test`;
  const { id: companyId } = await company(t, `Company ${domain}`, domain);
  const author = await staff(t, { name: 'User 1', email: `user1@${domain}`, companyId });
  const row = await record(t, { name: `S${unique()}`, companyId });
  const ref = { model: row.model, resId: row.resId };
  const customers = [];
  for (let i = 0; i < followers; i++) customers.push(await customer(t, `Client ${i}`, `client${i}.${unique()}@customer.test`));
  for (const c of customers) await follow(t, ref, c.id);
  const message = await post(t, ref, { authorPartnerId: author.partnerId, body: '<p>Your order shipped.</p>' });
  await drain(t);
  const rows = await entries(t, { messageId: message.id });
  assert.ok(rows.every((e) => e.state === 'sent'), 'all sent through the relay');
  const { rows: headers } = await sql<{ id: number; email_to: string }>`SELECT id, email_to FROM outbox WHERE message_id = ${message.id} ORDER BY id`.execute(t.db);
  return headers.map((h) => ({ id: h.id, emailTo: h.email_to, xMessageId: `<facteur-outbox-${h.id}@${domain}>`, domain }));
}

function log(email: { emailTo: string; xMessageId: string; domain: string }, status: string, extra: Partial<SweegoLogRecord> = {}): SweegoLogRecord {
  return {
    swg_uid: `01-${unique()}`,
    transaction_id: `tx-${unique()}`,
    status,
    email_to: email.emailTo,
    domain_from: email.domain,
    headers: { 'x-mailer': 'Sweego', 'x-message-id': email.xMessageId },
    ...extra,
  };
}

describe('the Sweego log sync (seed 001 §6)', () => {
  test('with no email waiting for confirmation, it stops without calling the API', async () => {
    sweego.calls.length = 0;
    const report = await syncSweegoNow(t.app.mail, SYSTEM);
    assert.deepEqual(report, { pending: 0, pages: 0, records: 0, matched: 0, applied: 0 });
    assert.equal(sweego.calls.length, 0);
  });

  test('webhooks lost: the logs confirm a delivery, mark a hard and a soft bounce and a blacklisted address; other installations\' records are left alone; a second run changes nothing', async () => {
    const [delivered, hard, soft, blacklisted] = await sentEmails(4);
    const stranger = { emailTo: 'x@elsewhere.test', xMessageId: '<facteur-outbox-999999@elsewhere.test>', domain: delivered!.domain };
    sweego.logs = [
      log(delivered!, 'email_sent'),
      log(delivered!, 'delivered'),
      log(hard!, 'undelivered', { bounce_type: 'hard', rejected: '550 5.1.1 <client@customer.test>: Recipient address rejected' }),
      log(soft!, 'undelivered', { bounce_type: 'soft', deferred: '452 4.2.2 Mailbox full' }),
      log(blacklisted!, 'undelivered', { headers: { 'x-message-id': blacklisted!.xMessageId, 'x-emails-blacklisted': blacklisted!.emailTo } }),
      log(stranger, 'delivered'),
    ];
    sweego.calls.length = 0;
    const report = await syncSweegoNow(t.app.mail, SYSTEM);
    assert.deepEqual(report, { pending: 4, pages: 1, records: 6, matched: 5, applied: 4 });
    const call = sweego.calls[0]!;
    assert.equal(call.path, '/logs/');
    assert.deepEqual((call.body as { domains: string[] }).domains.includes(delivered!.domain), true, 'filtered on the alias domains');
    assert.equal((call.body as { size: number }).size, 500);

    const rows = await entries(t, { ids: [delivered!.id, hard!.id, soft!.id, blacklisted!.id] });
    assert.deepEqual(rows.map((r) => r.id), [hard!.id, soft!.id, blacklisted!.id], 'the delivered one is deleted (deferred deletion)');
    assert.deepEqual(
      rows.map((r) => [r.state, r.failureType, r.notification!.status]),
      [
        ['exception', 'mail_email_invalid', 'exception'],
        ['exception', 'mail_smtp', 'exception'],
        ['exception', 'mail_bl', 'exception'],
      ],
    );
    assert.match(rows[0]!.failureReason!, /Recipient address rejected/);

    sweego.calls.length = 0;
    assert.deepEqual(await syncSweegoNow(t.app.mail, SYSTEM), { pending: 0, pages: 0, records: 0, matched: 0, applied: 0 }, 'nothing left waiting');
    assert.equal(sweego.calls.length, 0);
  });

  test('1,201 waiting entries are read across three pages of 500 and all confirmed', async () => {
    const emails = await sentEmails(1201);
    sweego.logs = emails.map((e) => log(e, 'delivered'));
    sweego.calls.length = 0;
    const pages: number[] = [];
    const report = await syncSweegoNow(t.app.mail, SYSTEM, (r) => pages.push(r.pages));
    assert.deepEqual(report, { pending: 1201, pages: 3, records: 1201, matched: 1201, applied: 1201 });
    assert.deepEqual(pages, [1, 2, 3], 'progress after each page');
    assert.deepEqual(sweego.calls.map((c) => (c.body as { offset: number }).offset), [0, 500, 1000]);
    assert.equal((await entries(t, { ids: emails.map((e) => e.id) })).length, 0, 'all confirmed and deleted');
  });

  test('a wrong API key fails the sync in words, and changes nothing', async () => {
    const [email] = await sentEmails(1);
    sweego.logs = [log(email!, 'delivered')];
    await updateSweegoSettings(t.app.mail, SYSTEM, { apiKey: 'not-the-key' });
    try {
      await assert.rejects(syncSweegoNow(t.app.mail, SYSTEM), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SWEEGO_API_FAILED');
        assert.match(error.message, /401 \(check the Sweego API key\)/);
        return true;
      });
      assert.equal((await entries(t, { ids: [email!.id] }))[0]!.state, 'sent');
    } finally {
      await updateSweegoSettings(t.app.mail, SYSTEM, { apiKey: sweego.apiKey });
    }
  });
});
