// Incoming servers through the real HTTP API, with "Test connection" and "Fetch now" against a real
// Dovecot on loopback: what a host application configuring Facteur would see. Passwords go in, never out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dovecotMissing, startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startTestServer, type HttpClient, type TestServer } from '../helpers/http.ts';

const PASSWORD = 'S3cret-IMAP-over-HTTP';

function expectStatus(response: { status: number; text: string }, status: number): void {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${response.text}`);
}

describe('incoming servers over HTTP', () => {
  let facteur: TestServer;
  let api: HttpClient;
  let internalId: number;
  let portalId: number;

  before(async () => {
    facteur = await startTestServer();
    api = facteur.client;
    const staff = await api.post('/api/users', { login: 'staff', role: 'internal', partner: { name: 'Staff', email: 'staff@acme.example.com' } });
    expectStatus(staff, 201);
    internalId = staff.body.id;
    const customer = await api.post('/api/users', { login: 'customer', role: 'portal', partner: { name: 'Customer', email: 'customer@client.example.org' } });
    expectStatus(customer, 201);
    portalId = customer.body.id;
  });
  after(() => facteur?.close());

  test('create with the defaults, read, change and remove; the password never comes back', async () => {
    const created = await api.post('/api/incoming-servers', { name: 'Replies', host: 'IMAP.Example.com', username: 'replies@example.com', password: PASSWORD });
    expectStatus(created, 201);
    assert.equal(created.body.host, 'imap.example.com');
    assert.deepEqual(
      [created.body.security, created.body.port, created.body.folder, created.body.intervalMinutes, created.body.active, created.body.hasPassword],
      ['tls', 993, 'INBOX', 5, true, true],
      'TLS on 993, INBOX, every 5 minutes',
    );
    assert.equal(created.body.lastFetchAt, null);
    assert.ok(!created.text.includes(PASSWORD));
    const id = created.body.id as number;

    const stored = await facteur.app.database.db.selectFrom('incoming_servers').select('password_encrypted').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(stored.password_encrypted && !stored.password_encrypted.includes(PASSWORD), 'sealed at rest');
    for (const response of [await api.get(`/api/incoming-servers/${id}`), await api.get('/api/incoming-servers')]) {
      expectStatus(response, 200);
      assert.ok(!response.text.includes(PASSWORD));
      assert.ok(!response.text.includes(stored.password_encrypted!), 'not even sealed');
      assert.ok(!response.text.includes('passwordEncrypted'));
    }

    const changed = await api.patch(`/api/incoming-servers/${id}`, { security: 'starttls', folder: 'Replies', intervalMinutes: 1 });
    expectStatus(changed, 200);
    assert.deepEqual([changed.body.port, changed.body.folder, changed.body.intervalMinutes, changed.body.hasPassword], [143, 'Replies', 1, true], 'a default port follows the security; the password stays');

    expectStatus(await api.delete(`/api/incoming-servers/${id}`), 204);
    const gone = await api.get(`/api/incoming-servers/${id}`);
    expectStatus(gone, 404);
    assert.equal(gone.body.error.code, 'INCOMING_SERVER_NOT_FOUND');
    expectStatus(await api.post(`/api/incoming-servers/${id}/fetch`), 404);
  });

  test('refusals: bad input is 400 VALIDATION_FAILED saying what is wrong; users may not configure, portal users may not read', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'No host', username: 'u', password: 'p' }, /host/],
      [{ name: 'URL', host: 'imaps://imap.example.com', username: 'u', password: 'p' }, /not a host name: give the name alone/],
      [{ name: 'Port in host', host: 'imap.example.com:993', username: 'u', password: 'p' }, /includes a port/],
      [{ name: 'No password', host: 'imap.example.com', username: 'u' }, /needs the password/],
      [{ name: 'Port', host: 'imap.example.com', username: 'u', password: 'p', port: 70000 }, /port/],
      [{ name: 'Interval', host: 'imap.example.com', username: 'u', password: 'p', intervalMinutes: 0 }, /intervalMinutes/],
      [{ name: 'Security', host: 'imap.example.com', username: 'u', password: 'p', security: 'ssl' }, /security/],
      [{ name: '  ', host: 'imap.example.com', username: 'u', password: 'p' }, /needs a name/],
    ];
    for (const [body, message] of cases) {
      const refused = await api.post('/api/incoming-servers', body);
      expectStatus(refused, 400);
      assert.equal(refused.body.error.code, 'VALIDATION_FAILED');
      assert.match(refused.body.error.message, message, JSON.stringify(body));
    }
    assert.deepEqual((await api.get('/api/incoming-servers')).body, [], 'a refused call writes nothing');

    const created = await api.post('/api/incoming-servers', { name: 'Shared', host: 'imap.example.com', username: 'u', password: PASSWORD });
    expectStatus(created, 201);
    const id = created.body.id as number;
    const staff = api.as(internalId);
    expectStatus(await staff.post('/api/incoming-servers', { name: 'Mine', host: 'imap.example.com', username: 'u', password: 'p' }), 403);
    expectStatus(await staff.patch(`/api/incoming-servers/${id}`, { name: 'Mine' }), 403);
    expectStatus(await staff.delete(`/api/incoming-servers/${id}`), 403);
    expectStatus(await staff.post(`/api/incoming-servers/${id}/test`), 403);
    expectStatus(await staff.post(`/api/incoming-servers/${id}/fetch`), 403);
    const readByStaff = await staff.get(`/api/incoming-servers/${id}`);
    expectStatus(readByStaff, 200);
    assert.ok(!readByStaff.text.includes(PASSWORD));
    expectStatus(await api.as(portalId).get('/api/incoming-servers'), 403);
    expectStatus(await api.withKey(undefined).get('/api/incoming-servers'), 401);
    expectStatus(await api.delete(`/api/incoming-servers/${id}`), 204);
  });

  test('the API documentation describes the incoming servers\' calls', async () => {
    const openapi = await api.get('/api/openapi.json');
    expectStatus(openapi, 200);
    for (const path of ['/api/incoming-servers', '/api/incoming-servers/{id}', '/api/incoming-servers/{id}/test', '/api/incoming-servers/{id}/fetch']) {
      assert.ok(openapi.body.paths[path], path);
    }
    assert.deepEqual(openapi.body.paths['/api/incoming-servers'].post.tags, ['incoming servers']);
    assert.match(JSON.stringify(openapi.body.paths['/api/incoming-servers/{id}/fetch'].post), /unseen/);
  });

  describe('against a real Dovecot', { skip: dovecotMissing }, () => {
    let dovecot: Dovecot;
    before(async () => {
      dovecot = await startDovecot();
    });
    after(() => dovecot?.stop());

    test('Test connection answers ok, or the server\'s own words; Fetch now stores the unseen messages and answers the counts', async () => {
      const created = await api.post('/api/incoming-servers', {
        name: 'Dovecot',
        host: dovecot.host,
        port: dovecot.port,
        security: 'none',
        username: dovecot.user,
        password: dovecot.password,
      });
      expectStatus(created, 201);
      const id = created.body.id as number;
      const tested = await api.post(`/api/incoming-servers/${id}/test`);
      expectStatus(tested, 200);
      assert.deepEqual(tested.body, { ok: true });

      for (const subject of ['First', 'Second']) {
        await dovecot.append(`From: client@customer.test\r\nTo: catchall@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject}.${Date.now()}@customer.test>\r\n\r\nHello\r\n`);
      }
      const fetched = await api.post(`/api/incoming-servers/${id}/fetch`);
      expectStatus(fetched, 200);
      assert.deepEqual(fetched.body, { unseen: 2, stored: 2, duplicates: 0, failed: 0, error: null });
      assert.ok((await dovecot.list()).every((m) => m.seen));
      const server = await api.get(`/api/incoming-servers/${id}`);
      assert.ok(server.body.lastFetchAt);
      assert.equal(server.body.lastError, null);

      expectStatus(await api.patch(`/api/incoming-servers/${id}`, { password: 'not-the-password' }), 200);
      const refused = await api.post(`/api/incoming-servers/${id}/test`);
      expectStatus(refused, 200);
      assert.equal(refused.body.ok, false);
      assert.match(refused.body.reason, /^The server refused the login: \[AUTHENTICATIONFAILED\] Authentication failed\./);
      assert.ok(!refused.text.includes('not-the-password'));
      const failed = await api.post(`/api/incoming-servers/${id}/fetch`);
      expectStatus(failed, 200);
      assert.equal(failed.body.stored, 0);
      assert.match(failed.body.error, /Authentication failed/);
      assert.match((await api.get(`/api/incoming-servers/${id}`)).body.lastError, /Authentication failed/);
      expectStatus(await api.delete(`/api/incoming-servers/${id}`), 204);
    });
  });
});
