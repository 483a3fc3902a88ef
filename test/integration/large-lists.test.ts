// Lists of ids travel as one array parameter: a statement has at most 32,767 parameters, and PGlite 0.4
// fails silently past that, leaving the database unusable until restart.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { postMessage } from '../../src/chatter/post.ts';
import { findPartners } from '../../src/chatter/partners.store.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { SYSTEM, openTestChatter, type TestChatter } from '../helpers/chatter.ts';

describe('long lists of ids', () => {
  let t: TestChatter;
  before(async () => {
    t = await openTestChatter();
    await sql`INSERT INTO partners (name, email) SELECT 'P' || g, 'p' || g || '@example.org' FROM generate_series(1, 40000) g`.execute(t.deps.db);
  });
  after(() => t.close());

  test('40,000 partners are found in one query, and the database still answers afterwards', async () => {
    const ids = Array.from({ length: 40000 }, (_, i) => i + 1);
    assert.equal((await findPartners(t.deps.db, ids)).length, 40000);
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(t.deps.db);
    assert.deepEqual(rows, [{ one: 1 }]);
  });

  test('a message mentioning more partners than a mention is for is refused, and nothing is written', async () => {
    await registerRecord(t.deps, SYSTEM, { model: 'crm.lead', resId: '1', name: 'Lead' });
    const body = Array.from({ length: 1001 }, (_, i) => `@[P${i + 1}](partner:${i + 1})`).join(' ');
    await assert.rejects(postMessage(t.deps, SYSTEM, { model: 'crm.lead', resId: '1' }, { kind: 'comment', body }), {
      code: 'VALIDATION_FAILED',
      message: /at most 1000 partners; this one mentions 1001/,
    });
    const messages = await t.deps.db.selectFrom('messages').select('id').execute();
    assert.equal(messages.length, 0);
  });

  test('a message mentioning 1,000 partners notifies all of them', async () => {
    const body = Array.from({ length: 1000 }, (_, i) => `@[P${i + 1}](partner:${i + 1})`).join(' ');
    const posted = await postMessage(t.deps, SYSTEM, { model: 'crm.lead', resId: '1' }, { kind: 'comment', body });
    assert.deepEqual(posted.notified, { inbox: 0, email: 1000 });
    assert.equal(posted.newFollowerPartnerIds.length, 1000);
  });
});
