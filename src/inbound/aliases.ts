// Aliases (seed 000 §3.3): `name@alias-domain` creates a record of a model (under a parent record
// whose followers follow it), or posts on one record; the contact policy says who may write.
import { requireSystem, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { requireRecord, type RecordRef } from '../chatter/lookups.ts';
import type { ContactPolicy } from '../db/schema.ts';
import { FacteurError } from '../errors.ts';
import { deleteAlias as deleteAliasRow, findAlias, findAliasDomainId, insertAlias, listAliases as listAliasRows, type AliasView } from './aliases.store.ts';

export interface AliasInput {
  /** The local part: `sales` for sales@domain. */
  name: string;
  /** One of the companies' alias domains. */
  domain: string;
  /** The model of the records it creates. */
  model: string;
  /** Post every message on this record instead of creating one. */
  record?: RecordRef | null | undefined;
  /** New records get this parent, whose followers follow them (a sales team). */
  parent?: RecordRef | null | undefined;
  contactPolicy?: ContactPolicy | undefined;
}

export type { AliasView };

/** RFC 5321 §4.1.2 dot-atom local part, without the `+` that reply tokens and VERP use. */
const LOCAL_PART = /^[a-z0-9!#$%&'*/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*/=?^_`{|}~-]+)*$/;
const RESERVED = /^(reply|bounce)$/;

export async function createAlias(deps: ChatterDeps, actor: Actor, input: AliasInput): Promise<AliasView> {
  requireSystem(actor, 'manage aliases');
  const name = input.name.trim().toLowerCase();
  if (!LOCAL_PART.test(name) || name.length > 64) {
    throw new FacteurError('VALIDATION_FAILED', `"${input.name}" is not a valid alias: use the part before the @, letters, digits, dots and dashes (at most 64).`);
  }
  if (RESERVED.test(name)) throw new FacteurError('VALIDATION_FAILED', `"${name}" is reserved for reply tokens and bounces; choose another alias name.`);
  const domain = input.domain.trim().toLowerCase();
  const aliasDomainId = await findAliasDomainId(deps.db, domain);
  if (aliasDomainId === undefined) {
    throw new FacteurError('VALIDATION_FAILED', `"${domain}" is not the alias domain of any company; set it on the company first.`);
  }
  const record = input.record ? await requireRecord(deps.db, input.record) : null;
  const parent = input.parent ? await requireRecord(deps.db, input.parent) : null;
  const id = await insertAlias(deps.db, {
    aliasDomainId,
    name,
    model: input.model,
    recordId: record?.id ?? null,
    parentRecordId: parent?.id ?? null,
    contactPolicy: input.contactPolicy ?? 'everyone',
  });
  if (id === null) throw new FacteurError('DUPLICATE', `The alias ${name}@${domain} already exists.`);
  deps.log.info({ aliasId: id, alias: `${name}@${domain}`, model: input.model }, 'alias created');
  return (await findAlias(deps.db, id))!;
}

export async function listAliases(deps: ChatterDeps, actor: Actor): Promise<AliasView[]> {
  requireSystem(actor, 'manage aliases');
  return listAliasRows(deps.db);
}

export async function removeAlias(deps: ChatterDeps, actor: Actor, id: number): Promise<void> {
  requireSystem(actor, 'manage aliases');
  if (!(await deleteAliasRow(deps.db, id))) throw new FacteurError('ALIAS_NOT_FOUND', `There is no alias ${id}.`);
  deps.log.info({ aliasId: id }, 'alias removed');
}
