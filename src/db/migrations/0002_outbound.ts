// Outbound mail (DESIGN "Sending"): outgoing servers, what the worker needs on each outbox entry,
// the built-in catcher's mailbox, and installation settings (the reply-token secret).
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    CREATE TABLE settings (
      key text PRIMARY KEY,
      value text NOT NULL
    );

    -- seed 000 §3.1, seed 003: how mail leaves; the From filter says whom a server may send as.
    CREATE TABLE outgoing_servers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('smtp', 'catcher')),
      host text,
      port integer CHECK (port BETWEEN 1 AND 65535),
      security text NOT NULL DEFAULT 'starttls' CHECK (security IN ('none', 'starttls', 'tls')),
      username text,
      password_encrypted text,
      from_filter text,
      sequence integer NOT NULL DEFAULT 10,
      active boolean NOT NULL DEFAULT true,
      delete_after_delivery boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE outbox
      ADD COLUMN server_id bigint REFERENCES outgoing_servers(id) ON DELETE SET NULL,
      ADD COLUMN rfc_message_id text,
      ADD COLUMN email_from text,
      ADD COLUMN reply_to text,
      ADD COLUMN subject text,
      ADD COLUMN pending_delete boolean NOT NULL DEFAULT false,
      ADD COLUMN confirmed boolean NOT NULL DEFAULT false,
      ADD COLUMN sent_at timestamptz,
      ADD COLUMN provider_message_id text;

    -- A worker that died leaves its entries in 'sending' until their lease ends; the claim looks here.
    CREATE INDEX outbox_expired_leases ON outbox (lease_until) WHERE state = 'sending';
    CREATE INDEX outbox_sent ON outbox (sent_at) WHERE state = 'sent';

    -- The built-in catcher: every email it "sends" is kept here, raw, to be read (and answered).
    CREATE TABLE caught_emails (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      outbox_id bigint,
      message_id text,
      envelope_from text,
      envelope_to text[] NOT NULL,
      from_header text,
      to_header text,
      subject text,
      raw bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}
