import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { channelFor, decideRecipients, type Addressee } from '../../src/chatter/rules/recipients.ts';

const internalByEmail = (partnerId: number): Addressee => ({ partnerId, internalNotification: 'email' });
const internalByInbox = (partnerId: number): Addressee => ({ partnerId, internalNotification: 'inbox' });
const external = (partnerId: number): Addressee => ({ partnerId, internalNotification: null });

function decide(overrides: Partial<Parameters<typeof decideRecipients>[0]>) {
  return decideRecipients({
    subscribedFollowers: [],
    explicitRecipients: [],
    mentioned: [],
    followerPartnerIds: new Set(),
    authorPartnerId: null,
    ...overrides,
  });
}

describe('recipients of a post', () => {
  test('seed 000 §1.5: internal users are notified by inbox or by email, never both; external partners by email', () => {
    assert.equal(channelFor(internalByInbox(1)), 'inbox');
    assert.equal(channelFor(internalByEmail(2)), 'email');
    assert.equal(channelFor(external(3)), 'email');
    const { recipients } = decide({ subscribedFollowers: [internalByInbox(1), internalByEmail(2), external(3)] });
    assert.deepEqual(recipients, [
      { partnerId: 1, channel: 'inbox' },
      { partnerId: 2, channel: 'email' },
      { partnerId: 3, channel: 'email' },
    ]);
  });

  test('seed 000 §5: every follower subscribed to the subtype is notified, once', () => {
    const { recipients } = decide({ subscribedFollowers: [external(3), external(4)], explicitRecipients: [external(3)], followerPartnerIds: new Set([3, 4]) });
    assert.deepEqual(recipients.map((r) => r.partnerId), [3, 4]);
  });

  test('the author is not notified of their own post, even when following, recipient or mentioned', () => {
    const { recipients } = decide({
      subscribedFollowers: [internalByEmail(1), external(2)],
      explicitRecipients: [internalByEmail(1)],
      mentioned: [internalByEmail(1)],
      followerPartnerIds: new Set([1, 2]),
      authorPartnerId: 1,
    });
    assert.deepEqual(recipients.map((r) => r.partnerId), [2]);
  });

  test('seed 000 §7.2–7.3: explicit recipients are notified and become followers when they do not follow', () => {
    const decision = decide({ explicitRecipients: [external(5), external(6)], followerPartnerIds: new Set([6]) });
    assert.deepEqual(decision.recipients.map((r) => r.partnerId), [5, 6]);
    assert.deepEqual(decision.newFollowerPartnerIds, [5]);
  });

  test('seed 000 §11: a mentioned partner is notified whatever their subscription and becomes a follower', () => {
    const decision = decide({ subscribedFollowers: [internalByEmail(1)], mentioned: [internalByInbox(7)], followerPartnerIds: new Set() });
    assert.deepEqual(decision.recipients, [
      { partnerId: 1, channel: 'email' },
      { partnerId: 7, channel: 'inbox' },
    ]);
    assert.deepEqual(decision.newFollowerPartnerIds, [7]);
  });

  test('nobody is notified when nobody follows the subtype and nobody is added', () => {
    assert.deepEqual(decide({}), { recipients: [], newFollowerPartnerIds: [] });
  });
});
