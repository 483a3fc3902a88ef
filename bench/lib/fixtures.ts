// Setup for the posting benchmarks; none of it is timed. Set-based, as the product's own stores are.
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { SYSTEM } from '../../src/chatter/actor.ts';
export { analyzeNonEmptyTables } from '../../src/db/statistics.ts';
import type { ChatterDeps } from '../../src/chatter/deps.ts';
import { addFollowers } from '../../src/chatter/followers.store.ts';
import type { RecordRef } from '../../src/chatter/lookups.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { listSubtypes } from '../../src/chatter/subtypes.store.ts';

export const MODEL = 'bench.order';

/** External partners (no user): the recipient rules notify them by email, one outbox entry each. */
export async function createExternalPartners(db: Db, count: number, prefix: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO partners (name, email, email_normalized)
    SELECT ${prefix} || ' ' || g, ${prefix} || g || '@example.com', ${prefix} || g || '@example.com'
    FROM generate_series(1, ${count}::int) AS g
    ORDER BY g
    RETURNING id`.execute(db);
  return rows.map((r) => r.id);
}

/** A new record, registered through the real operation, followed on `discussion` by the partners. */
export async function recordFollowedBy(deps: ChatterDeps, resId: string, partnerIds: number[]): Promise<RecordRef> {
  const ref = { model: MODEL, resId };
  const { record } = await registerRecord(deps, SYSTEM, { ...ref, name: `Order ${resId}` });
  const discussion = (await listSubtypes(deps.db)).find((s) => s.code === 'discussion' && s.model === null);
  if (!discussion) throw new Error('The migration did not create the "discussion" subtype.');
  await addFollowers(deps.db, record.id, partnerIds.map((partnerId) => ({ partnerId, subtypeIds: [discussion.id] })));
  return ref;
}
