import type { Db } from '../db/database.ts';
import { announce } from '../live/live.store.ts';
import { anyId } from '../db/ids.ts';
import { containsPattern } from '../db/patterns.ts';

export interface CaughtEmailValues {
  outboxId: number | null;
  messageId: string | null;
  envelopeFrom: string | null;
  envelopeTo: string[];
  fromHeader: string | null;
  toHeader: string | null;
  subject: string | null;
  raw: Uint8Array;
}

export async function insertCaughtEmails(db: Db, emails: CaughtEmailValues[]): Promise<void> {
  if (emails.length === 0) return;
  await db
    .insertInto('caught_emails')
    .values(
      emails.map((e) => ({
        outbox_id: e.outboxId,
        message_id: e.messageId,
        envelope_from: e.envelopeFrom,
        envelope_to: e.envelopeTo,
        from_header: e.fromHeader,
        to_header: e.toHeader,
        subject: e.subject,
        raw: e.raw,
      })),
    )
    .execute();
  await announce(db, { topics: ['catcher'] });
}

export interface CaughtEmailSummary {
  id: number;
  outboxId: number | null;
  messageId: string | null;
  envelopeFrom: string | null;
  envelopeTo: string[];
  from: string | null;
  to: string | null;
  subject: string | null;
  size: number;
  createdAt: Date;
}

export async function listCaughtEmails(db: Db, page: { limit: number; beforeId?: number | undefined; to?: string | undefined }): Promise<CaughtEmailSummary[]> {
  let query = db
    .selectFrom('caught_emails')
    .select((eb) => ['id', 'outbox_id', 'message_id', 'envelope_from', 'envelope_to', 'from_header', 'to_header', 'subject', 'created_at', eb.fn<number>('octet_length', ['raw']).as('size')])
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId);
  if (page.to) query = query.where('to_header', 'ilike', containsPattern(page.to));
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    outboxId: r.outbox_id,
    messageId: r.message_id,
    envelopeFrom: r.envelope_from,
    envelopeTo: r.envelope_to,
    from: r.from_header,
    to: r.to_header,
    subject: r.subject,
    size: Number(r.size),
    createdAt: r.created_at,
  }));
}

export async function findCaughtEmailRaw(db: Db, ids: number[]): Promise<{ id: number; raw: Uint8Array }[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('caught_emails').select(['id', 'raw']).where('id', '=', anyId(ids)).execute();
}

/** The catcher's copy of an outbox entry's email, when the catcher "sent" it: exactly what went out. */
export async function findCaughtCopyOfOutbox(db: Db, outboxId: number): Promise<{ raw: Uint8Array; envelopeFrom: string | null; envelopeTo: string[] } | undefined> {
  const row = await db
    .selectFrom('caught_emails')
    .select(['raw', 'envelope_from', 'envelope_to'])
    .where('outbox_id', '=', outboxId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { raw: row.raw, envelopeFrom: row.envelope_from, envelopeTo: row.envelope_to };
}
