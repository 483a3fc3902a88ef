// Find-or-fail helpers shared by the chatter operations: one clear error per missing thing.
import type { Db } from '../db/database.ts';
import { FacteurError } from '../errors.ts';
import { findCompanies, type CompanyRow } from './companies.store.ts';
import { findPartners, type PartnerRow } from './partners.store.ts';
import { findRecordByRef, type RecordRow } from './records.store.ts';
import { listSubtypes, type SubtypeRow } from './subtypes.store.ts';
import { findUsers, type UserRow } from './users.store.ts';
import { appliesTo } from './rules/subscriptions.ts';

export interface RecordRef {
  model: string;
  resId: string;
}

export async function requireRecord(db: Db, ref: RecordRef): Promise<RecordRow> {
  const record = await findRecordByRef(db, ref.model, ref.resId);
  if (!record) {
    throw new FacteurError('RECORD_NOT_FOUND', `No record ${ref.model} ${ref.resId} is registered; register it first with PUT /api/records/${ref.model}/${ref.resId}.`, { ...ref });
  }
  return record;
}

export async function requireCompany(db: Db, id: number): Promise<CompanyRow> {
  const [company] = await findCompanies(db, [id]);
  if (!company) throw new FacteurError('COMPANY_NOT_FOUND', `No company has id ${id}.`, { companyId: id });
  return company;
}

export async function requireUser(db: Db, id: number): Promise<UserRow> {
  const [user] = await findUsers(db, [id]);
  if (!user) throw new FacteurError('USER_NOT_FOUND', `No user has id ${id}.`, { userId: id });
  return user;
}

/** All the partners, in the order asked, or an error naming every id that does not exist. */
export async function requirePartners(db: Db, ids: number[], code: 'PARTNER_NOT_FOUND' | 'UNKNOWN_MENTION' = 'PARTNER_NOT_FOUND'): Promise<PartnerRow[]> {
  const unique = [...new Set(ids)];
  const found = new Map((await findPartners(db, unique)).map((p) => [p.id, p]));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    const what = code === 'UNKNOWN_MENTION' ? 'The message mentions a partner that does not exist' : 'No partner has this id';
    throw new FacteurError(code, `${what}: ${missing.join(', ')}.`, { partnerIds: missing });
  }
  return unique.map((id) => found.get(id)!);
}

/** A subtype code resolved for a model: the model's own subtype wins over a generic one of the same code. */
export function subtypeByCode(subtypes: SubtypeRow[], code: string, model: string): SubtypeRow {
  const candidates = subtypes.filter((s) => s.code === code && appliesTo(s, model));
  const subtype = candidates.find((s) => s.model === model) ?? candidates[0];
  if (!subtype) {
    throw new FacteurError('SUBTYPE_NOT_FOUND', `No subtype "${code}" applies to records of model ${model}.`, { code, model });
  }
  return subtype;
}

export async function requireSubtypes(db: Db, codes: string[], model: string): Promise<SubtypeRow[]> {
  const all = await listSubtypes(db);
  return [...new Set(codes)].map((code) => subtypeByCode(all, code, model));
}
