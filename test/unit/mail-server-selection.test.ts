import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseServer, fromFilterMatches, notificationsFrom, type ServerCandidate } from '../../src/mail/rules/server-selection.ts';

describe('fromFilterMatches', () => {
  test('an address filter matches that address only, whatever the case', () => {
    assert.equal(fromFilterMatches('john@esempio.com', 'john@esempio.com'), true);
    assert.equal(fromFilterMatches(' John@Esempio.COM ', 'JOHN@esempio.com '), true);
    assert.equal(fromFilterMatches('john@esempio.com', 'jane@esempio.com'), false);
    assert.equal(fromFilterMatches('john@esempio.com', 'john@esempio.com.evil.net'), false);
  });

  test('a domain filter matches the part after "@" exactly: no subdomains, no suffixes', () => {
    assert.equal(fromFilterMatches('esempio.com', 'jane@esempio.com'), true);
    assert.equal(fromFilterMatches('ESEMPIO.com', 'Jane@Esempio.Com'), true);
    assert.equal(fromFilterMatches('esempio.com', 'jane@mail.esempio.com'), false);
    assert.equal(fromFilterMatches('esempio.com', 'jane@notesempio.com'), false);
    assert.equal(fromFilterMatches('esempio.com', 'esempio.com'), false);
    assert.equal(fromFilterMatches('esempio.com', 'jane@'), false);
  });

  test('a leading "@" in a domain entry is tolerated', () => {
    assert.equal(fromFilterMatches('@esempio.com', 'jane@esempio.com'), true);
  });

  test('several comma-separated entries, addresses and domains mixed', () => {
    const filter = 'notifiche@esempio.com, example.org ,,  other.net';
    assert.equal(fromFilterMatches(filter, 'notifiche@esempio.com'), true);
    assert.equal(fromFilterMatches(filter, 'anyone@example.org'), true);
    assert.equal(fromFilterMatches(filter, 'anyone@other.net'), true);
    assert.equal(fromFilterMatches(filter, 'jane@esempio.com'), false);
  });

  test('a blank filter restricts nothing (Odoo: no filter, any sender)', () => {
    for (const filter of ['', '  ', ',', ' , ']) assert.equal(fromFilterMatches(filter, 'anyone@anywhere.test'), true, JSON.stringify(filter));
  });
});

const server = (id: number, fromFilter: string | null, sequence = 10): ServerCandidate => ({ id, fromFilter, sequence });

