// Who may administer what: the host application (no acting user), internal users, portal users.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { createPartner, getPartner, searchPartners } from '../../src/chatter/partners.ts';
import { createSubtype } from '../../src/chatter/subtypes.ts';
import { createUser, getUser, updateUser } from '../../src/chatter/users.ts';
import { SYSTEM, internalUser, openTestChatter, portalUser, type TestChatter } from '../helpers/chatter.ts';

describe('access to administration', () => {
  let t: TestChatter;
  let staff: Actor & { kind: 'user' };
  let colleague: Awaited<ReturnType<typeof internalUser>>;
  let customer: Actor & { kind: 'user' };
  before(async () => {
    t = await openTestChatter();
    staff = { kind: 'user', user: await internalUser(t.deps, 'Staff') };
    colleague = await internalUser(t.deps, 'Colleague');
    customer = { kind: 'user', user: await portalUser(t.deps, 'Customer') };
  });
  after(() => t.close());

  test('companies, users and subtypes are defined by the host application only', async () => {
    await assert.rejects(createCompany(t.deps, staff, { name: 'X' }), { code: 'FORBIDDEN' });
    await assert.rejects(createUser(t.deps, staff, { login: 'x', role: 'internal', partner: { name: 'X' } }), { code: 'FORBIDDEN' });
    await assert.rejects(createSubtype(t.deps, staff, { code: 'x', name: 'X' }), { code: 'FORBIDDEN' });
    assert.equal((await createCompany(t.deps, SYSTEM, { name: 'Y' })).name, 'Y');
  });

  test('seed 000 §2.3: a user changes their own notification preference, not somebody else\'s, and never their role', async () => {
    assert.equal((await updateUser(t.deps, staff, staff.user.id, { notification: 'inbox' })).notification, 'inbox');
    await assert.rejects(updateUser(t.deps, staff, colleague.id, { notification: 'inbox' }), { code: 'FORBIDDEN' });
    await assert.rejects(updateUser(t.deps, customer, customer.user.id, { role: 'internal' }), { code: 'FORBIDDEN' });
    await assert.rejects(updateUser(t.deps, customer, customer.user.id, { notification: 'inbox' }), { code: 'VALIDATION_FAILED' });
    assert.equal((await updateUser(t.deps, SYSTEM, colleague.id, { notification: 'inbox' })).notification, 'inbox');
  });

  test('internal users manage contacts; portal users read only themselves', async () => {
    const created = await createPartner(t.deps, staff, { name: 'New Contact', email: 'new@example.org' });
    assert.equal((await getPartner(t.deps, staff, created.id)).email, 'new@example.org');
    await assert.rejects(createPartner(t.deps, customer, { name: 'Spam' }), { code: 'FORBIDDEN' });
    await assert.rejects(searchPartners(t.deps, customer, { limit: 10, offset: 0 }), { code: 'FORBIDDEN' });
    await assert.rejects(getPartner(t.deps, customer, created.id), { code: 'FORBIDDEN' });
    assert.equal((await getPartner(t.deps, customer, customer.user.partnerId)).name, 'Customer');
    assert.equal((await getUser(t.deps, customer, customer.user.id)).role, 'portal');
    await assert.rejects(getUser(t.deps, customer, staff.user.id), { code: 'FORBIDDEN' });
  });
});
