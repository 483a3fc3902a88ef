import type { Db } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { FacteurError } from '../errors.ts';
import { requireInternal, requireSystem, type Actor } from './actor.ts';
import { findCompanies, insertCompany, isAliasDomainTaken, updateCompanyName, upsertAliasDomain, type AliasDomainRow, type CompanyRow } from './companies.store.ts';
import type { ChatterDeps } from './deps.ts';
import { requireCompany } from './lookups.ts';

export interface CompanyInput {
  name: string;
  aliasDomain?: Partial<AliasDomainRow> & { domain: string };
}

function aliasDomainOf(input: CompanyInput['aliasDomain']): AliasDomainRow | undefined {
  if (!input) return undefined;
  return {
    domain: input.domain.trim().toLowerCase(),
    catchall: input.catchall ?? 'catchall',
    bounce: input.bounce ?? 'bounce',
    defaultFrom: input.defaultFrom ?? 'notifications',
  };
}

export async function createCompany(deps: ChatterDeps, actor: Actor, input: CompanyInput): Promise<CompanyRow> {
  requireSystem(actor, 'create companies');
  const alias = aliasDomainOf(input.aliasDomain);
  const id = await inTransactionOrDuplicate(deps, alias?.domain, async (tx) => {
    if (alias && (await isAliasDomainTaken(tx, alias.domain, null))) {
      throw new FacteurError('DUPLICATE', `The alias domain ${alias.domain} already belongs to another company.`, { domain: alias.domain });
    }
    const companyId = await insertCompany(tx, input.name);
    if (alias) await upsertAliasDomain(tx, companyId, alias);
    return companyId;
  });
  deps.log.info({ companyId: id, aliasDomain: alias?.domain }, 'company created');
  return requireCompany(deps.db, id);
}

export async function updateCompany(deps: ChatterDeps, actor: Actor, id: number, input: Partial<CompanyInput>): Promise<CompanyRow> {
  requireSystem(actor, 'change companies');
  await inTransactionOrDuplicate(deps, input.aliasDomain?.domain, async (tx) => {
    const company = await requireCompany(tx, id);
    if (input.name !== undefined) await updateCompanyName(tx, id, input.name);
    const alias = aliasDomainOf(input.aliasDomain && { ...company.aliasDomain, ...input.aliasDomain });
    if (alias) {
      if (await isAliasDomainTaken(tx, alias.domain, id)) {
        throw new FacteurError('DUPLICATE', `The alias domain ${alias.domain} already belongs to another company.`, { domain: alias.domain });
      }
      await upsertAliasDomain(tx, id, alias);
    }
  });
  return requireCompany(deps.db, id);
}

export async function listCompanies(deps: ChatterDeps, actor: Actor): Promise<CompanyRow[]> {
  requireInternal(actor, 'list companies');
  return findCompanies(deps.db);
}

export async function getCompany(deps: ChatterDeps, actor: Actor, id: number): Promise<CompanyRow> {
  requireInternal(actor, 'read companies');
  return requireCompany(deps.db, id);
}

/** Two companies claiming one alias domain at the same moment: the loser gets DUPLICATE, not a crash. */
async function inTransactionOrDuplicate<T>(deps: ChatterDeps, domain: string | undefined, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await deps.db.transaction().execute(work);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new FacteurError('DUPLICATE', `The alias domain ${domain ?? ''} already belongs to another company.`, { domain });
  }
}
