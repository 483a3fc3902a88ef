// The composition root: config → database → operations' dependencies. The only place that wires.
import path from 'node:path';
import type { ChatterDeps } from './chatter/deps.ts';
import type { Config } from './config.ts';
import { openDatabase, type OpenedDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { sizeParsePool } from './inbound/parse-pool.ts';
import { createLogger, type Logger } from './log.ts';
import type { MailDeps } from './mail/deps.ts';
import { loadMasterKey } from './secrets/masterKey.ts';
import { createSecretBox, type SecretBox } from './secrets/secretBox.ts';

export interface App {
  config: Config;
  log: Logger;
  database: OpenedDatabase;
  chatter: ChatterDeps;
  secrets: SecretBox;
  mail: MailDeps;
  close(): Promise<void>;
}

export function describeDatabase(config: Config): string {
  return config.databaseUrl
    ? `PostgreSQL at ${new URL(config.databaseUrl).host}`
    : `embedded PGlite in ${path.join(config.dataDir, 'pgdata')}`;
}

/** Opens the database and brings its schema up to date; `database` lets tests bring their own. */
export async function createApp(config: Config, options: { database?: OpenedDatabase; log?: Logger } = {}): Promise<App> {
  const log = options.log ?? createLogger(config);
  const database =
    options.database ??
    (await openDatabase(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir }));
  sizeParsePool(database.engine);
  const { applied } = await migrateToLatest(database.db);
  if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
  const chatter: ChatterDeps = { db: database.db, log };
  const secrets = createSecretBox(loadMasterKey(config, log));
  return {
    config,
    log,
    database,
    chatter,
    secrets,
    mail: { ...chatter, secrets, config },
    close: () => database.close(),
  };
}
