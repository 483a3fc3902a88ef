// Issue 4 §3–§5: every inbound message is stored, then routed in order — loop headers, bounce,
// reply token, In-Reply-To/References, alias, unrouted — and posted on its thread as the seed says
// (seed 000 §12.2: a customer's answer reaches the other followers).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createAlias } from '../../src/inbound/aliases.ts';
import { listEventsAfter } from '../../src/events/events.ts';
import { receiveInboundBatch } from '../../src/inbound/gateway.ts';
import { getInbound, getInboundRaw, retryInbound } from '../../src/inbound/inbound.ts';
import { messageRow, mime, notificationsOf, receive, sentThread, type SentThread } from '../helpers/inbound.ts';
import { customer, record, startOutboundApp, unique, type OutboundApp } from '../helpers/smtp-app.ts';

let t: OutboundApp;
let thread: SentThread;

before(async () => {
  t = await startOutboundApp({ INBOUND_BOUNCE_LIMIT: '2', INBOUND_LOOP_LIMIT: '5' });
  thread = await sentThread(t);
});
after(() => t.close());

describe('replies come back to their thread', () => {
  test('a reply to the reply-token address is posted as a message from the customer, notified to the other followers only (seed 000 §12.2)', async () => {
    const raw = await mime({
      from: `Monsieur Client <${thread.client.email}>`,
      to: thread.replyTo,
      subject: 'Re: Your quotation S00023',
      html: '<p>Thanks, the quote is fine.</p><div class="gmail_quote"><div>On Mon, User 1 wrote:</div><blockquote>Here is your quotation.</blockquote></div><script>alert(1)</script>',
    });
    const result = await receive(t, raw);
    assert.equal(result.state, 'routed');
    assert.equal(result.route, 'reply-token');
    assert.equal(result.recordId, thread.recordId);
    const message = await messageRow(t, result.messageId!);
    assert.equal(message.kind, 'comment');
    assert.equal(message.author_partner_id, thread.client.id);
    assert.match(message.body_html, /Thanks, the quote is fine/);
    assert.match(message.body_html, /<div data-facteur-quote="true"><div>On Mon, User 1 wrote:<\/div><blockquote data-facteur-quote="true">Here is your quotation.<\/blockquote><\/div>/, 'quoted history kept, marked');
    assert.doesNotMatch(message.body_html, /script/, 'sanitised');
    const notified = (await notificationsOf(t, message.id)).map((n) => n.partner_id);
    assert.deepEqual(notified, [thread.user1.partnerId, thread.user2.partnerId].sort((a, b) => a - b), 'the other followers, not the author');
  });

  test('In-Reply-To naming a message we sent routes to its thread; a reply to a note stays a note', async () => {
    const byThread = await receive(t, await mime({ from: thread.client.email!, to: `catchall@${thread.domain}`, subject: 'Re: S00023', text: 'Answer by In-Reply-To', inReplyTo: thread.comment.rfcMessageId }));
    assert.equal(byThread.route, 'thread');
    assert.equal(byThread.recordId, thread.recordId);
    assert.equal((await messageRow(t, byThread.messageId!)).parent_message_id, thread.comment.id);

    const toNote = await receive(t, await mime({ from: thread.user2.email!, to: thread.replyTo, subject: 'Re: note', text: 'Discount checked.\n\n> Internal: check the discount.', inReplyTo: thread.note.rfcMessageId }));
    assert.equal(toNote.state, 'routed');
    const note = await messageRow(t, toNote.messageId!);
    assert.equal(note.kind, 'note');
    assert.equal(note.author_partner_id, thread.user2.partnerId);
    assert.match(note.body_html, /<blockquote data-facteur-quote="true">Internal: check the discount.<\/blockquote>/);
    const notified = (await notificationsOf(t, note.id)).map((n) => n.partner_id);
    assert.ok(!notified.includes(thread.client.id), 'the customer does not get an internal note');
  });

  test('an unknown sender keeps their address as author; attachments and inline images are kept', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const result = await receive(
      t,
      await mime({
        from: 'Stranger <stranger@elsewhere.test>',
        to: thread.replyTo,
        subject: 'Re: S00023',
        html: '<p>See the picture <img src="cid:pic1"></p>',
        attachments: [
          { filename: 'pic.png', content: png, cid: 'pic1' },
          { filename: 'order.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n'), contentType: 'application/pdf' },
        ],
      }),
    );
    assert.equal(result.state, 'routed');
    const message = await messageRow(t, result.messageId!);
    assert.equal(message.author_partner_id, null);
    assert.equal(message.email_from, 'Stranger <stranger@elsewhere.test>');
    assert.match(message.body_html, /src="cid:pic1"/);
    const attachments = await t.db.selectFrom('attachments').select(['filename', 'content_id']).where('message_id', '=', message.id).orderBy('filename').execute();
    assert.deepEqual(attachments, [
      { filename: 'order.pdf', content_id: null },
      { filename: 'pic.png', content_id: 'pic1' },
    ]);
  });

  test('a forged reply token is logged and not trusted; routing goes on, here to unrouted', async () => {
    const forged = thread.replyTo.replace(/\.([0-9a-f]{8})@/, (_, sig: string) => `.${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}@`);
    const result = await receive(t, await mime({ from: 'attacker@elsewhere.test', to: forged, subject: 'Hi', text: 'Let me in' }));
    assert.equal(result.state, 'unrouted');
    assert.match(result.reason!, /invalid signature/);
    assert.ok(t.logs.some((l) => l.msg === 'invalid inbound token signature' && l.inboundId === result.id));
  });

  test('a second copy of the same Message-ID is recognised and not processed twice', async () => {
    const raw = await mime({ from: thread.client.email!, to: thread.replyTo, subject: 'Re: twice', text: 'Only once please' });
    const first = await receive(t, raw);
    const second = await receive(t, raw);
    assert.equal(second.duplicate, true);
    assert.equal(second.id, first.id);
    assert.equal(second.messageId, first.messageId);
    const count = await t.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('record_id', '=', thread.recordId).where('body_html', 'like', '%Only once please%').executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
  });

  test('our own message coming back is dropped as a loop, not posted again', async () => {
    const result = await receive(t, await mime({ from: `notifications@${thread.domain}`, to: `catchall@${thread.domain}`, subject: 'Your quotation', text: 'x', messageId: thread.comment.rfcMessageId }));
    assert.equal(result.state, 'dropped');
    assert.equal(result.route, 'loop');
  });
});

