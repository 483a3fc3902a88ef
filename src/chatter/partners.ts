import { FacteurError } from '../errors.ts';
import { requireInternal, type Actor } from './actor.ts';
import type { ChatterDeps } from './deps.ts';
import { requireCompany, requirePartners } from './lookups.ts';
import { insertPartner, searchPartners as searchPartnerRows, updatePartner as updatePartnerRow, type PartnerRow, type PartnerValues } from './partners.store.ts';
import { isValidEmail, normalizeEmail } from './rules/email.ts';
import type { Db } from '../db/database.ts';

export interface PartnerInput {
  name: string;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  lang?: string | undefined;
  companyId?: number | null | undefined;
}

export async function partnerValues(db: Db, input: PartnerInput): Promise<PartnerValues> {
  const email = input.email?.trim() || null;
  if (email !== null && !isValidEmail(email)) {
    throw new FacteurError('INVALID_EMAIL', `"${email}" is not a valid email address.`, { email });
  }
  if (input.companyId != null) await requireCompany(db, input.companyId);
  return {
    name: input.name.trim(),
    email,
    emailNormalized: email && normalizeEmail(email),
    phone: input.phone?.trim() || null,
    lang: input.lang ?? 'en',
    companyId: input.companyId ?? null,
  };
}

export async function createPartner(deps: ChatterDeps, actor: Actor, input: PartnerInput): Promise<PartnerRow> {
  requireInternal(actor, 'create contacts');
  const id = await deps.db.transaction().execute(async (tx) => insertPartner(tx, await partnerValues(tx, input)));
  deps.log.info({ partnerId: id }, 'partner created');
  return findPartner(deps, id);
}

export async function updatePartner(deps: ChatterDeps, actor: Actor, id: number, input: Partial<PartnerInput>): Promise<PartnerRow> {
  requireInternal(actor, 'change contacts');
  await deps.db.transaction().execute(async (tx) => {
    const [current] = await requirePartners(tx, [id]);
    const merged: PartnerInput = { ...current!, ...input, name: input.name ?? current!.name };
    await updatePartnerRow(tx, id, await partnerValues(tx, merged));
  });
  return findPartner(deps, id);
}

async function findPartner(deps: ChatterDeps, id: number): Promise<PartnerRow> {
  const [partner] = await requirePartners(deps.db, [id]);
  return partner!;
}

/** Anyone may read their own partner; only staff read the others. */
export async function getPartner(deps: ChatterDeps, actor: Actor, id: number): Promise<PartnerRow> {
  if (!(actor.kind === 'user' && actor.user.partnerId === id)) requireInternal(actor, 'read other contacts');
  return findPartner(deps, id);
}

export async function searchPartners(deps: ChatterDeps, actor: Actor, query: { text?: string | undefined; limit: number; offset: number }): Promise<PartnerRow[]> {
  requireInternal(actor, 'search contacts');
  return searchPartnerRows(deps.db, query.text, query.limit, query.offset);
}
