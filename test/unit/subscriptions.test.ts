import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appliesTo, defaultSubtypeIds, propagatedSubtypeIds, type SubtypeInfo } from '../../src/chatter/rules/subscriptions.ts';

const subtype = (id: number, code: string, extra: Partial<SubtypeInfo> = {}): SubtypeInfo => ({
  id,
  code,
  model: null,
  internal: false,
  isDefault: false,
  parentSubtypeId: null,
  ...extra,
});

const discussion = subtype(1, 'discussion', { isDefault: true });
const note = subtype(2, 'note', { internal: true });
const activity = subtype(3, 'activity', { internal: true, isDefault: true });
const teamQuotationSent = subtype(10, 'quotation_sent', { model: 'crm.team' });
const quotationSent = subtype(11, 'quotation_sent', { model: 'sale.order', parentSubtypeId: 10 });
const teamOnly = subtype(12, 'team_meeting', { model: 'crm.team' });
const invoicePaid = subtype(13, 'paid', { model: 'account.move', isDefault: true });
const all = [discussion, note, activity, teamQuotationSent, quotationSent, teamOnly, invoicePaid];

describe('default subscriptions', () => {
  test('a subtype without a model applies to every model; one with a model only to it', () => {
    assert.equal(appliesTo(discussion, 'sale.order'), true);
    assert.equal(appliesTo(quotationSent, 'sale.order'), true);
    assert.equal(appliesTo(quotationSent, 'crm.lead'), false);
  });

  test('seed 000 §1.3: discussion is everyone\'s default; internal defaults only for internal users', () => {
    assert.deepEqual(defaultSubtypeIds(all, 'sale.order', true), [1, 3]);
    assert.deepEqual(defaultSubtypeIds(all, 'sale.order', false), [1]);
    assert.deepEqual(defaultSubtypeIds(all, 'account.move', false), [1, 13]);
  });

  test('seed 000 §1.4: a team follower\'s "quotation sent" becomes the quotation\'s "quotation sent"', () => {
    assert.deepEqual(propagatedSubtypeIds([10], all, 'sale.order'), [11]);
  });

  test('seed 000 §1.4: generic subtypes followed on the team (discussion, note) carry over to the quotation', () => {
    assert.deepEqual(propagatedSubtypeIds([1, 2, 10], all, 'sale.order'), [1, 2, 11]);
  });

  test('a team subtype with no counterpart on the child model does not propagate', () => {
    assert.deepEqual(propagatedSubtypeIds([12], all, 'sale.order'), []);
    assert.deepEqual(propagatedSubtypeIds([10], all, 'crm.lead'), []);
  });
});
