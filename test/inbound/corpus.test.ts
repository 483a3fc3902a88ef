// Issue 4, tests: a corpus of .eml fixtures shaped like what real clients and MTAs send (Gmail,
// Outlook, Thunderbird, Apple Mail replies; Postfix, Exim, Exchange, qmail bounces; odd charsets;
// malformed MIME…), each with its expected route (test/fixtures/inbound/manifest.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createAlias } from '../../src/inbound/aliases.ts';
import { receiveInboundBatch } from '../../src/inbound/gateway.ts';
import { FIXTURES, fixtureBytes, messageRow, receive, sentThread, type SentThread } from '../helpers/inbound.ts';
import { startOutboundApp, type OutboundApp } from '../helpers/smtp-app.ts';

interface Expectation {
  state: string;
  route?: string;
  record?: string;
  kind?: string;
  author?: 'customer' | 'user2' | 'unknown';
  attachments?: number;
  bodyContains?: string;
  hasQuote?: boolean;
  identified?: boolean;
  bounceRecipient?: string;
  diagnosticContains?: string;
}

const manifest = JSON.parse(readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as { file: string; description: string; expect: Expectation }[];

let t: OutboundApp;
let thread: SentThread;

before(async () => {
  // The corpus answers one thread many times: the sender-loop limit is not what it tests.
  t = await startOutboundApp({ INBOUND_LOOP_LIMIT: '1000' });
  thread = await sentThread(t, { domain: 'facteur.test', clientEmail: 'client@customer.test', resId: '23' });
  await createAlias(t.app.mail, SYSTEM, { name: 'sales', domain: 'facteur.test', model: 'crm.lead' });
});
after(() => t.close());

describe('the inbound fixture corpus', () => {
  for (const { file, description, expect } of manifest) {
    test(`${file}: ${description} → ${expect.state}${expect.route ? `/${expect.route}` : ''}`, async () => {
      const result = await receive(t, fixtureBytes(thread, file));
      assert.equal(result.state, expect.state, `reason: ${result.reason}`);
      if (expect.route) assert.equal(result.route, expect.route);
      if (expect.state !== 'routed') assert.ok(result.reason, 'a message that is not posted says why');

      if (expect.state === 'routed') {
        const message = await messageRow(t, result.messageId!);
        if (expect.record === 'sale.order/23') assert.equal(message.record_id, thread.recordId);
        if (expect.record === 'new crm.lead') {
          const record = await t.db.selectFrom('records').select('model').where('id', '=', message.record_id).executeTakeFirstOrThrow();
          assert.equal(record.model, 'crm.lead');
        }
        if (expect.kind) assert.equal(message.kind, expect.kind);
        const authors = { customer: thread.client.id, user2: thread.user2.partnerId, unknown: null };
        if (expect.author) assert.equal(message.author_partner_id, authors[expect.author]);
        if (expect.bodyContains) assert.ok(message.body_html.includes(expect.bodyContains), `body: ${message.body_html.slice(0, 600)}`);
        if (expect.hasQuote !== undefined) assert.equal(message.body_html.includes('data-facteur-quote'), expect.hasQuote, `body: ${message.body_html.slice(0, 1500)}`);
        if (expect.attachments !== undefined) {
          const attachments = await t.db.selectFrom('attachments').select('id').where('message_id', '=', message.id).execute();
          assert.equal(attachments.length, expect.attachments);
        }
        assert.doesNotMatch(message.body_html, /<script|onerror=|javascript:/i, 'sanitised');
      }

      if (expect.state === 'bounced') {
        if (expect.diagnosticContains) assert.ok(result.reason!.includes(expect.diagnosticContains), `reason: ${result.reason}`);
        if (expect.identified) {
          assert.equal(result.messageId, thread.comment.id, 'the bounced email is found');
          const notification = await t.db.selectFrom('notifications').select(['status', 'failure_type', 'failure_reason']).where('message_id', '=', thread.comment.id).where('partner_id', '=', thread.client.id).executeTakeFirstOrThrow();
          assert.equal(notification.status, 'bounce');
          assert.equal(notification.failure_type, 'mail_bounce');
          assert.ok(notification.failure_reason!.includes(expect.diagnosticContains!));
        } else if (expect.identified === false) {
          assert.equal(result.messageId, null);
          assert.match(result.reason!, /not one we can identify/);
        }
      }
    });
  }
});

// An IMAP fetch hands the gateway its messages by chunks, routed together (src/inbound/process.ts):
// the whole corpus in one batch, in a database of its own, must end as each fixture does alone.
describe('the inbound fixture corpus as one batch', () => {
  let batchApp: OutboundApp;
  let batchThread: SentThread;
  before(async () => {
    batchApp = await startOutboundApp({ INBOUND_LOOP_LIMIT: '1000' });
    batchThread = await sentThread(batchApp, { domain: 'facteur.test', clientEmail: 'client@customer.test', resId: '23' });
    await createAlias(batchApp.app.mail, SYSTEM, { name: 'sales', domain: 'facteur.test', model: 'crm.lead' });
  });
  after(() => batchApp.close());

  test('every fixture gets its expected state, route, thread, kind and author', async () => {
    const results = await receiveInboundBatch(
      batchApp.app.mail,
      manifest.map(({ file }) => ({ raw: fixtureBytes(batchThread, file), source: 'imap' as const })),
    );
    assert.equal(results.length, manifest.length);
    const authors = { customer: batchThread.client.id, user2: batchThread.user2.partnerId, unknown: null };
    for (const [i, { file, expect }] of manifest.entries()) {
      const result = results[i]!;
      assert.equal(result.state, expect.state, `${file}: reason ${result.reason}`);
      if (expect.route) assert.equal(result.route, expect.route, file);
      if (expect.state !== 'routed') continue;
      const message = await messageRow(batchApp, result.messageId!);
      if (expect.record === 'sale.order/23') assert.equal(message.record_id, batchThread.recordId, file);
      if (expect.kind) assert.equal(message.kind, expect.kind, file);
      if (expect.author) assert.equal(message.author_partner_id, authors[expect.author], file);
      if (expect.bodyContains) assert.ok(message.body_html.includes(expect.bodyContains), file);
    }
    assert.equal(new Set(results.map((r) => r.id)).size, manifest.length, 'each fixture stored once, none taken for a copy of another');
  });
});
