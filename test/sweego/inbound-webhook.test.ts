// Issue 5 §7 (seed 001 §5.5–§5.7): Sweego's inbound webhook over real HTTP, attachments downloaded
// from the local Sweego simulator — a reply lands in its thread with its files; a redelivery is not
// posted twice; a missing file is named; a forged token is not trusted; loops are ignored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { getInboundRaw } from '../../src/inbound/inbound.ts';
import { createServer } from '../../src/mail/servers.ts';
import { updateSweegoSettings } from '../../src/sweego/settings.ts';
import { forgedReplyAddress, messageRow, sentThread, type SentThread } from '../helpers/inbound.ts';
import { startOutboundApp, unique, useServers, type OutboundApp } from '../helpers/smtp-app.ts';
import { INBOUND_SECRET, OUTBOUND_SECRET, startSweegoSimulator, type SweegoSimulator } from '../helpers/sweego-simulator.ts';


let t: OutboundApp;
let http: FastifyInstance;
let baseUrl: string;
let sweego: SweegoSimulator;
let thread: SentThread;

before(async () => {
  t = await startOutboundApp();
  thread = await sentThread(t); // sent through the built-in catcher: the reply address is real
  sweego = await startSweegoSimulator();
  await useServers(t, []);
  await createServer(t.app.mail, SYSTEM, {
    name: 'Sweego',
    kind: 'sweego',
    host: 'smtp.sweego.io',
    username: 'sweego-user',
    outboundWebhookSecret: OUTBOUND_SECRET,
    inboundWebhookSecret: INBOUND_SECRET,
    active: false, // receiving only: nothing is sent in this file
  });
  await updateSweegoSettings(t.app.mail, SYSTEM, { apiKey: sweego.apiKey, clientUuid: sweego.clientUuid, apiUrl: sweego.url });
  http = await buildHttpServer(t.app);
  baseUrl = await http.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await http.close();
  await sweego.close();
  await t.close();
});

