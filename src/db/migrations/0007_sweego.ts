// Sweego (seed 001): an outgoing server kind with its two webhook secrets, the webhook deliveries
// already applied (Standard Webhooks redeliver with the same webhook-id), and the provider's
// transaction id of a delivered message (seed 001 §8.3 `sweego_message_id`).
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    ALTER TABLE outgoing_servers DROP CONSTRAINT outgoing_servers_kind_check;
    ALTER TABLE outgoing_servers ADD CONSTRAINT outgoing_servers_kind_check CHECK (kind IN ('smtp', 'catcher', 'sweego'));
    ALTER TABLE outgoing_servers
      ADD COLUMN outbound_webhook_secret_encrypted text,
      ADD COLUMN inbound_webhook_secret_encrypted text;

    CREATE TABLE webhook_deliveries (
      webhook_id text PRIMARY KEY,
      endpoint text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE messages ADD COLUMN provider_transaction_id text;
    CREATE INDEX messages_provider_transaction ON messages (provider_transaction_id) WHERE provider_transaction_id IS NOT NULL;
  `);
}
