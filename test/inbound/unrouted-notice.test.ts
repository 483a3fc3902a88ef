// Issue 4 §3: an unrouted message is kept and, when INBOUND_UNROUTED_REPLY=on, answered to its sender
// with an explanation — through the outbox like any email, once a day per sender, never to
// automatic mail (RFC 3834), and marked so that a notice coming back is dropped, not answered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { mime, receive } from '../helpers/inbound.ts';
import { company, drain, startOutboundApp, unique, type OutboundApp } from '../helpers/smtp-app.ts';

let t: OutboundApp;
let domain: string;

before(async () => {
  t = await startOutboundApp({ INBOUND_UNROUTED_REPLY: 'on' });
  domain = `n${unique()}.facteur.test`;
  await company(t, 'Notice Co', domain);
});
after(() => t.close());

async function caughtTo(address: string) {
  const { rows } = await sql<{ raw: Uint8Array }>`SELECT raw FROM caught_emails WHERE envelope_to @> ARRAY[${address}]::text[] ORDER BY id`.execute(t.db);
  return Promise.all(rows.map((r) => simpleParser(Buffer.from(r.raw))));
}

test('a cold email to the catchall is kept unrouted and answered once, from the notifications address, as an automatic reply', async () => {
  const sender = `cold.${unique()}@elsewhere.test`;
  const first = await receive(t, await mime({ from: sender, to: `catchall@${domain}`, subject: 'Partnership?', text: 'Hello', messageId: `<cold-${unique()}@elsewhere.test>` }));
  assert.equal(first.state, 'unrouted');
  await receive(t, await mime({ from: sender, to: `catchall@${domain}`, subject: 'Partnership? (again)', text: 'Hello?' }));
  await drain(t);
  const notices = await caughtTo(sender);
  assert.equal(notices.length, 1, 'one notice a day per sender');
  const notice = notices[0]!;
  assert.equal(notice.from?.value[0]?.address, `notifications@${domain}`);
  assert.equal(notice.subject, 'Not delivered: Partnership?');
  assert.match(notice.text ?? '', /could not be delivered to a conversation/);
  assert.equal(notice.headers.get('auto-submitted'), 'auto-replied');
  assert.equal(notice.headers.get('x-facteur-loop'), 'notice');
  assert.ok(notice.inReplyTo, 'threads under the message it answers');

  // The notice coming back (an auto-forward, or quoted in its bounce) is dropped, not answered again.
  const back = await receive(t, await mime({ from: sender, to: `catchall@${domain}`, subject: 'Fwd', text: 'x', headers: { 'X-Facteur-Loop': 'notice' } }));
  assert.deepEqual([back.state, back.route], ['dropped', 'loop']);
});

test('automatic mail and mailing lists are never answered (RFC 3834 §2)', async () => {
  const robot = `robot.${unique()}@elsewhere.test`;
  await receive(t, await mime({ from: robot, to: `catchall@${domain}`, subject: 'Out of office', text: 'Away', headers: { 'Auto-Submitted': 'auto-replied' } }));
  const list = `list.${unique()}@elsewhere.test`;
  await receive(t, await mime({ from: list, to: `catchall@${domain}`, subject: 'Newsletter', text: 'News', headers: { 'List-Id': '<news.elsewhere.test>' } }));
  await drain(t);
  assert.equal((await caughtTo(robot)).length, 0);
  assert.equal((await caughtTo(list)).length, 0);
});
