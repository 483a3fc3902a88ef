import { sql, type Kysely } from 'kysely';

/**
 * Runs a migration script one statement at a time: the extended protocol (pg and PGlite alike)
 * takes one statement per query. Statements end with ";" at the end of a line — keep scripts so.
 */
export async function runSqlScript(db: Kysely<unknown>, script: string): Promise<void> {
  const statements = script
    .split(/;[ \t]*$/m)
    .map((s) => s.trim())
    .filter((s) => s.replace(/--.*$/gm, '').trim() !== '');
  for (const statement of statements) await sql.raw(statement).execute(db);
}
