// Inbound messages are kept raw for ever (issue 4 §5), and mail compresses well. Compressed by
// Facteur (gzip, in Node's native zlib) rather than by the database's TOAST (pglz): the embedded
// database runs as WASM, where compressing and moving the bytes cost it several times what they cost
// Node — storing a 10 KB reply took half of PGlite's time per message (BENCHMARKS.md, gateway).
// Messages stored before stay as they are (`identity`).
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    ALTER TABLE inbound_emails
      ADD COLUMN raw_encoding text NOT NULL DEFAULT 'identity' CHECK (raw_encoding IN ('identity', 'gzip')),
      ADD COLUMN size integer;
    UPDATE inbound_emails SET size = octet_length(raw);
    ALTER TABLE inbound_emails ALTER COLUMN size SET NOT NULL;
    -- Already compressed: the database need not try again.
    ALTER TABLE inbound_emails ALTER COLUMN raw SET STORAGE EXTERNAL;
  `);
}
