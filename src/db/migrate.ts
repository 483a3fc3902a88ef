import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as chatter from './migrations/0001_chatter.ts';
import * as outbound from './migrations/0002_outbound.ts';
import * as outboxClaim from './migrations/0003_outbox_claim.ts';
import * as inbound from './migrations/0004_inbound.ts';
import * as notices from './migrations/0005_notices.ts';
import * as inboundRawGzip from './migrations/0006_inbound_raw_gzip.ts';
import * as sweego from './migrations/0007_sweego.ts';
import * as sweegoEngagement from './migrations/0008_sweego_engagement.ts';
import * as webUi from './migrations/0009_web_ui.ts';

// Listed in code rather than read from disk, so that migrations travel with the program.
const migrations: Record<string, Migration> = {
  '0001_chatter': chatter,
  '0002_outbound': outbound,
  '0003_outbox_claim': outboxClaim,
  '0004_inbound': inbound,
  '0005_notices': notices,
  '0006_inbound_raw_gzip': inboundRawGzip,
  '0007_sweego': sweego,
  '0008_sweego_engagement': sweegoEngagement,
  '0009_web_ui': webUi,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrationReport {
  applied: string[];
}

/** Brings the schema up to date; safe to run on every start, and from many processes at once. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db);
    } catch (error) {
      // Kysely's introspection reads every schema of the database; one dropped meanwhile (another
      // application's, or a parallel test run's) fails it with 3F000 "schema … does not exist".
      // Nothing was migrated then: the next attempt no longer sees that schema.
      if (attempt < 5 && (error as { code?: string }).code === '3F000') continue;
      throw error;
    }
  }
}

async function migrateOnce(db: Kysely<any>): Promise<MigrationReport> {
  // Kysely's bookkeeping tables go in our own schema: another schema of the same database may have
  // its own (another application, or a parallel test run), and Kysely would otherwise find those.
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0]!.schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : Object.assign(new Error(String(error)), error as object);
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
