// Issue 3, point 4 (last item) and seeds 000 §13.1 / 003: which outgoing server carries an email, and
// as whom. Each server points at a peer of its own, so the peer that received the email names the
// server chosen; the emails go through the real worker code (drainQueue → sendDueBatch).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { caughtRaw, listCaught, readCaught } from '../../src/mail/catcher.ts';
import type { ServerInput } from '../../src/mail/servers.ts';
import {
  company,
  customer,
  drain,
  onlyEntry,
  post,
  record,
  smtpServer,
  staff,
  startOutboundApp,
  unique,
  useServers,
  withdrawLeftovers,
  type OutboundApp,
} from '../helpers/smtp-app.ts';
import { startSmtpPeer, type ReceivedEmail, type SmtpPeer } from '../helpers/smtp.ts';

type PeerName = 'exact' | 'domain' | 'notifications' | 'open' | 'other';
const PEER_NAMES: PeerName[] = ['exact', 'domain', 'notifications', 'open', 'other'];

function fromOf(parsed: ParsedMail): { name: string; address: string | undefined } {
  const [from] = parsed.from?.value ?? [];
  return { name: from?.name ?? '', address: from?.address };
}

describe('server selection by From filter, through the worker and real peers', () => {
  let t: OutboundApp;
  const peers = {} as Record<PeerName, SmtpPeer>;
  let acme: Awaited<ReturnType<typeof company>>;
  /** Alice writes from the company's domain. */
  let alice: Awaited<ReturnType<typeof staff>>;
  /** Bob, of the same company, writes from a personal address no server is set up for. */
  let bob: Awaited<ReturnType<typeof staff>>;
  let carol: Awaited<ReturnType<typeof customer>>;

  before(async () => {
    t = await startOutboundApp();
    for (const name of PEER_NAMES) peers[name] = await startSmtpPeer();
    acme = await company(t, 'Acme', 'acme.example');
    alice = await staff(t, { name: 'Alice Martin', email: 'alice@acme.example', companyId: acme.id, notification: 'inbox' });
    bob = await staff(t, { name: 'Bob Personal', email: 'bob.personal@gmail.example', companyId: acme.id, notification: 'inbox' });
    carol = await customer(t, 'Carol Customer', 'carol@customer.example.org');
  });
  after(async () => {
    for (const name of PEER_NAMES) await peers[name]?.close();
    await t?.close();
  });
  beforeEach(async () => {
    await withdrawLeftovers(t);
    for (const name of PEER_NAMES) peers[name].reset();
  });

  /** Configures these servers (name → peer and filter), posts one message by `author` to Carol and sends it. */
  async function sendWith(servers: { peer: PeerName; fromFilter?: string; sequence?: number }[], author: { partnerId: number }) {
    const created = await useServers(
      t,
      servers.map((s): ServerInput => smtpServer(peers[s.peer], { name: `To ${s.peer}`, fromFilter: s.fromFilter ?? null, ...(s.sequence !== undefined ? { sequence: s.sequence } : {}) })),
    );
    const rec = await record(t, { name: `S${unique()}`, companyId: acme.id });
    const posted = await post(t, rec, { authorPartnerId: author.partnerId, recipientIds: [carol.id], subject: 'Which server?' });
    const report = await drain(t);
    assert.equal(report.sent, 1, 'the email was sent');
    const entry = await onlyEntry(t, posted.id);
    const receivers = PEER_NAMES.filter((name) => peers[name].received.length > 0);
    const receiver = receivers[0];
    assert.equal(receivers.length, 1, `exactly one peer received the email (got: ${receivers.join(', ') || 'none'})`);
    const received = peers[receiver!].received[0] as ReceivedEmail;
    assert.equal(peers[receiver!].received.length, 1);
    const serverOf = (peer: PeerName) => created[servers.findIndex((s) => s.peer === peer)]!.id;
    return { receiver: receiver!, received, parsed: await received.parse(), entry, serverOf, posted };
  }

  test("exact address beats domain: a server filtered on the author's address wins over one on her domain (even with a higher sequence)", async () => {
    const result = await sendWith(
      [
        { peer: 'open', sequence: 0 },
        { peer: 'domain', fromFilter: 'acme.example', sequence: 1 },
        { peer: 'notifications', fromFilter: 'notifications@acme.example', sequence: 2 },
        { peer: 'exact', fromFilter: 'alice@acme.example', sequence: 50 },
      ],
      alice,
    );
    assert.equal(result.receiver, 'exact');
    assert.equal(result.entry.serverId, result.serverOf('exact'));
    assert.deepEqual(fromOf(result.parsed), { name: 'Alice Martin', address: 'alice@acme.example' }, "the author's own From");
    assert.equal(result.entry.emailFrom, 'alice@acme.example');
  });

  test("domain beats the notifications server: a server filtered on the author's domain sends as her", async () => {
    const result = await sendWith(
      [
        { peer: 'open', sequence: 0 },
        { peer: 'notifications', fromFilter: 'notifications@acme.example', sequence: 1 },
        { peer: 'domain', fromFilter: 'acme.example', sequence: 50 },
      ],
      alice,
    );
    assert.equal(result.receiver, 'domain');
    assert.deepEqual(fromOf(result.parsed), { name: 'Alice Martin', address: 'alice@acme.example' });
    assert.equal(result.received.mailFrom, 'bounce@acme.example', 'the domain server may use the bounce address');
  });

  test('among servers of the same rank, the lowest sequence wins', async () => {
    const result = await sendWith(
      [
        { peer: 'domain', fromFilter: 'acme.example', sequence: 20 },
        { peer: 'other', fromFilter: 'acme.example, other.example', sequence: 10 },
      ],
      alice,
    );
    assert.equal(result.receiver, 'other');
    assert.deepEqual(fromOf(result.parsed), { name: 'Alice Martin', address: 'alice@acme.example' });
  });

  test('notifications server (filter = notifications address) when no server may send as the author: From becomes "Author" <notifications@…>', async () => {
    const result = await sendWith(
      [
        { peer: 'open', sequence: 0 },
        { peer: 'other', fromFilter: 'other.example', sequence: 1 },
        { peer: 'notifications', fromFilter: 'notifications@acme.example', sequence: 50 },
      ],
      bob,
    );
    assert.equal(result.receiver, 'notifications', 'the notifications server comes before a server without filter');
    assert.deepEqual(fromOf(result.parsed), { name: 'Bob Personal', address: 'notifications@acme.example' }, "the author's name is kept");
    assert.equal(result.entry.emailFrom, 'notifications@acme.example');
    assert.equal(result.received.mailFrom, 'notifications@acme.example', 'a server for one address may not use the bounce address');
    assert.match(result.parsed.replyTo?.value[0]?.address ?? '', /^reply\+[0-9a-f]+\.[0-9a-f]{8}@acme\.example$/, 'replies still reach the thread');
  });

  test('notifications server (filter = alias domain) when no server may send as the author: From rewritten, name kept', async () => {
    const result = await sendWith(
      [
        { peer: 'open', sequence: 0 },
        { peer: 'domain', fromFilter: 'acme.example', sequence: 50 },
      ],
      bob,
    );
    assert.equal(result.receiver, 'domain');
    assert.deepEqual(fromOf(result.parsed), { name: 'Bob Personal', address: 'notifications@acme.example' });
    assert.equal(result.received.mailFrom, 'bounce@acme.example', 'the alias-domain server may use the bounce address');
  });

  test('the rewritten From keeps an author name with quotes, a comma and accents intact', async () => {
    const name = 'Élodie "Ops" Müller, Achats';
    const elodie = await staff(t, { name, email: `elodie.${unique()}@gmail.example`, companyId: acme.id, notification: 'inbox' });
    const result = await sendWith([{ peer: 'notifications', fromFilter: 'notifications@acme.example' }], elodie);
    assert.equal(result.receiver, 'notifications');
    assert.deepEqual(fromOf(result.parsed), { name, address: 'notifications@acme.example' });
    assert.equal(result.parsed.from?.value.length, 1, 'one address, not split at the comma');
  });

  test("a server without filter is used last, and keeps the author's From", async () => {
    const result = await sendWith(
      [
        { peer: 'other', fromFilter: 'other.example', sequence: 0 },
        { peer: 'open', sequence: 50 },
      ],
      bob,
    );
    assert.equal(result.receiver, 'open');
    assert.deepEqual(fromOf(result.parsed), { name: 'Bob Personal', address: 'bob.personal@gmail.example' }, 'not rewritten');
    assert.equal(result.received.mailFrom, 'bounce@acme.example');
  });

  test('no server at all: the built-in catcher keeps the email, to be listed and read', async () => {
    await useServers(t, []);
    const rec = await record(t, { name: `S${unique()}`, companyId: acme.id });
    const posted = await post(t, rec, { authorPartnerId: alice.partnerId, recipientIds: [carol.id], subject: 'Caught', body: '<p>Kept by the catcher.</p>' });
    await drain(t);
    const entry = await onlyEntry(t, posted.id);
    assert.equal(entry.state, 'sent');
    assert.equal(entry.serverId, null, 'no server: the catcher');
    assert.equal(entry.notification?.status, 'sent');
    for (const name of PEER_NAMES) assert.equal(peers[name].seen.connections, 0, `${name} was not contacted`);

    const listed = (await listCaught(t.app.chatter, SYSTEM, { limit: 50 })).filter((c) => c.outboxId === entry.id);
    assert.equal(listed.length, 1, 'the catcher lists the email of the entry');
    const [summary] = listed;
    assert.equal(summary!.messageId, posted.rfcMessageId);
    assert.equal(summary!.subject, 'Caught');
    assert.deepEqual(summary!.envelopeTo, [carol.email]);
    assert.equal(summary!.envelopeFrom, 'bounce@acme.example');
    assert.ok(summary!.size > 0);

    const read = await readCaught(t.app.chatter, SYSTEM, summary!.id);
    assert.equal(read.messageId, posted.rfcMessageId);
    assert.equal(read.subject, 'Caught');
    assert.match(read.from ?? '', /Alice Martin.*alice@acme\.example/);
    assert.match(read.to ?? '', /carol@customer\.example\.org/);
    assert.ok(read.html?.includes('Kept by the catcher.'));
    assert.ok(read.text?.includes('Kept by the catcher.'));
    assert.ok(read.headers.some((h) => h.name === 'x-message-id' && h.value === `<facteur-outbox-${entry.id}@acme.example>`));
    const raw = await caughtRaw(t.app.chatter, SYSTEM, summary!.id);
    assert.match(raw.toString('utf8'), /^Auto-Submitted: auto-generated\r?$/m);
  });

  test('the catcher\'s "to" search takes the text literally: "_" and "%" are not wildcards', async () => {
    await useServers(t, []);
    const ann = await customer(t, 'Ann Lee', `ann_lee.${unique()}@customer.example.org`);
    const lookalike = await customer(t, 'Ann X Lee', ann.email!.replace('ann_lee', 'annxlee'));
    const rec = await record(t, { name: `S${unique()}`, companyId: acme.id });
    await post(t, rec, { authorPartnerId: alice.partnerId, recipientIds: [ann.id, lookalike.id] });
    await drain(t);
    const local = ann.email!.split('@')[0]!;
    const found = await listCaught(t.app.chatter, SYSTEM, { limit: 50, to: local });
    assert.deepEqual(found.map((c) => c.envelopeTo[0]), [ann.email], `searching "${local}" finds Ann only, not ${lookalike.email}`);
    assert.equal((await listCaught(t.app.chatter, SYSTEM, { limit: 50, to: '%' })).length, 0, 'no address contains "%"');
  });
});
