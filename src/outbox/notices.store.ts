// Notices in the outbox: emails Facteur writes itself (no message, no notification behind them).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { OUTBOX_CHANNEL } from './outbox.store.ts';

export interface NewNotice {
  /** What kind of notice, e.g. `unrouted`. */
  notice: string;
  emailTo: string;
  /** Whose alias domain sends it (its notifications address). */
  companyId: number | null;
  subject: string;
  bodyText: string;
  inReplyTo: string | null;
}

export interface NoticeToSend extends NewNotice {
  outboxId: number;
  attempts: number;
}

export async function enqueueNotice(db: Db, notice: NewNotice): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO outbox (channel, notice, email_to, company_id, subject, body_text, in_reply_to)
    VALUES ('email', ${notice.notice}, ${notice.emailTo}, ${notice.companyId}, ${notice.subject}, ${notice.bodyText}, ${notice.inReplyTo})
    RETURNING id`.execute(db);
  await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
  return rows[0]!.id;
}

/** Notices of this kind sent (or queued) to an address since a date: one a day is enough. */
export async function countNoticesTo(db: Db, notice: string, emailTo: string, since: Date): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    SELECT count(*)::int AS count FROM outbox WHERE notice = ${notice} AND email_to = ${emailTo} AND created_at >= ${since}`.execute(db);
  return rows[0]?.count ?? 0;
}

export async function loadNoticesToSend(db: Db, outboxIds: number[]): Promise<NoticeToSend[]> {
  if (outboxIds.length === 0) return [];
  const { rows } = await sql<NoticeToSend>`
    SELECT id AS "outboxId", attempts, notice, email_to AS "emailTo", company_id AS "companyId", subject,
           body_text AS "bodyText", in_reply_to AS "inReplyTo"
    FROM outbox WHERE id = any(${outboxIds}::bigint[]) AND notice IS NOT NULL ORDER BY id`.execute(db);
  return rows;
}
