// The claim reads due entries in (next_attempt_at, id) order: an index in that very order, on queued
// email entries only, lets it stop after `limit` rows instead of sorting the whole queue each time
// (draining N entries was O(N²) with the index on next_attempt_at alone).
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    DROP INDEX outbox_due;
    CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'queued' AND channel = 'email';
  `);
}
