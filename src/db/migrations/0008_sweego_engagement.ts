// What Sweego reports after delivery (issue 5 §4): a recipient who unsubscribed through the
// List-Unsubscribe link is recorded on their partner; opens and clicks are counted on the
// notification. Those reports may come after the outbox entry is gone (deferred deletion), so the
// notification keeps Sweego's transaction id of its email, which they carry.
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    ALTER TABLE partners ADD COLUMN unsubscribed_at timestamptz;
    ALTER TABLE notifications
      ADD COLUMN provider_transaction_id text,
      ADD COLUMN opens integer NOT NULL DEFAULT 0,
      ADD COLUMN clicks integer NOT NULL DEFAULT 0;
    CREATE INDEX notifications_provider_transaction ON notifications (provider_transaction_id) WHERE provider_transaction_id IS NOT NULL;
  `);
}
