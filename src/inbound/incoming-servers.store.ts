import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ServerSecurity } from '../db/schema.ts';

/** One row of incoming_servers; the password stays sealed (as stored) here. */
export interface IncomingServerRow {
  id: number;
  name: string;
  host: string;
  port: number;
  security: ServerSecurity;
  username: string;
  passwordEncrypted: string | null;
  folder: string;
  intervalMinutes: number;
  active: boolean;
  /** When the last fetch began. */
  lastFetchAt: Date | null;
  /** Why the last fetch failed; null when it went through. */
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a person configures; the fetch columns are the fetcher's. */
export type IncomingServerValues = Omit<IncomingServerRow, 'id' | 'lastFetchAt' | 'lastError' | 'createdAt' | 'updatedAt'>;

function toColumns(values: IncomingServerValues) {
  return {
    name: values.name,
    host: values.host,
    port: values.port,
    security: values.security,
    username: values.username,
    password_encrypted: values.passwordEncrypted,
    folder: values.folder,
    interval_minutes: values.intervalMinutes,
    active: values.active,
  };
}

function serverQuery(db: Db) {
  return db
    .selectFrom('incoming_servers')
    .select([
      'id',
      'name',
      'host',
      'port',
      'security',
      'username',
      'password_encrypted',
      'folder',
      'interval_minutes',
      'active',
      'last_fetch_at',
      'last_error',
      'created_at',
      'updated_at',
    ])
    .orderBy('id');
}

type SelectedRow = Awaited<ReturnType<ReturnType<typeof serverQuery>['executeTakeFirstOrThrow']>>;

function toRow(r: SelectedRow): IncomingServerRow {
  return {
    id: r.id,
    name: r.name,
    host: r.host,
    port: r.port,
    security: r.security,
    username: r.username,
    passwordEncrypted: r.password_encrypted,
    folder: r.folder,
    intervalMinutes: r.interval_minutes,
    active: r.active,
    lastFetchAt: r.last_fetch_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function insertIncomingServer(db: Db, values: IncomingServerValues): Promise<number> {
  const row = await db.insertInto('incoming_servers').values(toColumns(values)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Replaces every configured column of one server; false when no server has this id. */
export async function updateIncomingServer(db: Db, id: number, values: IncomingServerValues): Promise<boolean> {
  const result = await db
    .updateTable('incoming_servers')
    .set({ ...toColumns(values), updated_at: sql`now()` })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** False when no server has this id. The messages it brought stay (their server becomes null). */
export async function deleteIncomingServer(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('incoming_servers').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function findIncomingServer(db: Db, id: number): Promise<IncomingServerRow | undefined> {
  const row = await serverQuery(db).where('id', '=', id).executeTakeFirst();
  return row && toRow(row);
}

export async function listIncomingServers(db: Db, options: { activeOnly?: boolean } = {}): Promise<IncomingServerRow[]> {
  let query = serverQuery(db);
  if (options.activeOnly) query = query.where('active', '=', true);
  return (await query.execute()).map(toRow);
}

/** Notes that a fetch of this server begins now. */
export async function markFetchStarted(db: Db, id: number): Promise<void> {
  await db.updateTable('incoming_servers').set({ last_fetch_at: sql`now()` }).where('id', '=', id).execute();
}

/**
 * Claims one active server whose interval has elapsed since its last fetch began, noting that its
 * fetch begins now; undefined when none is due. SKIP LOCKED: processes looking at the same moment
 * claim different servers, and each server once.
 */
export async function claimDueIncomingServer(db: Db): Promise<{ id: number; name: string } | undefined> {
  const { rows } = await sql<{ id: number; name: string }>`
    UPDATE incoming_servers SET last_fetch_at = now()
    WHERE id = (
      SELECT id FROM incoming_servers
      WHERE active AND (last_fetch_at IS NULL OR last_fetch_at <= now() - make_interval(mins => interval_minutes))
      ORDER BY last_fetch_at NULLS FIRST, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id, name`.execute(db);
  return rows[0];
}

/** How the last fetch ended: null when it went through, else why it failed. */
export async function recordFetchOutcome(db: Db, id: number, error: string | null): Promise<void> {
  await db.updateTable('incoming_servers').set({ last_error: error }).where('id', '=', id).execute();
}
