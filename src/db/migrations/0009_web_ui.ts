// The web UI (issue 6): people log in with a password and keep a session; administrators do in the UI
// what the host application does through the API; each user may pick the UI's language. Mail
// templates (Liquid) are picked in the composer and previewed on a record in the settings.
import type { Kysely } from 'kysely';
import { runSqlScript } from '../script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runSqlScript(db, `
    ALTER TABLE users
      ADD COLUMN password_hash text,
      ADD COLUMN is_admin boolean NOT NULL DEFAULT false,
      ADD COLUMN language text;

    -- Only a hash of the session token is kept, as for API keys.
    CREATE TABLE user_sessions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      token_hash text NOT NULL UNIQUE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX user_sessions_user ON user_sessions (user_id);

    CREATE TABLE mail_templates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      model text,
      subject text NOT NULL DEFAULT '',
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}
