// The alias domains this Facteur receives mail for: the SMTP listener accepts a recipient only there.
import type { Db } from '../db/database.ts';

/** Every configured alias domain, lowercased. */
export async function listAliasDomainNames(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('alias_domains').select('domain').orderBy('domain').execute();
  return rows.map((row) => row.domain.toLowerCase());
}
