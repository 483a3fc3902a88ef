import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/chatter/actor.ts';
import { editFollowerSubtypes, followRecord } from '../../src/chatter/followers.ts';
import { markRead, readInbox } from '../../src/chatter/inbox.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { downloadAttachment, readThread } from '../../src/chatter/thread.ts';
import { SYSTEM, externalPartner, internalUser, openTestChatter, portalUser, type TestChatter } from '../helpers/chatter.ts';

describe('reading a thread and an inbox', () => {
  let t: TestChatter;
  const ref = { model: 'project.task', resId: '42' };
  let seller: Awaited<ReturnType<typeof internalUser>>;
  let reader: Awaited<ReturnType<typeof internalUser>>;
  let customer: Awaited<ReturnType<typeof portalUser>>;
  let other: Awaited<ReturnType<typeof externalPartner>>;
  const as = (user: typeof seller): Actor => ({ kind: 'user', user });

  before(async () => {
    t = await openTestChatter();
    seller = await internalUser(t.deps, 'Seller');
    reader = await internalUser(t.deps, 'Inbox Reader', 'inbox');
    customer = await portalUser(t.deps, 'Portal Customer');
    other = await externalPartner(t.deps, 'Other Customer');
    await registerRecord(t.deps, as(seller), { ...ref, name: 'Task 42' });
    await followRecord(t.deps, SYSTEM, ref, { partnerId: reader.partnerId, subtypes: ['discussion', 'note'] });
    await followRecord(t.deps, SYSTEM, ref, { partnerId: customer.partnerId });
    await followRecord(t.deps, SYSTEM, ref, { partnerId: other.id });
    const file = { filename: 'secret.txt', contentType: 'text/plain', content: new TextEncoder().encode('internal only') };
    await postMessage(t.deps, as(seller), ref, { kind: 'comment', body: 'Public message' });
    await postMessage(t.deps, as(seller), ref, { kind: 'note', body: 'Internal note', attachments: [file] });
  });
  after(() => t.close());

  test('§10: internal users see messages and notes, with every recipient\'s notification status', async () => {
    const thread = await readThread(t.deps, as(seller), ref, { limit: 50 });
    assert.deepEqual(thread.messages.map((m) => [m.kind, m.subtype?.code, m.authorName]), [
      ['note', 'note', 'Seller'],
      ['comment', 'discussion', 'Seller'],
    ]);
    const message = thread.messages[1]!;
    assert.deepEqual(message.notifications.map((n) => [n.partnerName, n.channel, n.status]).sort(), [
      ['Inbox Reader', 'inbox', 'sent'],
      ['Other Customer', 'email', 'ready'],
      ['Portal Customer', 'email', 'ready'],
    ]);
  });

  test('§10: a portal user does not see notes, nor their attachments', async () => {
    const thread = await readThread(t.deps, as(customer), ref, { limit: 50 });
    assert.deepEqual(thread.messages.map((m) => m.kind), ['comment']);
    const internalNote = (await readThread(t.deps, as(seller), ref, { limit: 50 })).messages[0]!;
    await assert.rejects(downloadAttachment(t.deps, as(customer), internalNote.attachments[0]!.id), { code: 'ATTACHMENT_NOT_FOUND' });
    const download = await downloadAttachment(t.deps, as(seller), internalNote.attachments[0]!.id);
    assert.equal(new TextDecoder().decode(download.content), 'internal only');
  });

  test('§9: a portal user sees only their own notification, not who else was notified', async () => {
    const thread = await readThread(t.deps, as(customer), ref, { limit: 50 });
    assert.deepEqual(thread.messages[0]!.notifications.map((n) => n.partnerName), ['Portal Customer']);
  });

  test('§10: a portal user explicitly subscribed to notes sees them', async () => {
    await editFollowerSubtypes(t.deps, SYSTEM, ref, customer.partnerId, ['discussion', 'note']);
    const thread = await readThread(t.deps, as(customer), ref, { limit: 50 });
    assert.deepEqual(thread.messages.map((m) => m.kind), ['note', 'comment']);
    await editFollowerSubtypes(t.deps, SYSTEM, ref, customer.partnerId, ['discussion']);
  });

  test('portal users cannot log notes nor subscribe themselves to notes', async () => {
    await assert.rejects(postMessage(t.deps, as(customer), ref, { kind: 'note', body: 'sneaky' }), { code: 'PORTAL_CANNOT_LOG_NOTE' });
    await assert.rejects(editFollowerSubtypes(t.deps, as(customer), ref, customer.partnerId, ['note']), { code: 'INTERNAL_SUBTYPE_FOR_PORTAL' });
    await assert.rejects(editFollowerSubtypes(t.deps, as(customer), ref, other.id, ['discussion']), { code: 'FORBIDDEN' });
  });

  test('the thread pages from newest to oldest', async () => {
    const first = await readThread(t.deps, SYSTEM, ref, { limit: 1 });
    assert.equal(first.messages.length, 1);
    assert.ok(first.nextBefore);
    const second = await readThread(t.deps, SYSTEM, ref, { limit: 1, before: first.nextBefore });
    assert.equal(second.messages[0]!.kind, 'comment');
  });

  test('§1.5: the inbox lists the notifications of an inbox user, counts unread ones, and marks them read', async () => {
    const inbox = await readInbox(t.deps, as(reader), reader.id, { unreadOnly: false, limit: 50 });
    assert.equal(inbox.unread, 2);
    assert.deepEqual(inbox.items.map((i) => [i.kind, i.recordName, i.authorName]), [
      ['note', 'Task 42', 'Seller'],
      ['comment', 'Task 42', 'Seller'],
    ]);
    assert.deepEqual(await markRead(t.deps, as(reader), reader.id, [inbox.items[0]!.notificationId]), { marked: 1, unread: 1 });
    const unread = await readInbox(t.deps, as(reader), reader.id, { unreadOnly: true, limit: 50 });
    assert.deepEqual(unread.items.map((i) => i.kind), ['comment']);
    assert.deepEqual(await markRead(t.deps, as(reader), reader.id), { marked: 1, unread: 0 });
    await assert.rejects(readInbox(t.deps, as(seller), reader.id, { unreadOnly: false, limit: 50 }), { code: 'FORBIDDEN' });
  });
});
