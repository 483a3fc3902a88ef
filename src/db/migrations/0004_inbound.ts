// Inbound mail (DESIGN "Inbound"; seed 000 §3.2–3.4, seed 003 "incoming server"): where mail is
// fetched from, the aliases that create records, every received message kept raw with its fate, and
// the events that tell the host application what the gateway did.
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    -- Seed 000 §3.2: a mailbox Facteur alone reads; only unseen messages are fetched, every few minutes.
    CREATE TABLE incoming_servers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      host text NOT NULL,
      port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
      security text NOT NULL DEFAULT 'tls' CHECK (security IN ('none', 'starttls', 'tls')),
      username text NOT NULL,
      password_encrypted text,
      folder text NOT NULL DEFAULT 'INBOX',
      interval_minutes integer NOT NULL DEFAULT 5 CHECK (interval_minutes >= 1),
      active boolean NOT NULL DEFAULT true,
      last_fetch_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- Seed 000 §3.3 "ALIAS": mail to name@alias-domain creates a record of the model, under a parent
    -- record whose followers follow it (a sales team), or, with a record, is posted on that one; the
    -- contact policy says who may write.
    CREATE TABLE aliases (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      alias_domain_id bigint NOT NULL REFERENCES alias_domains(id) ON DELETE CASCADE,
      name text NOT NULL,
      model text NOT NULL,
      record_id bigint REFERENCES records(id) ON DELETE CASCADE,
      parent_record_id bigint REFERENCES records(id) ON DELETE SET NULL,
      contact_policy text NOT NULL DEFAULT 'everyone' CHECK (contact_policy IN ('everyone', 'partners', 'followers')),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (alias_domain_id, name)
    );

    -- Every inbound message, from any source, kept raw before anything else is done with it; the
    -- unique Message-ID makes a second copy (a re-fetch, a redelivery) harmless.
    CREATE TABLE inbound_emails (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source text NOT NULL CHECK (source IN ('imap', 'smtp', 'api', 'webhook')),
      incoming_server_id bigint REFERENCES incoming_servers(id) ON DELETE SET NULL,
      rfc_message_id text NOT NULL UNIQUE,
      raw bytea NOT NULL,
      sender text,
      subject text,
      state text NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'routed', 'bounced', 'dropped', 'unrouted', 'failed')),
      route text,
      reason text,
      record_id bigint REFERENCES records(id) ON DELETE SET NULL,
      message_id bigint REFERENCES messages(id) ON DELETE SET NULL,
      attempts integer NOT NULL DEFAULT 0,
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz
    );
    CREATE INDEX inbound_emails_state ON inbound_emails (state, id);

    -- What the host application is told (a record created by an alias…): read with GET /api/events.
    CREATE TABLE events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      type text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- Inline images keep their Content-ID so that the body's cid: links can be shown.
    ALTER TABLE attachments ADD COLUMN content_id text;
    -- The sender-loop limit counts a sender's recent messages on a thread.
    ALTER TABLE messages ADD COLUMN email_from_normalized text;
    CREATE INDEX messages_sender ON messages (record_id, email_from_normalized, created_at) WHERE email_from_normalized IS NOT NULL;
    -- Bounces are found from our Message-ID and the recipient when the outbox entry is gone.
    CREATE INDEX outbox_rfc_message_id ON outbox (rfc_message_id) WHERE rfc_message_id IS NOT NULL;
  `);
}