describe('loops, limits and bounces', () => {
  test('X-Zone-Loop and X-Mailer: Sweego are dropped with their reason (seed 001 §5.7)', async () => {
    const zone = await receive(t, await mime({ from: thread.client.email!, to: thread.replyTo, subject: 'x', text: 'x', headers: { 'X-Zone-Loop': '1' } }));
    assert.deepEqual([zone.state, zone.route], ['dropped', 'loop']);
    assert.match(zone.reason!, /X-Zone-Loop/);
    const sweego = await receive(t, await mime({ from: thread.client.email!, to: thread.replyTo, subject: 'x', text: 'x', headers: { 'X-Mailer': 'Sweego' } }));
    assert.match(sweego.reason!, /Sweego/);
  });

  test('more than the sender-loop limit of messages from one sender to one thread are not posted', async () => {
    const loud = await customer(t, 'Loud', `loud.${unique()}@customer.test`);
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(await receive(t, await mime({ from: loud.email!, to: thread.replyTo, subject: `again ${i}`, text: `message ${i}` })));
    }
    assert.deepEqual(results.map((r) => r.state), ['routed', 'routed', 'routed', 'routed', 'routed', 'dropped'], 'INBOUND_LOOP_LIMIT=5');
    assert.equal(results[5]!.route, 'sender-loop');
  });

  test('a delivery report finds the email by X-Message-Id: notification bounce with the diagnostic; the counter blacklists at the limit; a normal mail resets it', async () => {
    const dsn = (diagnostic: string) =>
      [
        `From: MAILER-DAEMON@mx.customer.test`,
        `To: bounce@${thread.domain}`,
        `Subject: Undelivered Mail Returned to Sender`,
        `Message-ID: <${unique()}@mx.customer.test>`,
        `MIME-Version: 1.0`,
        `Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"`,
        ``,
        `--BOUNDARY`,
        `Content-Type: text/plain`,
        ``,
        `I'm sorry to have to inform you that your message could not be delivered.`,
        `--BOUNDARY`,
        `Content-Type: message/delivery-status`,
        ``,
        `Reporting-MTA: dns; mx.customer.test`,
        ``,
        `Final-Recipient: rfc822; ${thread.client.email}`,
        `Action: failed`,
        `Status: 5.1.1`,
        `Diagnostic-Code: smtp; ${diagnostic}`,
        `--BOUNDARY`,
        `Content-Type: text/rfc822-headers`,
        ``,
        `Message-ID: ${thread.comment.rfcMessageId}`,
        `X-Message-Id: ${thread.xMessageId}`,
        `To: ${thread.client.email}`,
        `--BOUNDARY--`,
        ``,
      ].join('\r\n');
    const first = await receive(t, Buffer.from(dsn('550 5.1.1 User unknown')));
    assert.equal(first.state, 'bounced');
    assert.equal(first.reason, '550 5.1.1 User unknown');
    const [notification] = (await notificationsOf(t, thread.comment.id)).filter((n) => n.partner_id === thread.client.id);
    assert.deepEqual([notification!.status, notification!.failure_type, notification!.failure_reason], ['bounce', 'mail_bounce', '550 5.1.1 User unknown']);
    const partner = () => t.db.selectFrom('partners').select(['bounce_count', 'blacklisted']).where('id', '=', thread.client.id).executeTakeFirstOrThrow();
    assert.deepEqual(await partner(), { bounce_count: 1, blacklisted: false });

    await receive(t, await mime({ from: thread.client.email!, to: thread.replyTo, subject: 'Re: still here', text: 'I can read you' }));
    assert.deepEqual(await partner(), { bounce_count: 0, blacklisted: false }, 'a normal mail resets the counter');

    await receive(t, Buffer.from(dsn('550 5.1.1 User unknown (again)')));
    await receive(t, Buffer.from(dsn('550 5.1.1 User unknown (and again)')));
    assert.deepEqual(await partner(), { bounce_count: 2, blacklisted: true }, 'blacklisted at INBOUND_BOUNCE_LIMIT=2');
  });
});

