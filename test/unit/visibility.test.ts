import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canSeeMessage, canSeeRecipient, type Viewer } from '../../src/chatter/rules/visibility.ts';

const NOTE = 2;
const message = { subtypeId: 1, subtypeInternal: false };
const note = { subtypeId: NOTE, subtypeInternal: true };
const internal: Viewer = { kind: 'user', role: 'internal', partnerId: 1, followedSubtypeIds: new Set() };
const portal = (followed: number[]): Viewer => ({ kind: 'user', role: 'portal', partnerId: 5, followedSubtypeIds: new Set(followed) });

describe('seed 000 §10: who sees what in a thread', () => {
  test('everyone sees messages', () => {
    for (const viewer of [internal, portal([]), { kind: 'system' } as const]) assert.equal(canSeeMessage(viewer, message), true);
  });

  test('internal users see notes; portal users only when they explicitly follow the note subtype', () => {
    assert.equal(canSeeMessage(internal, note), true);
    assert.equal(canSeeMessage(portal([]), note), false);
    assert.equal(canSeeMessage(portal([1]), note), false);
    assert.equal(canSeeMessage(portal([1, NOTE]), note), true);
  });

  test('seed 000 §9: a portal user sees only their own notification among the recipients', () => {
    assert.equal(canSeeRecipient(portal([]), 5), true);
    assert.equal(canSeeRecipient(portal([]), 6), false);
    assert.equal(canSeeRecipient(internal, 6), true);
  });
});
