// The physical reference of the fan-out: the same rows written with bare multi-row INSERTs in one
// transaction. Same table shape as the product's (columns, defaults, checks, indexes, identity, and the
// foreign keys LIKE does not copy), so the only difference left is the work postMessage does around them.
import { sql, type CompiledQuery } from 'kysely';
import type { Db } from '../../src/db/database.ts';

export interface ReferenceRecipient {
  partnerId: number;
  email: string;
}

export async function createReferenceTables(db: Db): Promise<void> {
  // One statement per call: PGlite runs parameterised (extended protocol) queries, one command each.
  await sql`CREATE TABLE bench_notifications (LIKE notifications INCLUDING ALL)`.execute(db);
  await sql`
    ALTER TABLE bench_notifications
      ADD FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE,
      ADD FOREIGN KEY (partner_id) REFERENCES partners(id)`.execute(db);
  await sql`CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL)`.execute(db);
  await sql`
    ALTER TABLE bench_outbox
      ADD FOREIGN KEY (notification_id) REFERENCES bench_notifications(id) ON DELETE SET NULL,
      ADD FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE SET NULL,
      ADD FOREIGN KEY (partner_id) REFERENCES partners(id)`.execute(db);
}

/**
 * The two INSERTs, compiled before the clock starts so that the reference is the database's cost alone.
 * Notification ids are given (OVERRIDING SYSTEM VALUE) so that the outbox rows can point at them in the
 * same round trip; `firstId` must not collide with earlier runs.
 */
export function compileReferenceInserts(db: Db, messageId: number, recipients: ReferenceRecipient[], firstId: number): CompiledQuery[] {
  const notifications = sql`
    INSERT INTO bench_notifications (id, message_id, partner_id, channel, status) OVERRIDING SYSTEM VALUE
    VALUES ${sql.join(recipients.map((r, i) => sql`(${firstId + i}, ${messageId}, ${r.partnerId}, ${'email'}, ${'ready'})`))}`;
  const outbox = sql`
    INSERT INTO bench_outbox (channel, notification_id, message_id, partner_id, email_to)
    VALUES ${sql.join(recipients.map((r, i) => sql`(${'email'}, ${firstId + i}, ${messageId}, ${r.partnerId}, ${r.email})`))}`;
  return [notifications.compile(db), outbox.compile(db)];
}

export async function runReferenceInserts(db: Db, queries: CompiledQuery[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const query of queries) await tx.executeQuery(query);
  });
}
