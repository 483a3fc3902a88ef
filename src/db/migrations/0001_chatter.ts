// The chatter core (seed 000): companies, partners, users, records, subtypes, followers, messages,
// notifications and the outbox they feed. Written as plain SQL: it runs unchanged on PGlite and PostgreSQL.
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    CREATE TABLE companies (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- DESIGN "alias domain": per company, the domain of catchall, bounce and notification addresses.
    CREATE TABLE alias_domains (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      company_id bigint NOT NULL UNIQUE REFERENCES companies(id) ON DELETE CASCADE,
      domain text NOT NULL UNIQUE,
      catchall text NOT NULL DEFAULT 'catchall',
      bounce text NOT NULL DEFAULT 'bounce',
      default_from text NOT NULL DEFAULT 'notifications'
    );

    CREATE TABLE partners (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      email text,
      email_normalized text,
      phone text,
      lang text NOT NULL DEFAULT 'en',
      company_id bigint REFERENCES companies(id),
      bounce_count integer NOT NULL DEFAULT 0,
      blacklisted boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX partners_email_normalized ON partners (email_normalized);

    -- Seed 000 §1.5: internal users choose email or inbox, exclusively; portal users are notified by email.
    CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      partner_id bigint NOT NULL UNIQUE REFERENCES partners(id),
      login text NOT NULL UNIQUE,
      role text NOT NULL CHECK (role IN ('internal', 'portal')),
      notification text NOT NULL DEFAULT 'email' CHECK (notification IN ('email', 'inbox')),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (role = 'internal' OR notification = 'email')
    );

    CREATE TABLE records (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      model text NOT NULL,
      res_id text NOT NULL,
      name text NOT NULL,
      company_id bigint REFERENCES companies(id),
      responsible_user_id bigint REFERENCES users(id),
      parent_record_id bigint REFERENCES records(id),
      created_by_user_id bigint REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (model, res_id)
    );

    -- A subtype with a parent propagates: following the parent subtype on a parent record
    -- means following this subtype on its child records (seed 000 §1.4, DESIGN "Default followers").
    CREATE TABLE subtypes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code text NOT NULL,
      name text NOT NULL,
      description text,
      model text,
      internal boolean NOT NULL DEFAULT false,
      is_default boolean NOT NULL DEFAULT false,
      hidden boolean NOT NULL DEFAULT false,
      parent_subtype_id bigint REFERENCES subtypes(id),
      sequence integer NOT NULL DEFAULT 10,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX subtypes_code_model ON subtypes (code, coalesce(model, ''));

    CREATE TABLE followers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      record_id bigint NOT NULL REFERENCES records(id) ON DELETE CASCADE,
      partner_id bigint NOT NULL REFERENCES partners(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (record_id, partner_id)
    );

    CREATE TABLE follower_subtypes (
      follower_id bigint NOT NULL REFERENCES followers(id) ON DELETE CASCADE,
      subtype_id bigint NOT NULL REFERENCES subtypes(id),
      PRIMARY KEY (follower_id, subtype_id)
    );
    CREATE INDEX follower_subtypes_subtype ON follower_subtypes (subtype_id);

    CREATE TABLE messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      record_id bigint NOT NULL REFERENCES records(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('comment', 'note', 'notification', 'email', 'tracking')),
      subtype_id bigint REFERENCES subtypes(id),
      author_partner_id bigint REFERENCES partners(id),
      email_from text,
      subject text,
      body_html text NOT NULL DEFAULT '',
      rfc_message_id text NOT NULL UNIQUE,
      parent_message_id bigint REFERENCES messages(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX messages_record ON messages (record_id, id);

    CREATE TABLE message_recipients (
      message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      partner_id bigint NOT NULL REFERENCES partners(id),
      reason text NOT NULL CHECK (reason IN ('explicit', 'mention')),
      PRIMARY KEY (message_id, partner_id, reason)
    );

    -- Content-addressed: the same file attached twice is stored once.
    CREATE TABLE attachment_contents (
      sha256 text PRIMARY KEY,
      size integer NOT NULL,
      content bytea NOT NULL
    );

    CREATE TABLE attachments (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      filename text NOT NULL,
      content_type text NOT NULL,
      sha256 text NOT NULL REFERENCES attachment_contents(sha256),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX attachments_message ON attachments (message_id);

    CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      partner_id bigint NOT NULL REFERENCES partners(id),
      channel text NOT NULL CHECK (channel IN ('inbox', 'email', 'sms')),
      status text NOT NULL CHECK (status IN ('ready', 'sent', 'delivered', 'bounce', 'exception', 'canceled')),
      failure_type text,
      failure_reason text,
      read_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (message_id, partner_id, channel)
    );
    CREATE INDEX notifications_inbox ON notifications (partner_id, id) WHERE channel = 'inbox';

    -- One entry per recipient (seed 000 §9); rendered by the worker, never inside the posting transaction.
    CREATE TABLE outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      channel text NOT NULL CHECK (channel IN ('email', 'sms')),
      state text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'exception', 'canceled')),
      notification_id bigint REFERENCES notifications(id) ON DELETE SET NULL,
      message_id bigint REFERENCES messages(id) ON DELETE SET NULL,
      partner_id bigint REFERENCES partners(id),
      email_to text,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      failure_type text,
      failure_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'queued';

    CREATE TABLE api_keys (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      prefix text NOT NULL,
      secret_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    -- Seed 000 §1.3: "discussion" is every follower's default; notes are internal.
    INSERT INTO subtypes (code, name, description, internal, is_default, sequence) VALUES
      ('discussion', 'Discussions', 'Messages sent to the followers of a record', false, true, 0),
      ('note', 'Notes', 'Internal notes, for internal users', true, false, 1);
  `);
}