describe('aliases and unrouted mail', () => {
  test('mail to an alias creates a record of its model, posts the message on it, and tells the host application by an event', async () => {
    const team = await record(t, { model: 'crm.team', name: 'Sales team', companyId: thread.companyId });
    const alias = await createAlias(t.app.mail, SYSTEM, { name: `sales${unique()}`, domain: thread.domain, model: 'crm.lead', parent: { model: team.model, resId: team.resId } });
    const before = (await listEventsAfter(t.app.chatter, SYSTEM, { after: 0, limit: 1000 })).at(-1)?.id ?? 0;
    const result = await receive(t, await mime({ from: `Monsieur Client <${thread.client.email}>`, to: `${alias.name}@${thread.domain}`, subject: 'I need 40 chairs', text: 'Can you quote 40 chairs?' }));
    assert.deepEqual([result.state, result.route], ['routed', 'alias']);
    const lead = await t.db.selectFrom('records').selectAll().where('id', '=', result.recordId!).executeTakeFirstOrThrow();
    assert.equal(lead.model, 'crm.lead');
    assert.equal(lead.name, 'I need 40 chairs');
    assert.equal(lead.parent_record_id, team.id);
    const events = await listEventsAfter(t.app.chatter, SYSTEM, { after: before, limit: 10 });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'record.created');
    assert.deepEqual(
      { model: events[0]!.payload.model, resId: events[0]!.payload.resId, messageId: events[0]!.payload.messageId },
      { model: 'crm.lead', resId: lead.res_id, messageId: result.messageId },
    );
  });

  test('an alias for partners only refuses a stranger: kept as unrouted with the reason, and re-routable once the policy allows it', async () => {
    const alias = await createAlias(t.app.mail, SYSTEM, { name: `vip${unique()}`, domain: thread.domain, model: 'crm.lead', contactPolicy: 'partners' });
    const result = await receive(t, await mime({ from: 'stranger@elsewhere.test', to: `${alias.name}@${thread.domain}`, subject: 'Hello', text: 'Hello' }));
    assert.equal(result.state, 'unrouted');
    assert.match(result.reason!, /known partners only/);
    await customer(t, 'Former stranger', 'stranger@elsewhere.test');
    const retried = await retryInbound(t.app.mail, SYSTEM, result.id);
    assert.deepEqual([retried.state, retried.route], ['routed', 'alias']);
  });

  test('mail to the catchall with nothing to route to is kept as unrouted, visible with its reason', async () => {
    const result = await receive(t, await mime({ from: 'someone@elsewhere.test', to: `catchall@${thread.domain}`, subject: 'Cold email', text: 'Buy our stuff' }));
    assert.equal(result.state, 'unrouted');
    assert.match(result.reason!, /no reply token, known thread or alias/);
  });
});

