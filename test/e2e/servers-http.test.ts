// Outgoing servers through the real HTTP API, with "Test connection" against a real SMTP server on
// loopback: what a host application configuring Facteur would see. Passwords go in, never out.
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { startTestServer, type HttpClient, type TestServer } from '../helpers/http.ts';

const USER = 'notifications@example.com';
const PASSWORD = 'S3cret-over-HTTP';
const REFUSAL = 'Bad credentials, go away';

function expectStatus(response: { status: number; text: string }, status: number): void {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${response.text}`);
}

describe('outgoing servers over HTTP', () => {
  let facteur: TestServer;
  let api: HttpClient;
  let smtp: SMTPServer;
  let smtpPort: number;
  let internalId: number;
  let portalId: number;

  before(async () => {
    facteur = await startTestServer();
    api = facteur.client;
    smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: auth.username });
        return callback(Object.assign(new Error(REFUSAL), { responseCode: 535 }));
      },
    });
    await new Promise<void>((resolve, reject) => {
      smtp.once('error', reject);
      smtp.listen(0, '127.0.0.1', () => resolve());
    });
    smtpPort = ((smtp as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    const staff = await api.post('/api/users', { login: 'staff', role: 'internal', partner: { name: 'Staff', email: 'staff@acme.example.com' } });
    expectStatus(staff, 201);
    internalId = staff.body.id;
    const customer = await api.post('/api/users', { login: 'customer', role: 'portal', partner: { name: 'Customer', email: 'customer@client.example.org' } });
    expectStatus(customer, 201);
    portalId = customer.body.id;
  });

  after(async () => {
    if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await facteur?.close();
  });

  test('create, read, change and remove a server; the password never comes back', async () => {
    const created = await api.post('/api/servers', {
      name: 'Notifications',
      host: '127.0.0.1',
      port: smtpPort,
      security: 'none',
      username: USER,
      password: PASSWORD,
      fromFilter: 'Notifications@Example.com',
    });
    expectStatus(created, 201);
    assert.equal(created.body.hasPassword, true);
    assert.equal(created.body.fromFilter, 'notifications@example.com');
    assert.ok(!created.text.includes(PASSWORD));
    const id = created.body.id as number;

    const one = await api.get(`/api/servers/${id}`);
    expectStatus(one, 200);
    assert.equal(one.body.name, 'Notifications');
    assert.equal(one.body.username, USER);
    assert.equal(one.body.hasPassword, true);
    assert.ok(!('password' in one.body) && !('passwordEncrypted' in one.body));
    assert.ok(!one.text.includes(PASSWORD));

    const list = await api.get('/api/servers');
    expectStatus(list, 200);
    assert.deepEqual(list.body.map((s: { id: number }) => s.id), [id]);
    assert.ok(!list.text.includes(PASSWORD));
    const stored = await facteur.app.database.db.selectFrom('outgoing_servers').select('password_encrypted').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(!list.text.includes(stored.password_encrypted!), 'not even sealed');

    const changed = await api.patch(`/api/servers/${id}`, { sequence: 5, fromFilter: 'example.com' });
    expectStatus(changed, 200);
    assert.deepEqual([changed.body.sequence, changed.body.fromFilter, changed.body.hasPassword], [5, 'example.com', true]);
    assert.ok(!changed.text.includes(PASSWORD));

    expectStatus(await api.delete(`/api/servers/${id}`), 204);
    const gone = await api.get(`/api/servers/${id}`);
    expectStatus(gone, 404);
    assert.equal(gone.body.error.code, 'SERVER_NOT_FOUND');
  });

  test('Test connection: ok with the right password, the server\'s words with a wrong one, a reason when nobody listens', async () => {
    const good = await api.post('/api/servers', { name: 'Good', host: '127.0.0.1', port: smtpPort, security: 'none', username: USER, password: PASSWORD });
    expectStatus(good, 201);
    const okResult = await api.post(`/api/servers/${good.body.id}/test`);
    expectStatus(okResult, 200);
    assert.deepEqual(okResult.body, { ok: true });

    const bad = await api.patch(`/api/servers/${good.body.id}`, { password: 'not-the-password' });
    expectStatus(bad, 200);
    const refused = await api.post(`/api/servers/${good.body.id}/test`);
    expectStatus(refused, 200);
    assert.equal(refused.body.ok, false);
    assert.match(refused.body.reason, new RegExp(`535 ${REFUSAL}`));
    assert.ok(!refused.text.includes('not-the-password'));

    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const nobody = await api.post('/api/servers', { name: 'Nobody', host: '127.0.0.1', port: closedPort, security: 'none' });
    expectStatus(nobody, 201);
    const unreachable = await api.post(`/api/servers/${nobody.body.id}/test`);
    expectStatus(unreachable, 200);
    assert.equal(unreachable.body.ok, false);
    assert.match(unreachable.body.reason, /connection refused/);

    const catcher = await api.post('/api/servers', { name: 'Catcher', kind: 'catcher' });
    expectStatus(catcher, 201);
    assert.deepEqual((await api.post(`/api/servers/${catcher.body.id}/test`)).body, { ok: true });

    for (const id of [good.body.id, nobody.body.id, catcher.body.id]) expectStatus(await api.delete(`/api/servers/${id}`), 204);
  });

  test('refusals: bad input is 400 with a readable message, users may not configure, portal users may not read', async () => {
    const noHost = await api.post('/api/servers', { name: 'No host' });
    expectStatus(noHost, 400);
    assert.equal(noHost.body.error.code, 'VALIDATION_FAILED');
    assert.match(noHost.body.error.message, /needs a host/);
    const badFilter = await api.post('/api/servers', { name: 'Filter', host: 'smtp.example.com', fromFilter: 'not an address' });
    expectStatus(badFilter, 400);
    assert.match(badFilter.body.error.message, /neither an email address nor a domain/);
    const badPort = await api.post('/api/servers', { name: 'Port', host: 'smtp.example.com', port: 0 });
    expectStatus(badPort, 400);
    assert.equal(badPort.body.error.code, 'VALIDATION_FAILED');
    const badSecurity = await api.post('/api/servers', { name: 'Security', host: 'smtp.example.com', security: 'ssl' });
    expectStatus(badSecurity, 400);

    const created = await api.post('/api/servers', { name: 'Shared', host: 'smtp.example.com', username: 'u', password: PASSWORD });
    expectStatus(created, 201);
    const id = created.body.id as number;
    expectStatus(await api.as(internalId).post('/api/servers', { name: 'Mine', host: 'smtp.example.com' }), 403);
    expectStatus(await api.as(internalId).patch(`/api/servers/${id}`, { name: 'Mine' }), 403);
    expectStatus(await api.as(internalId).delete(`/api/servers/${id}`), 403);
    expectStatus(await api.as(internalId).post(`/api/servers/${id}/test`), 403);
    const readByStaff = await api.as(internalId).get(`/api/servers/${id}`);
    expectStatus(readByStaff, 200);
    assert.ok(!readByStaff.text.includes(PASSWORD));
    expectStatus(await api.as(portalId).get('/api/servers'), 403);
    expectStatus(await api.as(portalId).get(`/api/servers/${id}`), 403);
    expectStatus(await api.withKey(undefined).get('/api/servers'), 401);
    expectStatus(await api.delete(`/api/servers/${id}`), 204);
    expectStatus(await api.post('/api/servers/999999/test'), 404);
  });

  test('the API documentation describes the servers\' calls', async () => {
    const openapi = await api.get('/api/openapi.json');
    expectStatus(openapi, 200);
    for (const path of ['/api/servers', '/api/servers/{id}', '/api/servers/{id}/test']) assert.ok(openapi.body.paths[path], path);
    assert.match(JSON.stringify(openapi.body.paths['/api/servers'].post), /From filter|send as/);
  });
});
