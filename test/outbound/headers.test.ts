// Issue 3, point 4: each email is a proper MIME message. What a real SMTP peer received is parsed
// back with mailparser: one recipient per message, our Message-ID, threading headers, X-Message-Id,
// Auto-Submitted, the Reply-To reply token (and its fallbacks), the envelope sender, HTML and text
// with a layout per recipient group, and the attachments.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { SYSTEM } from '../../src/chatter/actor.ts';
import type { PostedMessage } from '../../src/chatter/post.ts';
import { createUser } from '../../src/chatter/users.ts';
import { readSetting } from '../../src/db/settings.store.ts';
import { readReplyToken } from '../../src/mail/rules/reply-token.ts';
import {
  PUBLIC_URL,
  company,
  customer,
  drain,
  entries,
  follow,
  onlyEntry,
  post,
  record,
  smtpServer,
  staff,
  startOutboundApp,
  unique,
  useServers,
  type OutboundApp,
} from '../helpers/smtp-app.ts';
import { startSmtpPeer, type ReceivedEmail, type SmtpPeer } from '../helpers/smtp.ts';

const BODY = '<p>Hello <b>team</b>, the quotation is ready.</p>';
const PDF = Buffer.from('%PDF-1.4\n% a small test file\n%%EOF\n', 'latin1');

/** A header's value, as a string (mailparser gives structured values for some). */
function headerValue(parsed: ParsedMail, name: string): string | undefined {
  const value = parsed.headers.get(name);
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function addressesOf(field: ParsedMail['to']): { address: string | undefined; name: string }[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => ({ address: v.address, name: v.name })));
}

