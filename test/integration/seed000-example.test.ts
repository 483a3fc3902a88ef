// Seed 000 §12: the quotation of the sales team, its four followers, and what each receives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { actorFor } from '../../src/chatter/actor.ts';
import { listRecordFollowers } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { loadDemo, type DemoSummary } from '../../src/demo/seed000.ts';
import { SYSTEM, openTestChatter, type TestChatter } from '../helpers/chatter.ts';

describe('seed 000 §12: the example quotation S00023', () => {
  let t: TestChatter;
  let demo: DemoSummary;
  const quotation = { model: 'sale.order', resId: '23' };

  before(async () => {
    t = await openTestChatter();
    const loaded = await loadDemo(t.deps);
    assert.equal(loaded.alreadyLoaded, false);
    demo = loaded as DemoSummary;
  });
  after(() => t.close());

  async function recipientsOf(messageId: number) {
    const rows = await t.deps.db
      .selectFrom('notifications as n')
      .innerJoin('partners as p', 'p.id', 'n.partner_id')
      .select(['p.name', 'n.channel'])
      .where('n.message_id', '=', messageId)
      .orderBy('p.name')
      .execute();
    return rows.map((r) => `${r.name} by ${r.channel}`);
  }

  test('§12: four followers — User 1 and User 2 (discussions + notes), Monsieur Client (discussions + notes), a contact (discussions)', async () => {
    const followers = await listRecordFollowers(t.deps, SYSTEM, quotation);
    const summary = Object.fromEntries(followers.map((f) => [f.name, f.subtypes.map((s) => s.code).filter((c) => c !== 'quotation_sent').sort()]));
    assert.deepEqual(summary, {
      'User 1': ['discussion', 'note'],
      'User 2': ['discussion', 'note'],
      'Monsieur Client': ['discussion', 'note'],
      'Madame Contact': ['discussion'],
    });
  });

  test('§12.1: User 1 sends a message from the quotation: the three other followers get it by email', async () => {
    const user1 = await actorFor(t.deps.db, demo.users.user1.userId);
    const posted = await postMessage(t.deps, user1, quotation, { kind: 'comment', subject: 'Your quotation S00023', body: '<p>Please find your quotation.</p>' });
    assert.deepEqual(await recipientsOf(posted.id), ['Madame Contact by email', 'Monsieur Client by email', 'User 2 by email']);
  });

  test('§10–§12: a note of User 1 reaches User 2 and Monsieur Client (who follow notes), not the contact', async () => {
    const user1 = await actorFor(t.deps.db, demo.users.user1.userId);
    const posted = await postMessage(t.deps, user1, quotation, { kind: 'note', body: 'Discount approved.' });
    assert.deepEqual(await recipientsOf(posted.id), ['Monsieur Client by email', 'User 2 by email']);
  });

  test('§1.5: when User 2 switches to the inbox, the next message reaches User 2 in the inbox instead of by email', async () => {
    await t.deps.db.updateTable('users').set({ notification: 'inbox' }).where('id', '=', demo.users.user2.userId).execute();
    const user1 = await actorFor(t.deps.db, demo.users.user1.userId);
    const posted = await postMessage(t.deps, user1, quotation, { kind: 'comment', body: 'Signed!' });
    assert.deepEqual(await recipientsOf(posted.id), ['Madame Contact by email', 'Monsieur Client by email', 'User 2 by inbox']);
  });

  test('loading the demo twice changes nothing', async () => {
    const again = await loadDemo(t.deps);
    assert.equal(again.alreadyLoaded, true);
    assert.equal((await listRecordFollowers(t.deps, SYSTEM, quotation)).length, 4);
  });
});
