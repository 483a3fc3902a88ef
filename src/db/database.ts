// Opens the one database Facteur keeps: PostgreSQL when a URL is given, otherwise PGlite
// (PostgreSQL compiled to WASM) in the data directory. The same SQL runs on both.
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startPgliteThread, type PgliteThread } from './pglite-thread.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  engine: 'pglite' | 'postgres';
  /**
   * Calls `onNotify` on each NOTIFY of the channel, from any process sharing the database
   * (DESIGN: LISTEN/NOTIFY wakes workers and carries live updates). Returns how to stop listening.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type DatabaseLocation =
  | { kind: 'postgres'; url: string; searchPath?: string; poolSize?: number }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory' };

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

// Identifiers are bigint; they stay far below 2^53, so numbers are exact and the API stays plain JSON.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === INT8_ARRAY_OID) {
      const parseArray = (pg.types.getTypeParser as (oid: number) => (value: string) => string[])(INT8_ARRAY_OID);
      return (value: string) => parseArray(value).map(Number);
    }
    return pg.types.getTypeParser(oid, format);
  },
};

export async function openDatabase(location: DatabaseLocation): Promise<OpenedDatabase> {
  if (location.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: location.url,
      max: location.poolSize ?? 10,
      types: pgTypes as pg.CustomTypesConfig,
      ...(location.searchPath ? { options: `-c search_path=${location.searchPath}` } : {}),
    });
    // An idle connection that the server closes (a restart, a terminated backend) is dropped by the pool,
    // which opens a new one on next use; without a listener, its 'error' event would end the process.
    // Queries in progress report their own errors to their callers.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const clientConfig = {
      connectionString: location.url,
      ...(location.searchPath ? { options: `-c search_path=${location.searchPath}` } : {}),
    };
    return {
      db,
      engine: 'postgres',
      async listen(channel, onNotify) {
        // LISTEN needs a connection of its own, outside the pool, for as long as we listen.
        const client = new pg.Client(clientConfig);
        await client.connect();
        client.on('notification', (message) => {
          if (message.channel === channel) onNotify(message.payload ?? '');
        });
        client.on('error', () => {}); // a lost listener only delays wake-ups: the periodic sweep still runs
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        return () => client.end();
      },
      close: () => db.destroy(),
    };
  }
  if (location.kind === 'pglite') {
    const directory = path.join(location.dataDir, 'pgdata');
    fs.mkdirSync(directory, { recursive: true });
    const releaseLock = lockDataDir(location.dataDir);
    return usePglite(await createPglite(directory), releaseLock);
  }
  return usePglite(await createPglite(), () => {});
}

// PGlite runs in a thread of its own (pglite-thread.ts), started only when used: a worker on
// PostgreSQL never loads its ~50 MB of WASM.
async function createPglite(directory?: string): Promise<PgliteThread> {
  return startPgliteThread(directory);
}

async function usePglite(client: PgliteThread, onClose: () => void): Promise<OpenedDatabase> {
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  // The dialect uses only query() and close(), which the thread's client provides.
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client as unknown as ConstructorParameters<typeof PGliteDialect>[0]) });
  return {
    db,
    engine: 'pglite',
    listen: (channel, onNotify) => client.listen(channel, onNotify),
    async close() {
      await db.destroy();
      if (!client.closed) await client.close();
      onClose();
    },
  };
}

export class DataDirInUseError extends Error {}

/**
 * PGlite is one process's database: a second process opening the same files would corrupt them.
 * A pid file guards the data directory; a stale one (its process is gone) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'facteur.pid');
  try {
    const holder = Number(fs.readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new DataDirInUseError(
        `The data directory ${dataDir} is in use by another Facteur process (pid ${holder}). Stop it first, or use the running service's API.`,
      );
    }
  } catch (error) {
    if (error instanceof DataDirInUseError) throw error;
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => fs.rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
