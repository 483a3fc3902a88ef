// Builds the people and records of a test through the real operations.
import { SYSTEM } from '../../src/chatter/actor.ts';
import type { ChatterDeps } from '../../src/chatter/deps.ts';
import { createPartner } from '../../src/chatter/partners.ts';
import { createUser } from '../../src/chatter/users.ts';
import type { OpenedDatabase } from '../../src/db/database.ts';
import type { NotificationPreference } from '../../src/db/schema.ts';
import { createLogger } from '../../src/log.ts';
import { openTestDatabase } from './database.ts';

export interface TestChatter {
  deps: ChatterDeps;
  database: OpenedDatabase;
  close(): Promise<void>;
}

export async function openTestChatter(): Promise<TestChatter> {
  const database = await openTestDatabase();
  const deps: ChatterDeps = { db: database.db, log: createLogger({ logLevel: 'silent' }) };
  return { deps, database, close: () => database.close() };
}

let counter = 0;

export async function internalUser(deps: ChatterDeps, name: string, notification: NotificationPreference = 'email') {
  counter += 1;
  const login = `${name.toLowerCase().replace(/\W+/g, '.')}.${counter}`;
  return createUser(deps, SYSTEM, { login, role: 'internal', notification, partner: { name, email: `${login}@company.example.com` } });
}

export async function portalUser(deps: ChatterDeps, name: string) {
  counter += 1;
  const login = `${name.toLowerCase().replace(/\W+/g, '.')}.${counter}`;
  return createUser(deps, SYSTEM, { login, role: 'portal', partner: { name, email: `${login}@customer.example.org` } });
}

export async function externalPartner(deps: ChatterDeps, name: string, email: string | null = `${name.toLowerCase().replace(/\W+/g, '.')}@customer.example.org`) {
  return createPartner(deps, SYSTEM, { name, email });
}

export { SYSTEM };
