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
 * PGlite 0.4 answers a statement with more than 32,767 bind parameters with no rows, and every later
 * statement on that connection too, without an error. Longer VALUES lists are split to stay below.
 */
const MAX_PARAMETERS = 32_767;

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * The INSERTs, compiled before the clock starts so that the reference is the database's cost alone.
 * What every row shares (message, channel, status) is a literal; the rest are parameters, so that
 * 10,000 rows are one statement per table. Notification ids are given (OVERRIDING SYSTEM VALUE) so
 * that the outbox rows can point at them; `firstId` must not collide with earlier runs.
 */
export function compileReferenceInserts(db: Db, messageId: number, recipients: ReferenceRecipient[], firstId: number): CompiledQuery[] {
  const rows = recipients.map((r, i) => ({ ...r, notificationId: firstId + i }));
  const message = sql.lit(messageId);
  const notifications = chunks(rows, Math.floor(MAX_PARAMETERS / 2)).map(
    (chunk) => sql`
      INSERT INTO bench_notifications (id, message_id, partner_id, channel, status) OVERRIDING SYSTEM VALUE
      VALUES ${sql.join(chunk.map((r) => sql`(${r.notificationId}, ${message}, ${r.partnerId}, 'email', 'ready')`))}`,
  );
  const outbox = chunks(rows, Math.floor(MAX_PARAMETERS / 3)).map(
    (chunk) => sql`
      INSERT INTO bench_outbox (channel, notification_id, message_id, partner_id, email_to)
      VALUES ${sql.join(chunk.map((r) => sql`('email', ${r.notificationId}, ${message}, ${r.partnerId}, ${r.email})`))}`,
  );
  return [...notifications, ...outbox].map((query) => query.compile(db));
}

export async function runReferenceInserts(db: Db, queries: CompiledQuery[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const query of queries) await tx.executeQuery(query);
  });
}

/** The rows the reference wrote for the message: a silent failure must not pass for a fast run. */
export async function countReferenceRows(db: Db, messageId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bench_outbox WHERE message_id = ${messageId}`.execute(db);
  return rows[0]?.n ?? 0;
}