describe('chooseServer', () => {
  // Seed 003, "Configurazione specifica per l'utente": one server per user plus a notifications server.
  const perUser = [server(1, 'john@esempio.com'), server(2, 'jane@esempio.com'), server(3, 'notifiche@esempio.com')];

  test('1. the server whose filter is the author\'s exact address', () => {
    assert.deepEqual(chooseServer(perUser, 'Jane@Esempio.com', 'notifiche@esempio.com'), { kind: 'server', serverId: 2, sendAs: 'author', rule: 'exact-address' });
  });

  test('an exact address wins over a domain, even on a lower-sequence server', () => {
    const servers = [server(1, 'esempio.com', 1), server(2, 'jane@esempio.com', 50)];
    assert.deepEqual(chooseServer(servers, 'jane@esempio.com', null), { kind: 'server', serverId: 2, sendAs: 'author', rule: 'exact-address' });
  });

  test('2. else the server whose filter is the author\'s domain', () => {
    const servers = [...perUser, server(4, 'example.org, esempio.com')];
    assert.deepEqual(chooseServer(servers, 'mario@esempio.com', 'notifiche@esempio.com'), { kind: 'server', serverId: 4, sendAs: 'author', rule: 'domain' });
  });

  test('3. else the notifications address\'s server, sending as notifications', () => {
    assert.deepEqual(chooseServer(perUser, 'customer@gmail.test', 'notifiche@esempio.com'), { kind: 'server', serverId: 3, sendAs: 'notifications', rule: 'notifications-address' });
    const byDomain = [server(5, 'esempio.com')];
    assert.deepEqual(chooseServer(byDomain, 'customer@gmail.test', 'notifiche@esempio.com'), { kind: 'server', serverId: 5, sendAs: 'notifications', rule: 'notifications-address' });
  });

  test('for the notifications address too, an exact address wins over a domain', () => {
    const servers = [server(1, 'esempio.com', 1), server(2, 'notifiche@esempio.com', 9)];
    assert.deepEqual(chooseServer(servers, 'x@elsewhere.test', 'notifiche@esempio.com'), { kind: 'server', serverId: 2, sendAs: 'notifications', rule: 'notifications-address' });
  });

  test('the notifications server comes before a server without filter', () => {
    const servers = [server(9, null, 1), ...perUser];
    assert.deepEqual(chooseServer(servers, 'customer@gmail.test', 'notifiche@esempio.com'), { kind: 'server', serverId: 3, sendAs: 'notifications', rule: 'notifications-address' });
  });

  test('4. else a server without filter (null or blank), sending as the author', () => {
    for (const fromFilter of [null, '', ' , ']) {
      const servers = [server(1, 'john@esempio.com'), server(7, fromFilter)];
      assert.deepEqual(chooseServer(servers, 'customer@gmail.test', 'notifiche@esempio.com'), { kind: 'server', serverId: 7, sendAs: 'author', rule: 'no-filter' });
    }
  });

  test('seed 003 single shared server: every author goes out as notifications', () => {
    const shared = [server(1, 'notifiche@esempio.com')];
    for (const author of ['john@esempio.com', 'customer@gmail.test', null]) {
      assert.deepEqual(chooseServer(shared, author, 'notifiche@esempio.com'), { kind: 'server', serverId: 1, sendAs: 'notifications', rule: 'notifications-address' });
    }
  });

  test('without an author address (a bot), skips the author steps', () => {
    assert.deepEqual(chooseServer([server(1, null)], null, 'notifiche@esempio.com'), { kind: 'server', serverId: 1, sendAs: 'notifications', rule: 'no-filter' });
    assert.deepEqual(chooseServer([server(1, null)], '  ', 'notifiche@esempio.com'), { kind: 'server', serverId: 1, sendAs: 'notifications', rule: 'no-filter' });
    assert.deepEqual(chooseServer([server(1, null)], null, null), { kind: 'none' });
  });

  test('none: no server, or only servers filtered for others', () => {
    assert.deepEqual(chooseServer([], 'john@esempio.com', 'notifiche@esempio.com'), { kind: 'none' });
    assert.deepEqual(chooseServer(perUser, 'customer@gmail.test', null), { kind: 'none' });
    assert.deepEqual(chooseServer(perUser, 'customer@gmail.test', 'noreply@other.test'), { kind: 'none' });
  });

  test('no subdomain wildcard: a server for esempio.com does not send for mail.esempio.com', () => {
    assert.deepEqual(chooseServer([server(1, 'esempio.com')], 'x@mail.esempio.com', null), { kind: 'none' });
  });

  test('ties: lowest sequence, then lowest id, whatever the input order', () => {
    const servers = [server(8, 'esempio.com', 5), server(4, 'esempio.com', 5), server(2, 'esempio.com', 20)];
    assert.equal((chooseServer(servers, 'a@esempio.com', null) as { serverId: number }).serverId, 4);
    assert.equal((chooseServer([...servers].reverse(), 'a@esempio.com', null) as { serverId: number }).serverId, 4);
    const open = [server(3, null, 2), server(1, null, 2), server(0, null, 3)];
    assert.equal((chooseServer(open, 'a@b.test', null) as { serverId: number }).serverId, 1);
  });

  test('does not reorder the caller\'s array', () => {
    const servers = [server(2, null, 9), server(1, null, 1)];
    chooseServer(servers, 'a@b.test', null);
    assert.deepEqual(servers.map((s) => s.id), [2, 1]);
  });
});

describe('notificationsFrom', () => {
  test('keeps the author\'s name on the notifications address (seed 003, seed 000 §13.1)', () => {
    assert.deepEqual(notificationsFrom('Mitchell Admin', 'notifiche@esempio.com'), { name: 'Mitchell Admin', address: 'notifiche@esempio.com' });
    assert.deepEqual(notificationsFrom('  Jane  ', ' notifiche@esempio.com '), { name: 'Jane', address: 'notifiche@esempio.com' });
  });

  test('no name when the author has none', () => {
    assert.deepEqual(notificationsFrom(null, 'notifiche@esempio.com'), { name: null, address: 'notifiche@esempio.com' });
    assert.deepEqual(notificationsFrom('   ', 'notifiche@esempio.com'), { name: null, address: 'notifiche@esempio.com' });
  });
});
