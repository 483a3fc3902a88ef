import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/chatter/actor.ts';
import { followRecord, listRecordFollowers } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { FacteurError } from '../../src/errors.ts';
import { SYSTEM, externalPartner, internalUser, openTestChatter, type TestChatter } from '../helpers/chatter.ts';

describe('posting messages and notes', () => {
  let t: TestChatter;
  let seq = 0;
  before(async () => {
    t = await openTestChatter();
  });
  after(() => t.close());

  /** A record followed by the given partners with the given subtypes. */
  async function recordFollowedBy(followers: [number, string[]][]) {
    seq += 1;
    const ref = { model: 'helpdesk.ticket', resId: String(seq) };
    await registerRecord(t.deps, SYSTEM, { ...ref, name: `Ticket ${seq}` });
    for (const [partnerId, subtypes] of followers) await followRecord(t.deps, SYSTEM, ref, { partnerId, subtypes });
    return ref;
  }

  async function notificationsOf(messageId: number) {
    const rows = await t.deps.db.selectFrom('notifications').select(['partner_id', 'channel', 'status']).where('message_id', '=', messageId).orderBy('partner_id').execute();
    return rows.map((r) => `${r.partner_id}:${r.channel}:${r.status}`);
  }

  async function outboxOf(messageId: number) {
    return t.deps.db.selectFrom('outbox').select(['partner_id', 'email_to', 'state', 'notification_id']).where('message_id', '=', messageId).orderBy('partner_id').execute();
  }

  const as = (user: Awaited<ReturnType<typeof internalUser>>): Actor => ({ kind: 'user', user });

  test('§5 and §10: a message goes to followers of discussion; a note only to followers of note', async () => {
    const author = await internalUser(t.deps, 'Author');
    const colleague = await internalUser(t.deps, 'Colleague');
    const client = await externalPartner(t.deps, 'Client Discussions');
    const ref = await recordFollowedBy([
      [colleague.partnerId, ['discussion', 'note']],
      [client.id, ['discussion']],
    ]);
    const message = await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'Hello' });
    assert.deepEqual(await notificationsOf(message.id), [`${colleague.partnerId}:email:ready`, `${client.id}:email:ready`]);
    const note = await postMessage(t.deps, as(author), ref, { kind: 'note', body: 'Internal remark' });
    assert.deepEqual(await notificationsOf(note.id), [`${colleague.partnerId}:email:ready`]);
  });

  test('§10: an external partner gets notes only when explicitly subscribed to note', async () => {
    const author = await internalUser(t.deps, 'Author B');
    const client = await externalPartner(t.deps, 'Client Notes');
    const ref = await recordFollowedBy([[client.id, ['discussion', 'note']]]);
    const note = await postMessage(t.deps, as(author), ref, { kind: 'note', body: 'Shared note' });
    assert.deepEqual(await notificationsOf(note.id), [`${client.id}:email:ready`]);
  });

  test('§11: a partner mentioned in a note is notified whatever their subscription, and becomes a follower', async () => {
    const author = await internalUser(t.deps, 'Author C');
    const user1 = await internalUser(t.deps, 'User One');
    const ref = await recordFollowedBy([]);
    const note = await postMessage(t.deps, as(author), ref, { kind: 'note', body: `Can you check, @[User One](partner:${user1.partnerId})?` });
    assert.deepEqual(await notificationsOf(note.id), [`${user1.partnerId}:email:ready`]);
    assert.deepEqual(note.newFollowerPartnerIds, [user1.partnerId]);
    const followers = await listRecordFollowers(t.deps, SYSTEM, ref);
    assert.deepEqual(followers.map((f) => [f.name, f.subtypes.map((s) => s.code)]), [['User One', ['discussion']]]);
    const recipients = await t.deps.db.selectFrom('message_recipients').select(['partner_id', 'reason']).where('message_id', '=', note.id).execute();
    assert.deepEqual(recipients, [{ partner_id: user1.partnerId, reason: 'mention' }]);
  });

  test('§7.2–7.3: explicit recipients are notified and become followers, so the next message reaches them', async () => {
    const author = await internalUser(t.deps, 'Author D');
    const client = await externalPartner(t.deps, 'Client Added');
    const ref = await recordFollowedBy([]);
    const first = await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'Your quotation', recipientIds: [client.id] });
    assert.deepEqual(await notificationsOf(first.id), [`${client.id}:email:ready`]);
    assert.deepEqual(first.newFollowerPartnerIds, [client.id]);
    const second = await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'A reminder' });
    assert.deepEqual(await notificationsOf(second.id), [`${client.id}:email:ready`]);
  });

  test('the author is not notified of their own post', async () => {
    const author = await internalUser(t.deps, 'Author E');
    const other = await internalUser(t.deps, 'Other E');
    const ref = await recordFollowedBy([
      [author.partnerId, ['discussion', 'note']],
      [other.partnerId, ['discussion']],
    ]);
    const posted = await postMessage(t.deps, as(author), ref, { kind: 'comment', body: `Hi @[me](partner:${author.partnerId})`, recipientIds: [author.partnerId] });
    assert.deepEqual(await notificationsOf(posted.id), [`${other.partnerId}:email:ready`]);
  });

  test('§9: one outbox entry per email recipient, addressed to that recipient alone', async () => {
    const author = await internalUser(t.deps, 'Author F');
    const clients = [];
    for (const name of ['Ann', 'Bob', 'Cid']) clients.push(await externalPartner(t.deps, `${name} F`));
    const ref = await recordFollowedBy(clients.map((c) => [c.id, ['discussion']]));
    const posted = await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'To all' });
    const outbox = await outboxOf(posted.id);
    assert.deepEqual(outbox.map((o) => [o.partner_id, o.email_to, o.state]), clients.map((c) => [c.id, c.email, 'queued']));
    const notificationIds = await t.deps.db.selectFrom('notifications').select('id').where('message_id', '=', posted.id).orderBy('partner_id').execute();
    assert.deepEqual(outbox.map((o) => o.notification_id), notificationIds.map((n) => n.id));
  });

  test('§1.5: inbox users get an inbox notification and no email; email users an email and no inbox notification', async () => {
    const author = await internalUser(t.deps, 'Author G');
    const byInbox = await internalUser(t.deps, 'Inbox User', 'inbox');
    const byEmail = await internalUser(t.deps, 'Email User', 'email');
    const ref = await recordFollowedBy([
      [byInbox.partnerId, ['discussion']],
      [byEmail.partnerId, ['discussion']],
    ]);
    const posted = await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'News' });
    assert.deepEqual(await notificationsOf(posted.id), [`${byInbox.partnerId}:inbox:sent`, `${byEmail.partnerId}:email:ready`]);
    assert.deepEqual((await outboxOf(posted.id)).map((o) => o.partner_id), [byEmail.partnerId]);
    assert.deepEqual(posted.notified, { inbox: 1, email: 1 });
  });

  test('a partner without an email still gets an outbox entry, so its failure will be visible', async () => {
    const author = await internalUser(t.deps, 'Author H');
    const noEmail = await externalPartner(t.deps, 'No Email', null);
    const ref = await recordFollowedBy([[noEmail.id, ['discussion']]]);
    const posted = await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'Hello' });
    assert.deepEqual((await outboxOf(posted.id)).map((o) => [o.partner_id, o.email_to]), [[noEmail.id, null]]);
  });

  test('attachments are kept, and the same content is stored once', async () => {
    const author = await internalUser(t.deps, 'Author I');
    const ref = await recordFollowedBy([]);
    const content = new TextEncoder().encode('%PDF-1.4 quotation');
    await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'v1', attachments: [{ filename: 'q.pdf', contentType: 'application/pdf', content }] });
    await postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'again', attachments: [{ filename: 'copy.pdf', contentType: 'application/pdf', content }] });
    const stored = await t.deps.db.selectFrom('attachment_contents').select(['sha256', 'size']).execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.size, content.byteLength);
  });

  test('a post that fails writes nothing: no message, no follower, no notification, no outbox entry', async () => {
    const author = await internalUser(t.deps, 'Author J');
    const client = await externalPartner(t.deps, 'Client J');
    const ref = await recordFollowedBy([[client.id, ['discussion']]]);
    const count = async (table: 'messages' | 'notifications' | 'outbox' | 'followers') =>
      Number((await t.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await Promise.all([count('messages'), count('notifications'), count('outbox'), count('followers')]);
    await assert.rejects(
      postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'Hi @[Ghost](partner:999999)', recipientIds: [client.id] }),
      (error: unknown) => error instanceof FacteurError && error.code === 'UNKNOWN_MENTION' && /999999/.test(error.message),
    );
    await assert.rejects(postMessage(t.deps, as(author), ref, { kind: 'comment', body: 'Hi', recipientIds: [999998] }), { code: 'PARTNER_NOT_FOUND' });
    assert.deepEqual(await Promise.all([count('messages'), count('notifications'), count('outbox'), count('followers')]), before);
  });

  test('tracking lines: logged as a note by default (followers of notes only), or under the subtype given; only tracking posts carry changes', async () => {
    const colleague = await internalUser(t.deps, 'Tracking Colleague');
    const customer = await externalPartner(t.deps, 'Tracking Customer');
    const ref = await recordFollowedBy([
      [colleague.partnerId, ['discussion', 'note']],
      [customer.id, ['discussion']],
    ]);
    const tracked = await postMessage(t.deps, SYSTEM, ref, { kind: 'tracking', body: '', changes: [{ field: 'Stage', from: 'New', to: 'Won' }] });
    assert.equal(tracked.kind, 'tracking');
    assert.equal(tracked.subtype, 'note');
    assert.deepEqual(await notificationsOf(tracked.id), [`${colleague.partnerId}:email:ready`], 'the customer does not follow notes');
    const stored = await t.deps.db.selectFrom('messages').select(['kind', 'body_html']).where('id', '=', tracked.id).executeTakeFirstOrThrow();
    assert.equal(stored.kind, 'tracking');
    assert.equal(stored.body_html, '<ul><li><span class="tracking-field">Stage</span>: New → Won</li></ul>');

    const announced = await postMessage(t.deps, SYSTEM, ref, { kind: 'tracking', subtype: 'discussion', body: '<p>Signed today.</p>', changes: [{ field: 'Stage', from: 'Won', to: 'Signed' }] });
    assert.equal(announced.subtype, 'discussion');
    assert.equal((await notificationsOf(announced.id)).length, 2, 'followers of discussions hear of it');

    await assert.rejects(postMessage(t.deps, SYSTEM, ref, { kind: 'tracking', body: '' }), (e: unknown) => e instanceof FacteurError && e.code === 'VALIDATION_FAILED');
    await assert.rejects(
      postMessage(t.deps, SYSTEM, ref, { kind: 'comment', body: '<p>hi</p>', changes: [{ field: 'Stage', from: null, to: 'x' }] }),
      (e: unknown) => e instanceof FacteurError && e.code === 'VALIDATION_FAILED',
    );
  });
});
