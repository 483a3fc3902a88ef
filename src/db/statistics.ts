// PGlite runs no autovacuum, so nobody refreshes the planner's statistics unless we do (DESIGN
// "Performance": stale or "empty" statistics made fan-out 10–22× slower). PostgreSQL's autovacuum
// does this job by itself there.
import { sql } from 'kysely';
import type { Logger } from '../log.ts';
import type { Db, OpenedDatabase } from './database.ts';

/** ANALYZE the tables of our schema that hold rows — never an empty one. Returns their names. */
export async function analyzeNonEmptyTables(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c
    WHERE c.relkind = 'r' AND c.relnamespace = to_regnamespace(current_schema())::oid`.execute(db);
  const analysed: string[] = [];
  for (const { name } of rows) {
    const { rows: found } = await sql<{ one: number }>`SELECT 1 AS one FROM ${sql.table(name)} LIMIT 1`.execute(db);
    if (found.length === 0) continue;
    await sql`ANALYZE ${sql.table(name)}`.execute(db);
    analysed.push(name);
  }
  return analysed;
}

/** On PGlite, refreshes statistics now and then every `intervalMs`; returns how to stop. */
export function keepStatisticsFresh(database: OpenedDatabase, log: Logger, intervalMs = 10 * 60_000): () => void {
  if (database.engine !== 'pglite') return () => {};
  const refresh = async () => {
    try {
      const tables = await analyzeNonEmptyTables(database.db);
      log.debug({ tables }, 'statistics refreshed');
    } catch (error) {
      log.warn({ err: error }, 'statistics refresh failed');
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
