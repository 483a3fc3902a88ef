// Issue 5 §2, §4, §5 (seed 001 §4.3, §5.3, §5.4, §5.8, §5.9): a Sweego server, and its outbound
// webhook over real HTTP — verified with Standard Webhooks, deduplicated by webhook-id, applied:
// delivered → confirmed (deleted with deferred deletion), bounces → the envelope turns red, live.
import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { listEventsAfter } from '../../src/events/events.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { createServer, updateServer } from '../../src/mail/servers.ts';
import { replySecret } from '../../src/mail/reply-secret.ts';
import { readReplyToken } from '../../src/mail/rules/reply-token.ts';
import { verifyWebhook } from '../../src/sweego/signature.ts';
import { mime, receive } from '../helpers/inbound.ts';
import { company, customer, drain, entries, follow, post, record, startOutboundApp, staff, unique, type OutboundApp } from '../helpers/smtp-app.ts';
import { OUTBOUND_SECRET, startSweegoRelay, useSweegoServer, type SweegoRelay } from '../helpers/sweego-simulator.ts';

const SECRET = OUTBOUND_SECRET;
const OTHER_SECRET = Buffer.from('a-secret-sweego-never-gave-us-here').toString('base64');

let t: OutboundApp;
let relay: SweegoRelay;
let http: FastifyInstance;
let baseUrl: string;

before(async () => {
  t = await startOutboundApp();
  relay = await startSweegoRelay();
  http = await buildHttpServer(t.app);
  baseUrl = await http.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await http.close();
  await relay.close();
  await t.close();
});

/** A Sweego server on the loopback relay, with deferred deletion as asked. */
function sweegoServer(deleteAfterDelivery: boolean) {
  return useSweegoServer(t, relay, { deleteAfterDelivery });
}

/** A quotation followed by a customer; User 1 writes to them; the email leaves through the relay. */
async function sentEmail() {
  const domain = `d${unique()}.facteur.test`;
  const { id: companyId } = await company(t, `Company ${domain}`, domain);
  const user1 = await staff(t, { name: 'User 1', email: `user1@${domain}`, companyId });
  const client = await customer(t, 'Monsieur Client', `client.${unique()}@customer.test`);
  const row = await record(t, { name: 'S00023', companyId });
  const ref = { model: row.model, resId: row.resId };
  await follow(t, ref, client.id);
  const message = await post(t, ref, { authorPartnerId: user1.partnerId, subject: 'Your quotation', body: '<p>Here it is.</p>' });
  await drain(t);
  const [entry] = await entries(t, { messageId: message.id });
  assert.equal(entry!.state, "sent", `the email left through the relay (${entry!.failureType}: ${entry!.failureReason})`);
  const header = relay.receivedFor(client.email!).at(-1)!.header('x-message-id');
  assert.ok(header !== undefined && header.includes(`facteur-outbox-${entry!.id}@`), `X-Message-Id carried: ${String(header)}`);
  const received = relay.receivedFor(client.email!).at(-1)!;
  const replyTo = received.header('reply-to')!;
  return { entry: entry!, message, client, recordId: row.id, xMessageId: header, replyTo, domain, ref, relayed: relay.relayed(received) };
}

interface Signed {
  id?: string;
  timestamp?: Date;
  secret?: string;
  /** Sweego's documented form: the bare base64 value, without `v1,`. */
  bare?: boolean;
  alter?: (body: string) => string;
}

