import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { followRecord, listRecordFollowers } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { createSubtype } from '../../src/chatter/subtypes.ts';
import { SYSTEM, externalPartner, internalUser, openTestChatter, portalUser, type TestChatter } from '../helpers/chatter.ts';

describe('seed 000 §4: default followers when a record is registered', () => {
  let t: TestChatter;
  before(async () => {
    t = await openTestChatter();
    await createSubtype(t.deps, SYSTEM, { code: 'quotation_sent', name: 'Quotation sent', model: 'crm.team' });
    await createSubtype(t.deps, SYSTEM, { code: 'quotation_sent', name: 'Quotation sent', model: 'sale.order', parent: { code: 'quotation_sent', model: 'crm.team' } });
  });
  after(() => t.close());

  const followersOf = async (resId: string) =>
    Object.fromEntries((await listRecordFollowers(t.deps, SYSTEM, { model: 'sale.order', resId })).map((f) => [f.name, f.subtypes.map((s) => s.code).sort()]));

  test('the creator and the responsible user follow with the default subtypes; the customer does not', async () => {
    const admin = await internalUser(t.deps, 'Administrator');
    const seller = await internalUser(t.deps, 'Seller');
    await externalPartner(t.deps, 'Monsieur Client');
    await registerRecord(t.deps, { kind: 'user', user: admin }, { model: 'sale.order', resId: '1', name: 'S00001', responsibleUserId: seller.id });
    assert.deepEqual(await followersOf('1'), { Administrator: ['discussion'], Seller: ['discussion'] });
  });

  test('a portal creator does not become a follower by creating', async () => {
    const customer = await portalUser(t.deps, 'Portal Customer');
    await registerRecord(t.deps, { kind: 'user', user: customer }, { model: 'sale.order', resId: '2', name: 'S00002' });
    assert.deepEqual(await followersOf('2'), {});
  });

  test('§1.4: the sales team\'s followers follow its new quotation with the subtypes mapped from theirs', async () => {
    const user1 = await internalUser(t.deps, 'User 1');
    const user2 = await internalUser(t.deps, 'User 2');
    const team = { model: 'crm.team', resId: '7' };
    await registerRecord(t.deps, SYSTEM, { ...team, name: 'Europe' });
    await followRecord(t.deps, SYSTEM, team, { partnerId: user1.partnerId, subtypes: ['discussion', 'note', 'quotation_sent'] });
    await followRecord(t.deps, SYSTEM, team, { partnerId: user2.partnerId, subtypes: ['quotation_sent'] });
    await registerRecord(t.deps, SYSTEM, { model: 'sale.order', resId: '3', name: 'S00003', parent: team, responsibleUserId: user2.id });
    assert.deepEqual(await followersOf('3'), {
      'User 1': ['discussion', 'note', 'quotation_sent'],
      'User 2': ['discussion', 'quotation_sent'],
    });
  });

  test('a new responsible user or a new parent brings their followers; nobody is removed', async () => {
    const first = await internalUser(t.deps, 'First Seller');
    const second = await internalUser(t.deps, 'Second Seller');
    const teamMember = await internalUser(t.deps, 'Team Member');
    const team = { model: 'crm.team', resId: '8' };
    await registerRecord(t.deps, SYSTEM, { ...team, name: 'America' });
    await followRecord(t.deps, SYSTEM, team, { partnerId: teamMember.partnerId, subtypes: ['discussion'] });
    await registerRecord(t.deps, SYSTEM, { model: 'sale.order', resId: '4', name: 'S00004', responsibleUserId: first.id });
    const update = await registerRecord(t.deps, SYSTEM, { model: 'sale.order', resId: '4', name: 'S00004 (revised)', responsibleUserId: second.id, parent: team });
    assert.equal(update.created, false);
    assert.equal(update.record.name, 'S00004 (revised)');
    assert.deepEqual(await followersOf('4'), { 'First Seller': ['discussion'], 'Second Seller': ['discussion'], 'Team Member': ['discussion'] });
  });

  test('§4–§5: a customer who does not follow does not receive the message', async () => {
    const admin = await internalUser(t.deps, 'Admin 2');
    const customer = await externalPartner(t.deps, 'Customer Five');
    await registerRecord(t.deps, { kind: 'user', user: admin }, { model: 'sale.order', resId: '5', name: 'S00005' });
    const posted = await postMessage(t.deps, { kind: 'user', user: admin }, { model: 'sale.order', resId: '5' }, { kind: 'comment', body: 'Your quotation' });
    assert.deepEqual(posted.notified, { inbox: 0, email: 0 });
    const notified = await t.deps.db.selectFrom('notifications').select('partner_id').where('message_id', '=', posted.id).execute();
    assert.ok(!notified.some((n) => n.partner_id === customer.id));
  });
});
