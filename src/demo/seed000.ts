// The example of seed 000 §12, so that a newcomer can try every call of the README on real data:
// quotation sale.order 23 "S00023" of the sales team "Europe", followed by
//   User 1 and User 2 (internal, discussions + notes, through the team's subscription, §1.4),
//   Monsieur Client (external, discussions + notes: added by hand, §6) and
//   Madame Contact (external, discussions only: the default).
import { SYSTEM } from '../chatter/actor.ts';
import { createCompany } from '../chatter/companies.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { followRecord } from '../chatter/followers.ts';
import { createPartner } from '../chatter/partners.ts';
import { findRecordByRef } from '../chatter/records.store.ts';
import { registerRecord } from '../chatter/records.ts';
import { createSubtype } from '../chatter/subtypes.ts';
import { createUser } from '../chatter/users.ts';

export interface DemoSummary {
  alreadyLoaded: boolean;
  record: { model: string; resId: string };
  users: Record<'administrator' | 'user1' | 'user2', { userId: number; partnerId: number }>;
  partners: Record<'monsieurClient' | 'madameContact', number>;
}

export async function loadDemo(deps: ChatterDeps): Promise<DemoSummary | { alreadyLoaded: true; record: { model: string; resId: string } }> {
  const record = { model: 'sale.order', resId: '23' };
  if (await findRecordByRef(deps.db, record.model, record.resId)) return { alreadyLoaded: true, record };

  const company = await createCompany(deps, SYSTEM, { name: 'Demo Company', aliasDomain: { domain: 'demo.example.com' } });
  const internal = (login: string, name: string, isAdmin = false) =>
    createUser(deps, SYSTEM, { login, role: 'internal', notification: 'email', isAdmin, partner: { name, email: `${login}@demo.example.com`, companyId: company.id } });
  // The web UI's administrator; `facteur start` gives them a password if none is set yet.
  const administrator = await internal('admin', 'Administrator', true);
  const user1 = await internal('user1', 'User 1');
  const user2 = await internal('user2', 'User 2');
  const monsieurClient = await createPartner(deps, SYSTEM, { name: 'Monsieur Client', email: 'monsieur.client@client.example.org', lang: 'fr_FR' });
  const madameContact = await createPartner(deps, SYSTEM, { name: 'Madame Contact', email: 'madame.contact@client.example.org', lang: 'fr_FR' });

  // A team subtype that propagates to the team's quotations (seed 000 §1.4).
  await createSubtype(deps, SYSTEM, { code: 'quotation_sent', name: 'Quotation sent', model: 'crm.team', description: 'A quotation of the team was sent' });
  await createSubtype(deps, SYSTEM, { code: 'quotation_sent', name: 'Quotation sent', model: 'sale.order', isDefault: false, parent: { code: 'quotation_sent', model: 'crm.team' } });

  const team = { model: 'crm.team', resId: '1' };
  await registerRecord(deps, SYSTEM, { ...team, name: 'Europe', companyId: company.id });
  for (const user of [user1, user2]) {
    await followRecord(deps, SYSTEM, team, { partnerId: user.partnerId, subtypes: ['discussion', 'note', 'quotation_sent'] });
  }
  // Created by User 1, the salesperson: the team's followers follow it with the propagated subtypes (§4).
  await registerRecord(deps, SYSTEM, { ...record, name: 'S00023', companyId: company.id, responsibleUserId: user1.id, createdByUserId: user1.id, parent: team });
  await followRecord(deps, SYSTEM, record, { partnerId: monsieurClient.id, subtypes: ['discussion', 'note'] });
  await followRecord(deps, SYSTEM, record, { partnerId: madameContact.id });

  deps.log.info({ model: record.model, resId: record.resId }, 'demo loaded');
  return {
    alreadyLoaded: false,
    record,
    users: {
      administrator: { userId: administrator.id, partnerId: administrator.partnerId },
      user1: { userId: user1.id, partnerId: user1.partnerId },
      user2: { userId: user2.id, partnerId: user2.partnerId },
    },
    partners: { monsieurClient: monsieurClient.id, madameContact: madameContact.id },
  };
}
