// Notices: emails Facteur writes itself, tied to no message — the answer to an unrouted message
// (issue 4 §3). They travel through the outbox like notifications: retried, visible, never lost.
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    ALTER TABLE outbox
      ADD COLUMN notice text,
      ADD COLUMN company_id bigint REFERENCES companies(id) ON DELETE SET NULL,
      ADD COLUMN body_text text,
      ADD COLUMN in_reply_to text;
    CREATE INDEX outbox_notices ON outbox (email_to, created_at) WHERE notice IS NOT NULL;
  `);
}