async function sendWebhook(events: unknown, options: Signed = {}) {
  const body = JSON.stringify(events);
  const id = options.id ?? `msg_${unique()}`;
  const timestamp = options.timestamp ?? new Date();
  const signature = new Webhook(options.secret ?? SECRET).sign(id, timestamp, body);
  const response = await fetch(`${baseUrl}/sweego/webhook/outbound`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': options.bare ? signature.replace(/^v1,/, '') : signature,
    },
    body: options.alter ? options.alter(body) : body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function event(type: string, xMessageId: string, extra: Record<string, unknown> = {}) {
  return {
    event_type: type,
    timestamp: new Date().toISOString(),
    swg_uid: `01-${unique()}`,
    event_id: unique(),
    channel: 'email',
    transaction_id: `tx-${unique()}`,
    headers: { 'x-mailer': 'Sweego', 'x-message-id': xMessageId },
    recipient: 'client@customer.test',
    ...extra,
  };
}

describe('a Sweego outgoing server (seed 001 §4.3)', () => {
  test('choosing Sweego fills port 2525 and STARTTLS, needs the host typed in and a username; secrets go in sealed and never come out', async () => {
    const server = await createServer(t.app.mail, SYSTEM, { name: 'Sweego', kind: 'sweego', host: 'smtp.sweego.io', username: 'u', outboundWebhookSecret: SECRET });
    assert.deepEqual([server.port, server.security, server.deleteAfterDelivery], [2525, 'starttls', false]);
    assert.deepEqual([server.hasOutboundWebhookSecret, server.hasInboundWebhookSecret], [true, false]);
    assert.ok(!JSON.stringify(server).includes(SECRET), 'the secret is never returned');
    const row = await t.db.selectFrom('outgoing_servers').select('outbound_webhook_secret_encrypted').where('id', '=', server.id).executeTakeFirstOrThrow();
    assert.ok(row.outbound_webhook_secret_encrypted && !row.outbound_webhook_secret_encrypted.includes(SECRET), 'stored sealed');

    await assert.rejects(createServer(t.app.mail, SYSTEM, { name: 'No host', kind: 'sweego', username: 'u' }), /smtp\.sweego\.io/);
    await assert.rejects(createServer(t.app.mail, SYSTEM, { name: 'No user', kind: 'sweego', host: 'smtp.sweego.io' }), /needs its SMTP username/);
    await assert.rejects(createServer(t.app.mail, SYSTEM, { name: 'Plain', kind: 'smtp', host: 'smtp.example.com', outboundWebhookSecret: SECRET }), /Only a Sweego server/);
    await assert.rejects(updateServer(t.app.mail, SYSTEM, server.id, { outboundWebhookSecret: 'not base64 at all!' }), /base64/);
  });
});

describe('mail sent through Sweego (seed 001 §5.1, §5.2, §7)', () => {
  test('its Reply-To token is signed with the server\'s outbound webhook secret, on each record\'s company\'s alias domain; a reply to it comes back to the thread', async () => {
    await sweegoServer(true);
    const first = await sentEmail();
    const second = await sentEmail();
    for (const sent of [first, second]) {
      const address = /<?([^<>\s]+@[^<>\s]+)>?/.exec(sent.replyTo)![1]!;
      assert.ok(address.endsWith(`@${sent.domain}`), `Reply-To on the record's company's alias domain: ${address}`);
      assert.deepEqual(readReplyToken(address, SECRET), { kind: 'valid', model: sent.ref.model, resId: sent.ref.resId }, 'signed with the outbound webhook secret');
      assert.equal(readReplyToken(address, await replySecret(t.db)).kind, 'invalid-signature', 'not with the installation\'s');
    }
    const address = /<?([^<>\s]+@[^<>\s]+)>?/.exec(first.replyTo)![1]!;
    const answer = await receive(t, await mime({ from: first.client.email!, to: address, subject: 'Re: Your quotation', text: 'Thanks!' }));
    assert.deepEqual([answer.state, answer.route, answer.recordId], ['routed', 'reply-token', first.recordId]);
  });
});

describe('the outbound webhook (seed 001 §5.8, §5.9)', () => {
  test('the Standard Webhooks test vector verifies (with its v1, prefix), and fails once altered', () => {
    mock.timers.enable({ apis: ['Date'], now: 1614265330 * 1000 });
    try {
      const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
      const body = Buffer.from('{"test": 2432232314}');
      assert.deepEqual(verifyWebhook(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], body, headers), { ok: true });
      assert.equal(verifyWebhook(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], Buffer.from('{"test": 2432232315}'), headers).ok, false);
    } finally {
      mock.timers.reset();
    }
  });

  test('delivered: the entry is confirmed and deleted (deferred deletion on), the notification delivered, the transaction id kept on the message', async () => {
    await sweegoServer(true);
    const { entry, message, xMessageId, relayed } = await sentEmail();
    const pending = await t.db.selectFrom('outbox').select(['pending_delete', 'confirmed']).where('id', '=', entry.id).executeTakeFirstOrThrow();
    assert.deepEqual(pending, { pending_delete: true, confirmed: false }, 'kept until Sweego confirms (seed 001 §5.3)');

    const delivered = event('delivered', xMessageId, { transaction_id: relayed.transactionId, swg_uid: relayed.swgUid });
    const response = await sendWebhook(delivered, { bare: true });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, { events: 1, applied: 1, duplicate: false });
    assert.equal((await entries(t, { ids: [entry.id] })).length, 0, 'deleted');
    const notification = await t.db.selectFrom('notifications').select('status').where('id', '=', entry.notification!.id).executeTakeFirstOrThrow();
    assert.equal(notification.status, 'delivered');
    const row = await t.db.selectFrom('messages').select('provider_transaction_id').where('id', '=', message.id).executeTakeFirstOrThrow();
    assert.equal(row.provider_transaction_id, relayed.transactionId, "Sweego's transaction id of the relayed email");
  });

  test('a relayed email coming back to us (an auto-forward to the catchall) is dropped as a loop, by Sweego\'s headers (seed 001 §5.7)', async () => {
    await sweegoServer(false);
    const { relayed } = await sentEmail();
    const back = await receive(t, relayed.raw);
    assert.deepEqual([back.state, back.route], ['dropped', 'loop']);
    assert.match(back.reason!, /X-Zone-Loop|Sweego/);
  });

  test('delivered without deferred deletion: the entry stays, confirmed; an X-Message-Id re-encoded in RFC 2047 is decoded', async () => {
    await sweegoServer(false);
    const { entry, xMessageId } = await sentEmail();
    const encoded = `=?utf-8?q?${Buffer.from(xMessageId).toString('latin1').replace(/[=<>@?_ ]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`)}?=`;
    const response = await sendWebhook([event('email_sent', encoded), event('delivered', encoded)]);
    assert.deepEqual(response.body, { events: 2, applied: 1, duplicate: false });
    const row = await t.db.selectFrom('outbox').select(['state', 'confirmed']).where('id', '=', entry.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { state: 'delivered', confirmed: true });
  });

  test('hard and soft bounces mark the email undelivered: exception with the failure type and the server\'s words, even though it was sent; the UI hears of it', async () => {
    await sweegoServer(true);
    const hard = await sentEmail();
    const soft = await sentEmail();
    const before = (await listEventsAfter(t.app.chatter, SYSTEM, { after: 0, limit: 1000 })).at(-1)?.id ?? 0;
    const response = await sendWebhook([
      event('hard_bounce', hard.xMessageId, { response_code: 550, details: 'smtp; remote said (550 Invalid Recipient <client@customer.test>)' }),
      event('soft-bounce', soft.xMessageId, { response_code: 452, details: 'smtp; deferred (452 <client@customer.test> User quota exceeded)' }),
    ]);
    assert.deepEqual(response.body, { events: 2, applied: 2, duplicate: false });
    const [hardEntry] = await entries(t, { ids: [hard.entry.id] });
    assert.deepEqual([hardEntry!.state, hardEntry!.failureType, hardEntry!.failureReason], ['exception', 'mail_email_invalid', '550 Invalid Recipient <client@customer.test>']);
    assert.deepEqual([hardEntry!.notification!.status, hardEntry!.notification!.failureType], ['exception', 'mail_email_invalid']);
    const pending = await t.db.selectFrom('outbox').select('pending_delete').where('id', '=', hard.entry.id).executeTakeFirstOrThrow();
    assert.equal(pending.pending_delete, false, 'no longer waiting to be deleted');
    const [softEntry] = await entries(t, { ids: [soft.entry.id] });
    assert.deepEqual([softEntry!.notification!.status, softEntry!.notification!.failureType, softEntry!.notification!.failureReason], ['exception', 'mail_smtp', '452 <client@customer.test> User quota exceeded']);

    const events = await listEventsAfter(t.app.chatter, SYSTEM, { after: before, limit: 10, type: 'notification.updated' });
    assert.deepEqual(
      events.map((e) => [e.payload.notificationId, e.payload.status, e.payload.failureType]),
      [
        [hard.entry.notification!.id, 'exception', 'mail_email_invalid'],
        [soft.entry.notification!.id, 'exception', 'mail_smtp'],
      ],
    );
    assert.ok(t.logs.some((l) => l.msg === `outbox entry ${hard.entry.id} marked undelivered by Sweego`), 'the log line of seed 001 §10.5');
  });

  test('forged, altered and stale webhooks are refused with 401 and change nothing; a replayed one is a no-op', async () => {
    await sweegoServer(true);
    const { entry, xMessageId } = await sentEmail();
    const bounce = event('hard_bounce', xMessageId, { details: '(550 no such user)' });
    const forged = await sendWebhook(bounce, { secret: OTHER_SECRET });
    assert.deepEqual([forged.status, (forged.body.error as { code: string }).code], [401, 'INVALID_WEBHOOK_SIGNATURE']);
    const altered = await sendWebhook(bounce, { alter: (body) => body.replace('hard_bounce', 'delivered') });
    assert.equal(altered.status, 401);
    const stale = await sendWebhook(bounce, { timestamp: new Date(Date.now() - 10 * 60_000) });
    assert.equal(stale.status, 401);
    assert.match((stale.body.error as { message: string }).message, /timestamp/i);
    assert.equal((await entries(t, { ids: [entry.id] }))[0]!.state, 'sent', 'nothing changed');
    assert.ok(t.logs.some((l) => l.msg === 'invalid webhook signature'));

    const id = `msg_${unique()}`;
    const first = await sendWebhook(event('delivered', xMessageId), { id });
    assert.deepEqual(first.body, { events: 1, applied: 1, duplicate: false });
    const replayed = await sendWebhook(bounce, { id });
    assert.deepEqual([replayed.status, replayed.body.duplicate, replayed.body.applied], [200, true, 0], 'the same webhook-id again: not applied');
    assert.equal((await entries(t, { ids: [entry.id] })).length, 0, 'still delivered and deleted, not turned into a bounce');
  });

  test('concurrent deliveries are applied together (one transaction for those that arrive meanwhile), each counted for its own sender; a webhook-id twice among them is applied once', async () => {
    await sweegoServer(true);
    const sent = [];
    for (let i = 0; i < 8; i++) sent.push(await sentEmail());
    const id = `msg_${unique()}`;
    const responses = await Promise.all([
      ...sent.map((s, i) => sendWebhook(event(i % 2 === 0 ? 'delivered' : 'hard_bounce', s.xMessageId, { details: '(550 no such user)' }))),
      sendWebhook(event('email_opened', sent[0]!.xMessageId), { id }),
      sendWebhook(event('email_opened', sent[0]!.xMessageId), { id }),
    ]);
    assert.deepEqual(
      responses.slice(0, 8).map((r) => [r.status, r.body.applied, r.body.duplicate]),
      sent.map(() => [200, 1, false]),
    );
    assert.deepEqual(responses.slice(8).map((r) => r.body.duplicate).sort(), [false, true], 'the same webhook-id twice: applied once');
    const left = await entries(t, { ids: sent.map((s) => s.entry.id) });
    assert.deepEqual(left.map((e) => e.id), sent.filter((_, i) => i % 2 === 1).map((s) => s.entry.id), 'the delivered ones deleted');
    assert.ok(left.every((e) => e.state === 'exception' && e.notification!.failureType === 'mail_email_invalid'));
  });

  test('opens and clicks are counted on the notification and an unsubscription recorded on the partner, even after the entry was deleted on delivery', async () => {
    await sweegoServer(true);
    const { entry, xMessageId, client } = await sentEmail();
    const delivered = event('delivered', xMessageId);
    await sendWebhook(delivered);
    assert.equal((await entries(t, { ids: [entry.id] })).length, 0, 'deleted on delivery');
    const later = (type: string) => event(type, xMessageId, { transaction_id: delivered.transaction_id });
    const responses = await Promise.all([later('email_opened'), later('email_opened'), later('email_clicked'), later('list_unsub')].map((e) => sendWebhook(e)));
    assert.ok(responses.every((r) => r.status === 200));
    const notification = await t.db.selectFrom('notifications').select(['opens', 'clicks', 'status', 'provider_transaction_id']).where('id', '=', entry.notification!.id).executeTakeFirstOrThrow();
    assert.deepEqual(notification, { opens: 2, clicks: 1, status: 'delivered', provider_transaction_id: delivered.transaction_id });
    const partner = await t.db.selectFrom('partners').select('unsubscribed_at').where('id', '=', client.id).executeTakeFirstOrThrow();
    assert.ok(partner.unsubscribed_at instanceof Date, 'list_unsub recorded for the partner');
  });
});