describe('outbound headers, parsed back from what the SMTP peer received', () => {
  let t: OutboundApp;
  let peer: SmtpPeer;
  let acme: Awaited<ReturnType<typeof company>>;
  let beta: Awaited<ReturnType<typeof company>>;
  let alice: Awaited<ReturnType<typeof staff>>;
  let bob: Awaited<ReturnType<typeof staff>>;
  let carol: Awaited<ReturnType<typeof customer>>;
  let dave: Awaited<ReturnType<typeof customer>>;
  /** A portal user: a user, but external — no internal link either. */
  let erin: Awaited<ReturnType<typeof staff>>;
  let rec: Awaited<ReturnType<typeof record>>;
  let first: PostedMessage;
  let second: PostedMessage;
  /** What each recipient received of the first and of the second message, parsed. */
  const got = new Map<string, { first: { raw: ReceivedEmail; parsed: ParsedMail }; second: { raw: ReceivedEmail; parsed: ParsedMail } }>();

  before(async () => {
    t = await startOutboundApp();
    peer = await startSmtpPeer();
    // A server without filter: it may send as the author, and may use the bounce address.
    await useServers(t, [smtpServer(peer, { name: 'Relay' })]);
    acme = await company(t, 'Acme', 'acme.example');
    beta = await company(t, 'Beta', null);
    alice = await staff(t, { name: 'Alice Martin', email: 'alice@acme.example', companyId: acme.id, notification: 'inbox' });
    bob = await staff(t, { name: 'Bob Internal', email: 'bob@acme.example', companyId: acme.id, notification: 'email' });
    carol = await customer(t, 'Carol Customer', 'carol@customer.example.org');
    dave = await customer(t, 'Dave Customer', 'dave@customer.example.org');
    erin = await createUser(t.app.chatter, SYSTEM, { login: `erin.${unique()}`, role: 'portal', partner: { name: 'Erin Portal', email: 'erin@customer.example.org' } });
    rec = await record(t, { model: 'sale.order', resId: `SO-${unique()}`, name: 'S00042', companyId: acme.id });
    for (const partnerId of [bob.partnerId, carol.id, dave.id, erin.partnerId]) await follow(t, rec, partnerId);

    first = await post(t, rec, {
      authorPartnerId: alice.partnerId,
      subject: 'Your quotation S00042',
      body: BODY,
      attachments: [{ filename: 'S00042.pdf', contentType: 'application/pdf', content: PDF }],
    });
    assert.equal(first.notified.email, 4);
    await drain(t);
    await peer.waitForMessages(4, 10_000);
    second = await post(t, rec, { authorPartnerId: alice.partnerId, subject: 'Re: Your quotation S00042', body: '<p>A second message.</p>' });
    await drain(t);
    await peer.waitForMessages(8, 10_000);

    for (const address of [bob.email!, carol.email!, dave.email!, erin.email!]) {
      const mine = peer.receivedFor(address);
      assert.equal(mine.length, 2, `${address} received each message once`);
      const [a, b] = mine as [ReceivedEmail, ReceivedEmail];
      got.set(address, { first: { raw: a, parsed: await a.parse() }, second: { raw: b, parsed: await b.parse() } });
    }
  });
  after(async () => {
    await peer?.close();
    await t?.close();
  });

  test('one recipient per message: the envelope RCPT and To name only that recipient', async () => {
    assert.equal(peer.received.length, 8, 'four recipients × two messages, one email each');
    for (const [address, { first: one, second: two }] of got) {
      for (const email of [one, two]) {
        assert.deepEqual(email.raw.rcptTo, [address], 'the envelope has exactly this recipient');
        assert.deepEqual(addressesOf(email.parsed.to).map((a) => a.address), [address], 'To holds only this recipient');
        assert.equal(email.parsed.cc, undefined, 'no Cc');
        assert.equal(email.parsed.bcc, undefined, 'no Bcc');
      }
    }
    assert.deepEqual(addressesOf(got.get(carol.email!)!.first.parsed.to), [{ address: carol.email, name: 'Carol Customer' }], 'with the name');
    const sentEntries = await entries(t, { messageId: first.id });
    assert.deepEqual(sentEntries.map((e) => e.state), ['sent', 'sent', 'sent', 'sent']);
  });

  test("Message-ID is the message's own id, the same on every copy", () => {
    for (const { first: one, second: two } of got.values()) {
      assert.equal(one.parsed.messageId, first.rfcMessageId);
      assert.equal(two.parsed.messageId, second.rfcMessageId);
    }
    assert.match(first.rfcMessageId, /^<[^<>@]+@acme\.example>$/, "qualified by the record's alias domain");
  });

  test('In-Reply-To and References name the first message of the record on later messages', () => {
    for (const { first: one, second: two } of got.values()) {
      assert.equal(one.parsed.inReplyTo, undefined, 'the first message starts the thread');
      assert.equal(one.parsed.references, undefined);
      assert.equal(two.parsed.inReplyTo, first.rfcMessageId);
      const references = two.parsed.references;
      assert.deepEqual(Array.isArray(references) ? references : [references], [first.rfcMessageId]);
    }
  });

  test('X-Message-Id names the outbox entry of each email', async () => {
    const byRecipient = new Map((await entries(t, { messageId: first.id })).map((e) => [e.emailTo, e.id]));
    const seen = new Set<string>();
    for (const [address, { first: one }] of got) {
      const value = headerValue(one.parsed, 'x-message-id');
      assert.equal(value, `<facteur-outbox-${byRecipient.get(address)}@acme.example>`);
      seen.add(value!);
    }
    assert.equal(seen.size, 4, 'one per entry');
  });

  test('Auto-Submitted: auto-generated on notifications', () => {
    for (const { first: one, second: two } of got.values()) {
      assert.equal(headerValue(one.parsed, 'auto-submitted'), 'auto-generated');
      assert.equal(headerValue(two.parsed, 'auto-submitted'), 'auto-generated');
    }
  });

  test("From is the author, with her name; Subject is the message's", () => {
    for (const { first: one } of got.values()) {
      assert.deepEqual(addressesOf(one.parsed.from), [{ address: 'alice@acme.example', name: 'Alice Martin' }]);
      assert.equal(one.parsed.subject, 'Your quotation S00042');
    }
  });

  test("Reply-To is reply+<hex of {resId}-{model}>.<signature> at the record's alias domain, and verifies", async () => {
    const secret = await readSetting(t.db, 'reply_token_secret');
    assert.ok(secret, 'the installation has a reply secret');
    const hex = Buffer.from(`${rec.resId}-${rec.model}`, 'utf8').toString('hex');
    for (const { first: one, second: two } of got.values()) {
      const [replyTo] = addressesOf(one.parsed.replyTo);
      assert.ok(replyTo?.address, 'a Reply-To');
      assert.match(replyTo.address, new RegExp(`^reply\\+${hex}\\.[0-9a-f]{8}@acme\\.example$`));
      assert.ok(replyTo.address.split('@')[0]!.length <= 64, 'the local part fits RFC 5321');
      assert.deepEqual(readReplyToken(replyTo.address, secret), { kind: 'valid', model: rec.model, resId: rec.resId });
      assert.deepEqual(addressesOf(two.parsed.replyTo), [replyTo], 'the same token for every message of the record');
    }
  });

  test("Reply-To: with no alias domain on the record's company, the author's company's; with none at all, none", async () => {
    const secret = (await readSetting(t.db, 'reply_token_secret'))!;
    // The record belongs to Beta (no alias domain); its author Alice belongs to Acme.
    const betaRecord = await record(t, { model: 'project.task', resId: unique(), name: 'Task of Beta', companyId: beta.id });
    const fromAcme = await post(t, betaRecord, { authorPartnerId: alice.partnerId, recipientIds: [carol.id] });
    // Nobody has an alias domain: neither Beta nor its author Eve.
    const eve = await staff(t, { name: 'Eve Beta', email: 'eve@beta.example', companyId: beta.id });
    const fromBeta = await post(t, betaRecord, { authorPartnerId: eve.partnerId, recipientIds: [dave.id] });
    const before = peer.received.length;
    await drain(t);
    // Carol became a follower with the first post, so the second one reaches her and Dave.
    await peer.waitForMessages(before + 3, 10_000);

    const acmeEntry = await onlyEntry(t, fromAcme.id);
    const viaAuthor = await peer.received.find((r) => r.header('Message-ID') === fromAcme.rfcMessageId)!.parse();
    const [replyTo] = addressesOf(viaAuthor.replyTo);
    assert.match(replyTo?.address ?? '', /^reply\+[0-9a-f]+\.[0-9a-f]{8}@acme\.example$/, "the author's company's alias domain");
    assert.deepEqual(readReplyToken(replyTo!.address!, secret), { kind: 'valid', model: betaRecord.model, resId: betaRecord.resId });
    assert.equal(headerValue(viaAuthor, 'x-message-id'), `<facteur-outbox-${acmeEntry.id}@acme.example>`);

    const betaEntry = (await entries(t, { messageId: fromBeta.id })).find((e) => e.emailTo === dave.email)!;
    const received = peer.receivedFor(dave.email!).find((r) => r.header('Message-ID') === fromBeta.rfcMessageId)!;
    const withoutAlias = await received.parse();
    assert.equal(withoutAlias.replyTo, undefined, 'no alias domain: the default Reply-To (none: replies go to From)');
    assert.equal(received.mailFrom, 'eve@beta.example', 'no bounce address: the envelope sender is the From');
    assert.equal(betaEntry.state, 'sent');
    assert.ok(
      t.logs.some((l) => l.msg === 'no alias domain configured' && Array.isArray(l.outboxIds) && l.outboxIds.includes(betaEntry.id)),
      'logs "no alias domain configured" for that entry',
    );
  });

  test('Reply-To falls back to the catchall when no reply token fits the record (over 64 characters, or a model with "-")', async () => {
    const long = await record(t, { model: 'sale.order', resId: `INV-2024-${'7'.repeat(20)}-${unique()}`, name: 'Long id', companyId: acme.id });
    const dashed = await record(t, { model: 'x-custom.model', resId: unique(), name: 'Dashed model', companyId: acme.id });
    const viaLong = await post(t, long, { authorPartnerId: alice.partnerId, recipientIds: [carol.id] });
    const viaDashed = await post(t, dashed, { authorPartnerId: alice.partnerId, recipientIds: [carol.id] });
    await drain(t);
    for (const posted of [viaLong, viaDashed]) {
      const received = peer.receivedFor(carol.email!).find((r) => r.header('Message-ID') === posted.rfcMessageId);
      assert.ok(received, 'received');
      const parsed = await received.parse();
      assert.deepEqual(addressesOf(parsed.replyTo).map((a) => a.address), ['catchall@acme.example']);
      assert.equal((await onlyEntry(t, posted.id)).replyTo, 'catchall@acme.example', 'the entry records the Reply-To it used');
    }
  });

  test('the envelope sender is the bounce address of the alias domain when the server may use it', async () => {
    for (const { first: one } of got.values()) assert.equal(one.raw.mailFrom, 'bounce@acme.example', 'a server without filter may');

    // A server filtered on the domain may use bounce@acme.example too.
    await useServers(t, [smtpServer(peer, { name: 'Acme domain', fromFilter: 'acme.example' })]);
    const viaDomain = await post(t, rec, { authorPartnerId: alice.partnerId, body: '<p>via the domain server</p>' });
    // A server filtered on Alice's exact address may not: the envelope sender stays Alice.
    await drain(t);
    await useServers(t, [smtpServer(peer, { name: 'Alice only', fromFilter: 'alice@acme.example' })]);
    const viaExact = await post(t, rec, { authorPartnerId: alice.partnerId, body: '<p>via the exact-address server</p>' });
    await drain(t);
    const byMessage = (posted: PostedMessage) => peer.received.filter((r) => r.header('Message-ID') === posted.rfcMessageId);
    assert.equal(byMessage(viaDomain).length, 4);
    assert.equal(byMessage(viaExact).length, 4);
    for (const r of byMessage(viaDomain)) assert.equal(r.mailFrom, 'bounce@acme.example');
    for (const r of byMessage(viaExact)) assert.equal(r.mailFrom, 'alice@acme.example');
    await useServers(t, [smtpServer(peer, { name: 'Relay' })]);
  });

  test('HTML and text parts; internal users get a "View <record>" link to PUBLIC_URL, external partners no internal link', () => {
    const url = `${PUBLIC_URL}/records/sale.order/${encodeURIComponent(rec.resId)}`;
    for (const [address, { first: one }] of got) {
      // Both parts really are in the message (mailparser would derive a text from the HTML otherwise).
      const raw = one.raw.raw.toString('latin1');
      assert.match(raw, /^Content-Type: multipart\/alternative;/im, `${address}: HTML and text as alternatives`);
      assert.match(raw, /^Content-Type: text\/plain;/im);
      assert.match(raw, /^Content-Type: text\/html;/im);
      const { html } = one.parsed;
      const text = one.parsed.text ?? '';
      assert.ok(typeof html === 'string' && html.includes('the quotation is ready'), `${address}: an HTML part with the body`);
      assert.ok(html.includes('<b>team</b>'), 'the HTML keeps the markup');
      assert.ok(text?.includes('the quotation is ready'), `${address}: a text part with the body`);
      assert.ok(!text.includes('<b>'), 'the text part is text');
      if (address === bob.email) {
        assert.ok(html.includes(`href="${url}"`), `the internal user gets a link to ${url}`);
        assert.match(html, /View S00042/);
        assert.ok(text.includes(url), 'the text part carries the link too');
      } else {
        assert.ok(!html.includes(PUBLIC_URL) && !text.includes(PUBLIC_URL), `${address} (external: customer or portal user) gets no internal link`);
        assert.doesNotMatch(html, /View S00042/);
      }
    }
  });

  test('attachments are carried to every recipient', () => {
    for (const [address, { first: one, second: two }] of got) {
      assert.equal(one.parsed.attachments.length, 1, `${address} gets the attachment`);
      const [attachment] = one.parsed.attachments;
      assert.equal(attachment!.filename, 'S00042.pdf');
      assert.equal(attachment!.contentType, 'application/pdf');
      assert.deepEqual(Buffer.from(attachment!.content), PDF, 'the same bytes');
      assert.equal(two.parsed.attachments.length, 0, 'a message without attachment has none');
    }
  });
});
