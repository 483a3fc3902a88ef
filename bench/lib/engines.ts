// The two engines a benchmark runs on: PGlite in memory, and PostgreSQL in a throw-away schema,
// both opened with the product's openDatabase and migrated with the product's migrations.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export interface BenchEngine {
  name: 'pglite' | 'postgres';
  db: Db;
  /** Server version, for the report. */
  version: string;
  close(): Promise<void>;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function postgresUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
}

async function serverVersion(db: Db): Promise<string> {
  const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(db);
  return rows[0]?.v ?? 'unknown';
}

export async function openPglite(): Promise<BenchEngine> {
  const opened = await openDatabase({ kind: 'pglite-memory' });
  await migrateToLatest(opened.db);
  return { name: 'pglite', db: opened.db, version: await serverVersion(opened.db), close: opened.close };
}

/**
 * Runs one statement on a short-lived connection. pg.Client rather than openDatabase because the
 * pool has no connection timeout: an unreachable host must fail in seconds, not hang the bench.
 */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A fresh schema per run, so that the bench never touches anyone's tables and leaves nothing behind.
 * Returns null (with the reason) when PostgreSQL cannot be reached: the caller skips it.
 */
export async function openPostgres(): Promise<BenchEngine | { unavailable: string }> {
  const url = postgresUrl();
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(url, `CREATE SCHEMA ${schema}`);
  } catch (error) {
    return { unavailable: `${url.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}` };
  }
  const opened = await openDatabase({ kind: 'postgres', url, searchPath: schema, poolSize: 2 });
  const close = async () => {
    await opened.close();
    await adminQuery(url, `DROP SCHEMA ${schema} CASCADE`);
  };
  try {
    await migrateToLatest(opened.db);
    return { name: 'postgres', db: opened.db, version: await serverVersion(opened.db), close };
  } catch (error) {
    await close();
    throw error;
  }
}
