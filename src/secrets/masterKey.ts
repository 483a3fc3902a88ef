// The master key comes from FACTEUR_MASTER_KEY, or from <data dir>/master.key, created on first start.
// Several processes on one PostgreSQL must share it: give it through the environment there.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

export function loadMasterKey(config: Pick<Config, 'masterKey' | 'dataDir' | 'databaseUrl'>, log: Logger): string {
  if (config.masterKey) return config.masterKey;
  const file = path.join(config.dataDir, 'master.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  if (config.databaseUrl) {
    log.warn({ file }, 'master key generated locally: set FACTEUR_MASTER_KEY to this value on every Facteur process sharing the database');
  } else {
    log.info({ file }, 'master key generated');
  }
  return key;
}