// An IMAP fetch hands its messages to the gateway by chunks (receiveInboundBatch): stored in one
// statement, routed together, posted in one transaction — and each must end as it would alone.
describe('a batch of messages', () => {
  const batch = (raws: Buffer[]) => receiveInboundBatch(t.app.mail, raws.map((raw) => ({ raw, source: 'imap' as const })));

  test('two copies of one Message-ID in a batch: stored and posted once, the second reported as a duplicate of the first', async () => {
    const writer = await customer(t, 'Twice writer', `twice.${unique()}@customer.test`);
    const raw = await mime({ from: writer.email!, to: thread.replyTo, subject: 'Re: twice in one fetch', text: 'Only once, please.' });
    const [first, second] = await batch([raw, raw]);
    assert.deepEqual([first!.state, first!.duplicate], ['routed', false]);
    assert.deepEqual({ ...second!, duplicate: false }, first, 'the same message');
    assert.equal(second!.duplicate, true);
    const posted = await t.db.selectFrom('messages').select('id').where('subject', '=', 'Re: twice in one fetch').execute();
    assert.equal(posted.length, 1);
  });

  test('a message answering another of the same batch finds its thread, as it would one at a time', async () => {
    const alias = await createAlias(t.app.mail, SYSTEM, { name: `desk${unique()}`, domain: thread.domain, model: 'helpdesk.ticket' });
    const question = await mime({ from: thread.client.email!, to: `${alias.name}@${thread.domain}`, subject: 'Printer on fire', text: 'Help!' });
    const questionId = /^Message-ID: (<[^>]+>)/im.exec(question.toString())![1]!;
    const followUp = await mime({ from: thread.client.email!, to: `${alias.name}@${thread.domain}`, subject: 'Re: Printer on fire', text: 'It is out now.', inReplyTo: questionId, references: [questionId] });
    const [created, answered] = await batch([question, followUp]);
    assert.deepEqual([created!.state, created!.route], ['routed', 'alias']);
    assert.deepEqual([answered!.state, answered!.route, answered!.recordId], ['routed', 'thread', created!.recordId], 'on the ticket the first one created, not a second ticket');
  });

  test('a reply, a loop, a stranger on a partners-only alias and a reply to a note in one batch: each ends as it would alone', async () => {
    const writer = await customer(t, 'Batch writer', `writer.${unique()}@customer.test`);
    const alias = await createAlias(t.app.mail, SYSTEM, { name: `known${unique()}`, domain: thread.domain, model: 'crm.lead', contactPolicy: 'partners' });
    const results = await batch([
      await mime({ from: writer.email!, to: thread.replyTo, subject: 'Re: one', text: 'One.' }),
      await mime({ from: writer.email!, to: thread.replyTo, subject: 'Re: looped', text: 'x', headers: { 'X-Zone-Loop': '1' } }),
      await mime({ from: `stranger.${unique()}@elsewhere.test`, to: `${alias.name}@${thread.domain}`, subject: 'Hello', text: 'Hi' }),
      await mime({ from: thread.user2.email!, to: `catchall@${thread.domain}`, subject: 'Re: two', text: 'Two.', inReplyTo: thread.note.rfcMessageId }),
    ]);
    assert.deepEqual(
      results.map((r) => [r.state, r.route]),
      [
        ['routed', 'reply-token'],
        ['dropped', 'loop'],
        ['unrouted', null],
        ['routed', 'thread'],
      ],
    );
    assert.match(results[2]!.reason!, /accepts mail from known partners only/);
    assert.equal((await messageRow(t, results[3]!.messageId!)).kind, 'note', 'a reply to a note stays a note');
  });

  test('when the database refuses one message of a batch, only that one fails; the others are posted', async () => {
    await sql`CREATE FUNCTION refuse_poison_message() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.subject = 'Poison' THEN RAISE EXCEPTION 'refused (test)'; END IF; RETURN NEW; END $$`.execute(t.db);
    await sql`CREATE TRIGGER refuse_poison_message BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_poison_message()`.execute(t.db);
    const writer = await customer(t, 'Poison writer', `poison.${unique()}@customer.test`);
    try {
      const results = await batch([
        await mime({ from: writer.email!, to: thread.replyTo, subject: 'Before', text: 'Fine.' }),
        await mime({ from: writer.email!, to: thread.replyTo, subject: 'Poison', text: 'Not fine.' }),
        await mime({ from: writer.email!, to: thread.replyTo, subject: 'After', text: 'Fine too.' }),
      ]);
      assert.deepEqual(results.map((r) => r.state), ['routed', 'failed', 'routed']);
      assert.match(results[1]!.reason!, /refused \(test\)/);
      const kept = await t.db.selectFrom('inbound_emails').select(['state', 'reason']).where('id', '=', results[1]!.id).executeTakeFirstOrThrow();
      assert.equal(kept.state, 'failed', 'kept with its state and reason, to be retried');
    } finally {
      await sql`DROP TRIGGER refuse_poison_message ON messages`.execute(t.db);
      await sql`DROP FUNCTION refuse_poison_message()`.execute(t.db);
    }
  });
});

