import type { Db } from '../db/database.ts';
import type { Logger } from '../log.ts';

/** What chatter operations need; app.ts builds it once. */
export interface ChatterDeps {
  db: Db;
  log: Logger;
}
