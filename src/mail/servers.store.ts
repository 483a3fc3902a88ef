import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ServerKind, ServerSecurity } from '../db/schema.ts';

/** One row of outgoing_servers; the password stays sealed (as stored) here. */
export interface ServerRow {
  id: number;
  name: string;
  kind: ServerKind;
  host: string | null;
  port: number | null;
  security: ServerSecurity;
  username: string | null;
  passwordEncrypted: string | null;
  fromFilter: string | null;
  sequence: number;
  active: boolean;
  deleteAfterDelivery: boolean;
  /** Sweego's two webhook secrets, sealed (seed 001 §4.3.1); null on other kinds. */
  outboundWebhookSecretEncrypted: string | null;
  inboundWebhookSecretEncrypted: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ServerValues = Omit<ServerRow, 'id' | 'createdAt' | 'updatedAt'>;

function toColumns(values: ServerValues) {
  return {
    name: values.name,
    kind: values.kind,
    host: values.host,
    port: values.port,
    security: values.security,
    username: values.username,
    password_encrypted: values.passwordEncrypted,
    from_filter: values.fromFilter,
    sequence: values.sequence,
    active: values.active,
    delete_after_delivery: values.deleteAfterDelivery,
    outbound_webhook_secret_encrypted: values.outboundWebhookSecretEncrypted,
    inbound_webhook_secret_encrypted: values.inboundWebhookSecretEncrypted,
  };
}

function serverQuery(db: Db) {
  return db
    .selectFrom('outgoing_servers')
    .select([
      'id',
      'name',
      'kind',
      'host',
      'port',
      'security',
      'username',
      'password_encrypted',
      'from_filter',
      'sequence',
      'active',
      'delete_after_delivery',
      'outbound_webhook_secret_encrypted',
      'inbound_webhook_secret_encrypted',
      'created_at',
      'updated_at',
    ])
    .orderBy('sequence')
    .orderBy('id');
}

type SelectedRow = Awaited<ReturnType<ReturnType<typeof serverQuery>['executeTakeFirstOrThrow']>>;

function toRow(r: SelectedRow): ServerRow {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    host: r.host,
    port: r.port,
    security: r.security,
    username: r.username,
    passwordEncrypted: r.password_encrypted,
    fromFilter: r.from_filter,
    sequence: r.sequence,
    active: r.active,
    deleteAfterDelivery: r.delete_after_delivery,
    outboundWebhookSecretEncrypted: r.outbound_webhook_secret_encrypted,
    inboundWebhookSecretEncrypted: r.inbound_webhook_secret_encrypted,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function insertServer(db: Db, values: ServerValues): Promise<number> {
  const row = await db.insertInto('outgoing_servers').values(toColumns(values)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Replaces every column of one server; false when no server has this id. */
export async function updateServer(db: Db, id: number, values: ServerValues): Promise<boolean> {
  const result = await db
    .updateTable('outgoing_servers')
    .set({ ...toColumns(values), updated_at: sql`now()` })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** False when no server has this id. */
export async function deleteServer(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('outgoing_servers').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function findServer(db: Db, id: number): Promise<ServerRow | undefined> {
  const row = await serverQuery(db).where('id', '=', id).executeTakeFirst();
  return row && toRow(row);
}

/** Every server, in the order they are tried (sequence, then id). */
export async function listServers(db: Db): Promise<ServerRow[]> {
  return (await serverQuery(db).execute()).map(toRow);
}

/** The servers mail may leave through, in the order they are tried (sequence, then id). */
export async function listActiveServers(db: Db): Promise<ServerRow[]> {
  return (await serverQuery(db).where('active', '=', true).execute()).map(toRow);
}