describe('how a message is kept', () => {
  test('raw, compressed (gzip) with its size as received; read back byte for byte; a message kept uncompressed before migration 0006 reads back too', async () => {
    const raw = await mime({ from: 'someone@elsewhere.test', to: `catchall@${thread.domain}`, subject: 'Kept', text: 'Lorem ipsum dolor sit amet. '.repeat(200) });
    const result = await receive(t, raw);
    const row = await t.db.selectFrom('inbound_emails').select(['raw', 'raw_encoding', 'size']).where('id', '=', result.id).executeTakeFirstOrThrow();
    assert.equal(row.raw_encoding, 'gzip');
    assert.equal(row.size, raw.length);
    assert.ok(row.raw.byteLength < raw.length / 4, `compressed: ${row.raw.byteLength} bytes for ${raw.length}`);
    assert.deepEqual(await getInboundRaw(t.app.mail, SYSTEM, result.id), raw);
    assert.equal((await getInbound(t.app.mail, SYSTEM, result.id)).size, raw.length);

    const older = Buffer.from(`From: old@elsewhere.test\r\nTo: catchall@${thread.domain}\r\nMessage-ID: <old-${unique()}@elsewhere.test>\r\n\r\nKept before 0006\r\n`);
    const { id } = await t.db
      .insertInto('inbound_emails')
      .values({ source: 'api', incoming_server_id: null, rfc_message_id: `<old-${unique()}@x>`, raw: older, raw_encoding: 'identity', size: older.length, sender: null, subject: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    assert.deepEqual(await getInboundRaw(t.app.mail, SYSTEM, id), older);
  });
});
