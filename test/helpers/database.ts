// A fresh, migrated database per test file: in-memory PGlite by default; with TEST_DATABASE_URL,
// a schema of its own on that PostgreSQL server, dropped at the end, so runs never collide.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type OpenedDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

export async function openTestDatabase(): Promise<OpenedDatabase> {
  if (!testDatabaseUrl) {
    const database = await openDatabase({ kind: 'pglite-memory' });
    await migrateToLatest(database.db);
    return database;
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const database = await openDatabase({ kind: 'postgres', url: testDatabaseUrl, searchPath: schema, poolSize: 4 });
  await migrateToLatest(database.db);
  return {
    ...database,
    async close() {
      await database.close();
      await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