async function deliver(payload: unknown, options: { id?: string; secret?: string } = {}) {
  const body = JSON.stringify(payload);
  const id = options.id ?? `msg_${unique()}`;
  const now = new Date();
  const response = await fetch(`${baseUrl}/sweego/webhook/inbound`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(options.secret ?? INBOUND_SECRET).sign(id, now, body).replace(/^v1,/, ''),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function inbound(to: string, extra: Record<string, unknown> = {}) {
  return {
    event_type: 'email_inbound',
    timestamp: new Date().toISOString(),
    swg_uid: `04-${unique()}`,
    from_: { email: thread.client.email, name: 'Monsieur Client' },
    to: [{ email: to, name: '' }],
    cc: [],
    text: 'Bonjour, voici le bon de commande signé.',
    html: null,
    subject: 'Re: Your quotation S00023',
    inbound_domain: thread.domain,
    attachments: [],
    event_id: unique(),
    channel: 'email',
    transaction_id: null,
    ...extra,
  };
}

describe('the inbound webhook (seed 001 §5.5)', () => {
  test('a reply with two attachments lands in its thread, with both files; the reply-token address is not a recipient; a redelivery is not posted twice', async () => {
    const pdf = Buffer.from('%PDF-1.4 signed order\n%%EOF\n');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    sweego.attachments.set('att-pdf', pdf);
    sweego.attachments.set('att-png', png);
    const payload = inbound(thread.replyTo, {
      attachments: [
        { uuid: 'att-pdf', name: 'bon.pdf', content_type: 'application/pdf', size: pdf.length },
        { uuid: 'att-png', name: 'tampon.png', content_type: 'image/png', size: png.length },
      ],
    });
    const id = `msg_${unique()}`;
    const first = await deliver(payload, { id });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.state, first.body.route, first.body.recordId, first.body.duplicate], ['routed', 'reply-token', thread.recordId, false]);
    const message = await messageRow(t, first.body.messageId);
    assert.equal(message.author_partner_id, thread.client.id);
    assert.match(message.body_html, /voici le bon de commande/);
    const files = await t.db.selectFrom('attachments as a').innerJoin('attachment_contents as c', 'c.sha256', 'a.sha256').select(['a.filename', 'c.content']).where('a.message_id', '=', message.id).orderBy('a.filename').execute();
    assert.deepEqual(files.map((f) => [f.filename, Buffer.from(f.content).equals(f.filename === 'bon.pdf' ? pdf : png)]), [['bon.pdf', true], ['tampon.png', true]]);
    const downloads = sweego.calls.filter((c) => c.path.includes('/domains/inbound/attachments/'));
    assert.ok(downloads.every((c) => c.path.startsWith(`/clients/${sweego.clientUuid}/`)), 'under the client UUID, with the API key');

    // Unfolded (RFC 5322 §2.2.3): a long header line may have been folded.
    const raw = (await getInboundRaw(t.app.mail, SYSTEM, first.body.id)).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
    assert.match(raw, /^To: Monsieur Client <client\.[^>]+>$/m, 'the sender stands in as To once the reply-token address is removed');
    assert.match(raw, new RegExp(`^Delivered-To: ${thread.replyTo.replace(/[.+]/g, '\\$&')}\\r$`, 'm'), 'the token travels as Delivered-To');
    const stored = await t.db.selectFrom('inbound_emails').select('source').where('id', '=', first.body.id).executeTakeFirstOrThrow();
    assert.equal(stored.source, 'webhook');

    const again = await deliver(payload, { id });
    assert.deepEqual([again.status, again.body.ignored], [200, 'already received (same webhook-id)']);
    const redelivered = await deliver(payload); // a new webhook-id, the same email (Sweego retries)
    assert.deepEqual([redelivered.body.duplicate, redelivered.body.id], [true, first.body.id]);
    const posts = await t.db.selectFrom('messages').select('id').where('record_id', '=', thread.recordId).where('body_html', 'like', '%voici le bon de commande%').execute();
    assert.equal(posts.length, 1, 'posted once');
  });

  test('an attachment Sweego cannot hand over: the reply is still posted, and says which file is missing', async () => {
    const result = await deliver(inbound(thread.replyTo, { text: 'Avec la facture.', attachments: [{ uuid: 'gone', name: 'facture.pdf', content_type: 'application/pdf', size: 10 }] }));
    assert.equal(result.body.state, 'routed');
    const message = await messageRow(t, result.body.messageId);
    assert.match(message.body_html, /Attachment not downloaded from Sweego: facture\.pdf/);
    assert.ok(t.logs.some((l) => l.msg === 'failed to download attachment' && l.filename === 'facture.pdf'));
  });

  test('a forged reply token is not trusted: kept unrouted, and logged', async () => {
    const result = await deliver(inbound(forgedReplyAddress(thread), { subject: 'Forged' }));
    assert.equal(result.body.state, 'unrouted');
    assert.ok(t.logs.some((l) => l.msg === 'invalid inbound token signature'));
  });

  test('loops are answered 200 and ignored; a body signed with another secret is refused with 401', async () => {
    const before = await t.db.selectFrom('inbound_emails').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const zone = await deliver(inbound(thread.replyTo, { headers: { 'x-zone-loop': '1' } }));
    assert.deepEqual([zone.status, zone.body.ignored], [200, 'loop: x-zone-loop header']);
    const mailer = await deliver(inbound(thread.replyTo, { headers: { 'X-Mailer': 'Sweego' } }));
    assert.deepEqual([mailer.status, mailer.body.ignored], [200, 'loop: x-mailer: Sweego']);
    const forged = await deliver(inbound(thread.replyTo), { secret: OUTBOUND_SECRET });
    assert.equal(forged.status, 401, 'the outbound secret does not sign inbound webhooks');
    const after = await t.db.selectFrom('inbound_emails').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n), 'nothing stored');
  });
});
