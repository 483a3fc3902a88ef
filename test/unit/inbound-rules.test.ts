// The pure decisions of the inbound gateway: the routing order, what a bounce says, quoted history.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replyTokenLocalPart } from '../../src/mail/rules/reply-token.ts';
import { readBounce } from '../../src/inbound/rules/bounce.ts';
import { sanitizeReplyHtml, textToHtml } from '../../src/inbound/rules/quote.ts';
import { planRoute, type RoutingFacts } from '../../src/inbound/rules/route.ts';

const SECRET = 'a secret of the installation';
const domains = [{ domain: 'acme.test', bounce: 'bounce' }];
const aliases = [{ id: 7, address: 'sales@acme.test' }];
const token = `${replyTokenLocalPart({ model: 'sale.order', resId: '23' }, SECRET)}@acme.test`;

function facts(overrides: Partial<RoutingFacts>): RoutingFacts {
  return { from: 'client@customer.test', recipients: [], headers: new Map(), contentType: 'text/plain', threadMessageIds: [], ...overrides };
}

describe('planRoute: the order of issue 4 §3', () => {
  test('loop headers win over everything, even a valid token (seed 001 §5.7)', () => {
    const plan = planRoute(facts({ recipients: [token], headers: new Map([['x-zone-loop', '1']]) }), domains, aliases, SECRET);
    assert.equal(plan.kind, 'drop');
    assert.equal(planRoute(facts({ headers: new Map([['x-mailer', 'Sweego v2']]) }), domains, aliases, SECRET).kind, 'drop');
    assert.equal(planRoute(facts({ headers: new Map([['x-mailer', 'Thunderbird']]) }), domains, aliases, SECRET).kind, 'route');
  });

  test('bounces: a delivery report, MAILER-DAEMON in any case, the bounce address and its VERP form', () => {
    const report = 'multipart/report; report-type=delivery-status; boundary="x"';
    assert.equal(planRoute(facts({ contentType: report, recipients: [token] }), domains, aliases, SECRET).kind, 'bounce');
    assert.equal(planRoute(facts({ from: 'Mailer-Daemon@mx.customer.test' }), domains, aliases, SECRET).kind, 'bounce');
    assert.equal(planRoute(facts({ recipients: ['bounce@acme.test'] }), domains, aliases, SECRET).kind, 'bounce');
    assert.equal(planRoute(facts({ recipients: ['bounce+42@acme.test'] }), domains, aliases, SECRET).kind, 'bounce');
    assert.equal(planRoute(facts({ recipients: ['bounce@elsewhere.test'] }), domains, aliases, SECRET).kind, 'route');
  });

  test('candidates in order: reply token, then the thread ids, then the alias; a forged token is set aside', () => {
    const forged = token.replace(/\.([0-9a-f])/, (_, c: string) => `.${c === '0' ? '1' : '0'}`);
    const plan = planRoute(facts({ recipients: ['sales@acme.test', forged, token], threadMessageIds: ['<a@x>'] }), domains, aliases, SECRET);
    assert.equal(plan.kind, 'route');
    if (plan.kind !== 'route') return;
    assert.deepEqual(plan.candidates.map((c) => c.kind), ['reply-token', 'thread', 'alias']);
    assert.deepEqual(plan.candidates[0], { kind: 'reply-token', model: 'sale.order', resId: '23', address: token });
    assert.deepEqual(plan.invalidTokens, [forged]);
  });
});

describe('readBounce', () => {
  test('RFC 3464 fields: recipient and diagnostic; our X-Message-Id and Message-ID from the returned headers', () => {
    const facts = readBounce({
      deliveryStatus: 'Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; Client@Customer.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <client@customer.test>:\n Recipient address rejected',
      returnedMessage: 'Message-ID: <abc@acme.test>\nX-Message-Id: <facteur-outbox-42@acme.test>\n',
      text: null,
    });
    assert.deepEqual(facts, { outboxIds: [42], messageIds: ['<abc@acme.test>'], recipient: 'client@customer.test', diagnostic: '550 5.1.1 <client@customer.test>: Recipient address rejected' });
  });

  test('prose bounces: the SMTP reply in the text, or qmail\'s line after the address', () => {
    assert.equal(readBounce({ deliveryStatus: null, returnedMessage: null, text: 'host mx said: 550 5.1.1 No such user here' }).diagnostic, '550 5.1.1 No such user here');
    const qmail = readBounce({ deliveryStatus: null, returnedMessage: null, text: "I'm afraid…\n\n<client@customer.test>:\nSorry, no mailbox here by that name. (#5.1.1)\n" });
    assert.deepEqual([qmail.recipient, qmail.diagnostic], ['client@customer.test', 'Sorry, no mailbox here by that name. (#5.1.1)']);
  });
});

describe('quoted history', () => {
  test('Gmail, Thunderbird and Outlook quotes are marked; scripts are removed', () => {
    assert.equal(sanitizeReplyHtml('<p>Yes</p><div class="gmail_quote">On… wrote:<blockquote>old</blockquote></div>'), '<p>Yes</p><div data-facteur-quote="true">On… wrote:<blockquote data-facteur-quote="true">old</blockquote></div>');
    assert.match(sanitizeReplyHtml('<p>Ok</p><div class="moz-cite-prefix">Le 14/05, User 1 a écrit :</div><blockquote type="cite">old</blockquote>'), /<div data-facteur-quote="true">Le 14\/05, User 1 a écrit :<\/div><blockquote data-facteur-quote="true">old<\/blockquote>/);
    assert.equal(sanitizeReplyHtml('<p>Fine</p><hr><div id="divRplyFwdMsg">From: User 1</div><div>old text</div><script>x()</script>'), '<p>Fine</p><div data-facteur-quote="true"><hr /><div data-facteur-quote="true">From: User 1</div><div>old text</div></div>');
  });

  test('plain text: `>` lines and their "wrote:" line are folded; Outlook\'s separator folds the rest', () => {
    assert.equal(textToHtml('Agreed.\n\nOn Mon, A wrote:\n> old\n> text'), 'Agreed.<br>\n<br>\n<p data-facteur-quote="true">On Mon, A wrote:</p><br>\n<blockquote data-facteur-quote="true">old<br>text</blockquote>');
    assert.match(textToHtml('Thanks\n-----Original Message-----\nFrom: A\nold'), /^Thanks<br>\n<blockquote data-facteur-quote="true">-----Original Message-----<br>From: A<br>old<\/blockquote>$/);
    assert.equal(textToHtml('a < b & c'), 'a &lt; b &amp; c');
  });
});
