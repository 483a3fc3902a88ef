// Outgoing servers (seed 000 §3.1, seed 003): configuration, sealed passwords, access, and "Test
// connection" against real SMTP servers (smtp-server) on loopback.
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { Actor } from '../../src/chatter/actor.ts';
import { loadConfig } from '../../src/config.ts';
import type { MailDeps } from '../../src/mail/deps.ts';
import {
  activeServersForSending,
  createServer,
  deleteServer,
  getServer,
  listServers,
  testServerConnection,
  transportOptions,
  updateServer,
} from '../../src/mail/servers.ts';
import { createSecretBox } from '../../src/secrets/secretBox.ts';
import { SYSTEM, internalUser, openTestChatter, portalUser, type TestChatter } from '../helpers/chatter.ts';

const USER = 'notifications@example.com';
const PASSWORD = 'correct horse battery staple';
const REFUSAL = 'Authentication refused: wrong login or password';

/** A real SMTP server on 127.0.0.1 that requires AUTH (no STARTTLS) and accepts one login. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number }> {
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: auth.username });
      const error = Object.assign(new Error(REFUSAL), { responseCode: 535 });
      return callback(error);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return { server, port };
}

/** A loopback port where nothing listens: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('outgoing servers', () => {
  let t: TestChatter;
  let deps: MailDeps;
  let staff: Actor;
  let customer: Actor;
  let smtp: { server: SMTPServer; port: number };

  before(async () => {
    t = await openTestChatter();
    deps = { ...t.deps, secrets: createSecretBox(Buffer.alloc(32, 1).toString('base64')), config: loadConfig({ LOG_LEVEL: 'silent' }) };
    staff = { kind: 'user', user: await internalUser(t.deps, 'Staff') };
    customer = { kind: 'user', user: await portalUser(t.deps, 'Customer') };
    smtp = await startSmtp();
  });
  after(async () => {
    await new Promise<void>((resolve) => (smtp ? smtp.server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  test('the password is stored sealed, opens back to itself, and is never returned', async () => {
    const created = await createServer(deps, SYSTEM, {
      name: 'Notifications',
      host: 'SMTP.Example.com',
      username: USER,
      password: PASSWORD,
      fromFilter: ' Notifications@Example.com ',
    });
    assert.equal(created.hasPassword, true);
    assert.equal(created.host, 'smtp.example.com');
    assert.equal(created.port, 587, 'starttls by default, on 587');
    assert.equal(created.security, 'starttls');
    assert.equal(created.fromFilter, 'notifications@example.com');
    assert.equal(created.sequence, 10);
    assert.equal(created.active, true);
    assert.ok(!('password' in created) && !('passwordEncrypted' in created));
    assert.ok(!JSON.stringify(created).includes(PASSWORD));

    const row = await t.database.db.selectFrom('outgoing_servers').select('password_encrypted').where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.ok(row.password_encrypted);
    assert.notEqual(row.password_encrypted, PASSWORD);
    assert.ok(!row.password_encrypted.includes(PASSWORD));
    assert.equal(deps.secrets.open(row.password_encrypted), PASSWORD);

    for (const view of [await getServer(deps, SYSTEM, created.id), ...(await listServers(deps, SYSTEM))]) {
      assert.ok(!JSON.stringify(view).includes(PASSWORD));
      assert.ok(!JSON.stringify(view).includes(row.password_encrypted));
    }

    // Changing something else keeps the password; null removes it.
    const renamed = await updateServer(deps, SYSTEM, created.id, { name: 'Notifications (EU)' });
    assert.equal(renamed.hasPassword, true);
    const sending = (await activeServersForSending(deps)).find((s) => s.id === created.id);
    assert.equal(sending?.password, PASSWORD);
    assert.equal((await updateServer(deps, SYSTEM, created.id, { password: null })).hasPassword, false);
    await deleteServer(deps, SYSTEM, created.id);
  });

  test('ports follow the security: 587 starttls, 465 tls, 25 none; a chosen port is kept', async () => {
    const tls = await createServer(deps, SYSTEM, { name: 'TLS', host: 'smtp.example.com', security: 'tls' });
    assert.equal(tls.port, 465);
    const plain = await createServer(deps, SYSTEM, { name: 'Plain', host: '192.0.2.10', security: 'none' });
    assert.equal(plain.port, 25);
    assert.equal((await updateServer(deps, SYSTEM, tls.id, { security: 'starttls' })).port, 587, 'a default port follows the security');
    const custom = await createServer(deps, SYSTEM, { name: 'Custom', host: 'mail.example.com', port: 2525 });
    assert.equal((await updateServer(deps, SYSTEM, custom.id, { security: 'tls' })).port, 2525, 'a chosen port stays');
    for (const s of [tls, plain, custom]) await deleteServer(deps, SYSTEM, s.id);
  });

  test('transport options follow the security and log in only with a username', () => {
    const base = { id: 1, name: 'x', kind: 'smtp' as const, host: 'smtp.example.com', username: null, password: null, fromFilter: null, sequence: 10, deleteAfterDelivery: false, replyTokenSecret: null };
    const tls = transportOptions({ ...base, port: 465, security: 'tls' });
    assert.equal(tls.secure, true);
    assert.equal(tls.requireTLS, false);
    assert.equal(tls.pool, true);
    assert.equal(tls.auth, undefined);
    const starttls = transportOptions({ ...base, port: 587, security: 'starttls', username: 'u', password: 'p' });
    assert.deepEqual([starttls.secure, starttls.requireTLS, starttls.ignoreTLS], [false, true, false]);
    assert.deepEqual(starttls.auth, { user: 'u', pass: 'p' });
    const none = transportOptions({ ...base, port: 25, security: 'none' });
    assert.deepEqual([none.secure, none.requireTLS, none.ignoreTLS], [false, false, true]);
    assert.ok(none.connectionTimeout! > 0 && none.greetingTimeout! > 0 && none.socketTimeout! > 0);
    assert.throws(() => transportOptions({ ...base, kind: 'catcher', host: null, port: null, security: 'none' }));
  });

  test('bad hosts, ports and From filters are refused with a message a person understands', async () => {
    const cases: [Parameters<typeof createServer>[2], RegExp][] = [
      [{ name: 'No host' }, /needs a host/],
      [{ name: 'URL', host: 'smtp://smtp.example.com' }, /without smtp:\/\//],
      [{ name: 'Port in host', host: 'smtp.example.com:587' }, /port field/],
      [{ name: 'Bad host', host: 'smtp_example!.com' }, /not a valid host name/],
      [{ name: 'Bad port', host: 'smtp.example.com', port: 70000 }, /1 to 65535/],
      [{ name: 'Bad filter', host: 'smtp.example.com', fromFilter: 'notifications' }, /neither an email address nor a domain/],
      [{ name: 'Bad address', host: 'smtp.example.com', fromFilter: 'example.com, john@@example.com' }, /not a valid email address/],
      [{ name: '  ', host: 'smtp.example.com' }, /needs a name/],
      [{ name: 'Huge sequence', host: 'smtp.example.com', sequence: 2 ** 40 }, /32-bit/],
      [{ name: 'Password alone', host: 'smtp.example.com', password: 'x' }, /needs a username/],
      [{ name: 'Catcher with host', kind: 'catcher', host: 'smtp.example.com' }, /catcher/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(createServer(deps, SYSTEM, input), (error: { code?: string; message?: string }) => {
        assert.equal(error.code, 'VALIDATION_FAILED', `${input.name}: ${error.message}`);
        assert.match(error.message!, message);
        return true;
      });
    }
    assert.equal((await listServers(deps, SYSTEM)).length, 0, 'nothing refused was written');
  });

  test('From filters: an address, a domain, or a list of them, normalized', async () => {
    const list = await createServer(deps, SYSTEM, { name: 'List', host: '127.0.0.1', fromFilter: 'John@Example.com, @example.org ,example.net,' });
    assert.equal(list.fromFilter, 'john@example.com,example.org,example.net');
    assert.equal((await updateServer(deps, SYSTEM, list.id, { fromFilter: '' })).fromFilter, null, 'empty: anyone');
    await deleteServer(deps, SYSTEM, list.id);
  });

  test('the catcher has no host nor credentials; switching to it drops them', async () => {
    const catcher = await createServer(deps, SYSTEM, { name: 'Catcher', kind: 'catcher' });
    assert.deepEqual([catcher.host, catcher.port, catcher.username, catcher.hasPassword], [null, null, null, false]);
    assert.deepEqual(await testServerConnection(deps, SYSTEM, catcher.id), { ok: true });
    const smtpServer = await createServer(deps, SYSTEM, { name: 'Was SMTP', host: 'smtp.example.com', username: 'u', password: 'p' });
    const switched = await updateServer(deps, SYSTEM, smtpServer.id, { kind: 'catcher' });
    assert.deepEqual([switched.kind, switched.host, switched.port, switched.username, switched.hasPassword], ['catcher', null, null, null, false]);
    await assert.rejects(updateServer(deps, SYSTEM, catcher.id, { kind: 'smtp' }), { code: 'VALIDATION_FAILED', message: /needs a host/ });
    const back = await updateServer(deps, SYSTEM, catcher.id, { kind: 'smtp', host: 'smtp.example.com' });
    assert.deepEqual([back.security, back.port], ['starttls', 587], 'a catcher becoming SMTP starts from STARTTLS on 587');
    await deleteServer(deps, SYSTEM, catcher.id);
    await deleteServer(deps, SYSTEM, smtpServer.id);
  });

  test('the servers to send through: active ones only, by sequence then id, passwords decrypted', async () => {
    const late = await createServer(deps, SYSTEM, { name: 'Late', host: 'b.example.com', sequence: 20, username: 'b', password: 'pb' });
    const early = await createServer(deps, SYSTEM, { name: 'Early', host: 'a.example.com', sequence: 5, username: 'a', password: 'pa', deleteAfterDelivery: true });
    const off = await createServer(deps, SYSTEM, { name: 'Off', host: 'c.example.com', active: false });
    const sameSequence = await createServer(deps, SYSTEM, { name: 'Same', kind: 'catcher', sequence: 20 });
    const servers = await activeServersForSending(deps);
    assert.deepEqual(servers.map((s) => s.id), [early.id, late.id, sameSequence.id]);
    assert.deepEqual(servers[0], {
      id: early.id,
      name: 'Early',
      kind: 'smtp',
      host: 'a.example.com',
      port: 587,
      security: 'starttls',
      username: 'a',
      password: 'pa',
      fromFilter: null,
      sequence: 5,
      deleteAfterDelivery: true,
      replyTokenSecret: null,
    });
    assert.deepEqual((await listServers(deps, SYSTEM)).map((s) => s.id), [early.id, off.id, late.id, sameSequence.id], 'the list shows inactive ones too');
    for (const s of [late, early, off, sameSequence]) await deleteServer(deps, SYSTEM, s.id);
  });

  test('administration is the host application\'s; internal users may read, portal users may not', async () => {
    const created = await createServer(deps, SYSTEM, { name: 'Shared', host: 'smtp.example.com' });
    await assert.rejects(createServer(deps, staff, { name: 'X', host: 'smtp.example.com' }), { code: 'FORBIDDEN' });
    await assert.rejects(updateServer(deps, staff, created.id, { name: 'Y' }), { code: 'FORBIDDEN' });
    await assert.rejects(deleteServer(deps, staff, created.id), { code: 'FORBIDDEN' });
    await assert.rejects(testServerConnection(deps, staff, created.id), { code: 'FORBIDDEN' });
    assert.equal((await getServer(deps, staff, created.id)).name, 'Shared');
    assert.ok((await listServers(deps, staff)).some((s) => s.id === created.id));
    await assert.rejects(listServers(deps, customer), { code: 'FORBIDDEN' });
    await assert.rejects(getServer(deps, customer, created.id), { code: 'FORBIDDEN' });
    await deleteServer(deps, SYSTEM, created.id);
    await assert.rejects(getServer(deps, SYSTEM, created.id), { code: 'SERVER_NOT_FOUND' });
    await assert.rejects(updateServer(deps, SYSTEM, created.id, { name: 'Z' }), { code: 'SERVER_NOT_FOUND' });
    await assert.rejects(deleteServer(deps, SYSTEM, created.id), { code: 'SERVER_NOT_FOUND' });
    await assert.rejects(testServerConnection(deps, SYSTEM, created.id), { code: 'SERVER_NOT_FOUND' });
  });

  test('Test connection: the right login is ok', async () => {
    const server = await createServer(deps, SYSTEM, { name: 'Loopback', host: '127.0.0.1', port: smtp.port, security: 'none', username: USER, password: PASSWORD });
    assert.deepEqual(await testServerConnection(deps, SYSTEM, server.id), { ok: true });
    await deleteServer(deps, SYSTEM, server.id);
  });

  test('Test connection: a wrong password fails in the server\'s own words', async () => {
    const server = await createServer(deps, SYSTEM, { name: 'Loopback', host: '127.0.0.1', port: smtp.port, security: 'none', username: USER, password: 'wrong' });
    const result = await testServerConnection(deps, SYSTEM, server.id);
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, new RegExp(`refused the login: 535 ${REFUSAL}`));
    await deleteServer(deps, SYSTEM, server.id);
  });

  test('Test connection: STARTTLS required but not offered fails with a readable reason', async () => {
    const server = await createServer(deps, SYSTEM, { name: 'Loopback', host: '127.0.0.1', port: smtp.port, security: 'starttls', username: USER, password: PASSWORD });
    const result = await testServerConnection(deps, SYSTEM, server.id);
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, /refused STARTTLS: 500 .*not recognized/);
    await deleteServer(deps, SYSTEM, server.id);
  });

  test('Test connection: nothing listening fails with a readable reason', async () => {
    const port = await closedPort();
    const server = await createServer(deps, SYSTEM, { name: 'Nobody', host: '127.0.0.1', port, security: 'none', username: USER, password: PASSWORD });
    const started = Date.now();
    const result = await testServerConnection(deps, SYSTEM, server.id);
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, new RegExp(`127\\.0\\.0\\.1:${port}.*connection refused`));
    assert.ok(Date.now() - started < 10_000);
    await deleteServer(deps, SYSTEM, server.id);
  });

  test('a password sealed under another master key is reported, and its server is left out of sending', async () => {
    const server = await createServer(deps, SYSTEM, { name: 'Old key', host: '127.0.0.1', port: smtp.port, security: 'none', username: USER, password: PASSWORD });
    const otherKey: MailDeps = { ...deps, secrets: createSecretBox(Buffer.alloc(32, 2).toString('base64')) };
    const result = await testServerConnection(otherKey, SYSTEM, server.id);
    assert.equal(result.ok, false);
    assert.match((result as { reason: string }).reason, /cannot be decrypted/);
    // The other servers keep carrying mail: only this one is skipped (and logged).
    assert.ok(!(await activeServersForSending(otherKey)).some((s) => s.id === server.id));
    assert.ok((await activeServersForSending(deps)).some((s) => s.id === server.id));
    await deleteServer(deps, SYSTEM, server.id);
  });
});
