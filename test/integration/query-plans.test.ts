// DESIGN "Performance": check the plan of every hot query. A record with a few followers among many
// must be read through the followers index, never by scanning every follower of every record.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { subscribedAddresseesQuery } from '../../src/chatter/followers.store.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { analyzeNonEmptyTables } from '../../src/db/statistics.ts';
import { SYSTEM, openTestChatter, type TestChatter } from '../helpers/chatter.ts';

describe('plans of the hot queries', () => {
  let t: TestChatter;
  let small: number;
  const discussion = 1;

  before(async () => {
    t = await openTestChatter();
    const big = (await registerRecord(t.deps, SYSTEM, { model: 'crm.team', resId: 'big', name: 'Big team' })).record.id;
    small = (await registerRecord(t.deps, SYSTEM, { model: 'crm.team', resId: 'small', name: 'Small team' })).record.id;
    await sql`INSERT INTO partners (name, email) SELECT 'P' || g, 'p' || g || '@example.org' FROM generate_series(1, 3000) g`.execute(t.deps.db);
    await sql`INSERT INTO followers (record_id, partner_id) SELECT ${big}, id FROM partners`.execute(t.deps.db);
    await sql`INSERT INTO followers (record_id, partner_id) SELECT ${small}, id FROM partners ORDER BY id LIMIT 5`.execute(t.deps.db);
    await sql`INSERT INTO follower_subtypes (follower_id, subtype_id) SELECT id, ${discussion} FROM followers`.execute(t.deps.db);
  });
  after(() => t.close());

  const planOf = async () => (await subscribedAddresseesQuery(t.deps.db, small, discussion).explain()).map((r) => String(r['QUERY PLAN'])).join('\n');

  test('fan-out of a small record uses the followers index, before statistics exist', async () => {
    const plan = await planOf();
    assert.match(plan, /Index .*Scan .*followers_record_id_partner_id_key/);
    assert.doesNotMatch(plan, /Seq Scan on followers /);
  });

  test('statistics are refreshed for tables with rows, never for empty ones', async () => {
    const analysed = await analyzeNonEmptyTables(t.deps.db);
    for (const table of ['partners', 'records', 'followers', 'follower_subtypes', 'subtypes']) assert.ok(analysed.includes(table), table);
    for (const table of ['messages', 'notifications', 'outbox', 'attachments']) assert.ok(!analysed.includes(table), table);
  });

  test('fan-out of a small record uses the followers index once statistics are fresh', async () => {
    const plan = await planOf();
    assert.match(plan, /Index .*Scan .*followers_record_id_partner_id_key/);
    assert.doesNotMatch(plan, /Seq Scan on followers /);
  });
});
