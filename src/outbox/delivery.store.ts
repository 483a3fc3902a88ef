// Everything the worker needs to build the emails of a claimed batch, in one query.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { MessageKind, UserRole } from '../db/schema.ts';

export interface EmailToSend {
  outboxId: number;
  attempts: number;
  emailTo: string | null;
  recipient: { partnerId: number | null; name: string | null; blacklisted: boolean; userRole: UserRole | null };
  message: { id: number; kind: MessageKind; subject: string | null; bodyHtml: string; rfcMessageId: string; subtypeName: string | null };
  /** The first message of the thread, which every email of the record refers to, so clients thread them. */
  threadRootRfcMessageId: string | null;
  author: { name: string | null; email: string | null; companyId: number | null };
  record: { model: string; resId: string; name: string; companyId: number | null };
}

export async function loadEmailsToSend(db: Db, outboxIds: number[]): Promise<EmailToSend[]> {
  if (outboxIds.length === 0) return [];
  const { rows } = await sql<{
    outbox_id: number;
    attempts: number;
    email_to: string | null;
    partner_id: number | null;
    recipient_name: string | null;
    blacklisted: boolean | null;
    user_role: UserRole | null;
    message_id: number;
    kind: MessageKind;
    subject: string | null;
    body_html: string;
    rfc_message_id: string;
    subtype_name: string | null;
    record_id: number;
    author_name: string | null;
    author_email: string | null;
    author_company_id: number | null;
    model: string;
    res_id: string;
    record_name: string;
    record_company_id: number | null;
  }>`
    SELECT o.id AS outbox_id, o.attempts, o.email_to, o.partner_id,
           rp.name AS recipient_name, rp.blacklisted, ru.role AS user_role,
           m.id AS message_id, m.kind, m.subject, m.body_html, m.rfc_message_id, st.name AS subtype_name,
           m.record_id,
           ap.name AS author_name, ap.email AS author_email, ap.company_id AS author_company_id,
           r.model, r.res_id, r.name AS record_name, r.company_id AS record_company_id
    FROM outbox o
    JOIN messages m ON m.id = o.message_id
    JOIN records r ON r.id = m.record_id
    LEFT JOIN subtypes st ON st.id = m.subtype_id
    LEFT JOIN partners rp ON rp.id = o.partner_id
    LEFT JOIN users ru ON ru.partner_id = o.partner_id
    LEFT JOIN partners ap ON ap.id = m.author_partner_id
    WHERE o.id = any(${outboxIds}::bigint[])
    ORDER BY o.id`.execute(db);
  // The thread's first message, looked up once per record rather than once per email.
  const roots = await threadRoots(db, [...new Set(rows.map((r) => r.record_id))]);
  return rows.map((r) => ({
    outboxId: r.outbox_id,
    attempts: r.attempts,
    emailTo: r.email_to,
    recipient: { partnerId: r.partner_id, name: r.recipient_name, blacklisted: r.blacklisted ?? false, userRole: r.user_role },
    message: { id: r.message_id, kind: r.kind, subject: r.subject, bodyHtml: r.body_html, rfcMessageId: r.rfc_message_id, subtypeName: r.subtype_name },
    threadRootRfcMessageId: roots.get(r.record_id) === r.rfc_message_id ? null : (roots.get(r.record_id) ?? null),
    author: { name: r.author_name, email: r.author_email, companyId: r.author_company_id },
    record: { model: r.model, resId: r.res_id, name: r.record_name, companyId: r.record_company_id },
  }));
}

async function threadRoots(db: Db, recordIds: number[]): Promise<Map<number, string>> {
  const { rows } = await sql<{ record_id: number; rfc_message_id: string }>`
    SELECT DISTINCT ON (record_id) record_id, rfc_message_id FROM messages
    WHERE record_id = any(${recordIds}::bigint[]) ORDER BY record_id, id`.execute(db);
  return new Map(rows.map((r) => [r.record_id, r.rfc_message_id]));
}
