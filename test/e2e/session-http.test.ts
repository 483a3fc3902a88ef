// The web UI's session over HTTP: log in, who am I, my preferences, log out; wrong passwords slowed
// down; what an administrator's session may do that a user's may not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uiUser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/http.ts';

describe('the web UI session over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  /** A cookie-carrying client, as a browser is. */
  function browserLike() {
    let cookie = '';
    return async (method: string, path: string, body?: unknown) => {
      const response = await fetch(new URL(path, server.baseUrl), {
        method,
        headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const set = response.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!;
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, setCookie: set };
    };
  }

  test('log in, read and change my preferences, and log out', async () => {
    const ada = await uiUser(server.app.chatter, 'Ada Session');
    const call = browserLike();
    assert.equal((await call('GET', '/api/session')).body, null, 'nobody is logged in yet');
    const login = await call('POST', '/api/session', { login: ada.login, password: ada.password });
    assert.equal(login.status, 200);
    assert.match(login.setCookie ?? '', /facteur_session=fcs_[^;]+;.*HttpOnly/i);
    assert.match(login.setCookie ?? '', /SameSite=Lax/i);
    assert.equal((await call('GET', '/api/session')).body.id, ada.id);
    const changed = await call('PATCH', '/api/session', { notification: 'inbox', language: 'fr' });
    assert.equal(changed.status, 200);
    assert.deepEqual([changed.body.notification, changed.body.language], ['inbox', 'fr']);
    assert.equal((await call('GET', '/api/apikeys')).status, 403, 'a user who is not an administrator does not see the API keys');
    assert.equal((await call('PATCH', `/api/users/${ada.id}`, { isAdmin: true })).status, 403, 'nor makes themself one');
    assert.equal((await call('DELETE', '/api/session')).status, 204);
    assert.equal((await call('GET', '/api/session')).body, null);
    assert.equal((await call('GET', '/api/records')).status, 401, 'the old session is gone');
  });

  test("an administrator's session administers; changing a password ends that user's sessions", async () => {
    const root = await uiUser(server.app.chatter, 'Root Admin', { isAdmin: true });
    const bea = await uiUser(server.app.chatter, 'Bea Changed');
    const admin = browserLike();
    const user = browserLike();
    await admin('POST', '/api/session', { login: root.login, password: root.password });
    await user('POST', '/api/session', { login: bea.login, password: bea.password });
    assert.equal((await admin('GET', '/api/apikeys')).status, 200);
    const key = await admin('POST', '/api/apikeys', { name: 'from the UI' });
    assert.equal(key.status, 201);
    assert.match(key.body.key, /^fct_/);
    assert.equal((await admin('PATCH', `/api/users/${bea.id}`, { password: 'a-brand-new-password' })).status, 200);
    assert.equal((await user('GET', '/api/records')).status, 401, "Bea's session ended with her password");
    assert.equal((await user('POST', '/api/session', { login: bea.login, password: 'a-brand-new-password' })).status, 200);
  });

  test('five wrong passwords lock the login for a while, even against the right one; other logins are not affected', async () => {
    const cy = await uiUser(server.app.chatter, 'Cy Guessed');
    const dan = await uiUser(server.app.chatter, 'Dan Other');
    const call = browserLike();
    for (let i = 0; i < 5; i++) {
      const refused = await call('POST', '/api/session', { login: cy.login, password: `guess-${i}` });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.code, 'LOGIN_FAILED');
      assert.equal(refused.body.error.message, 'Wrong login or password.');
    }
    const locked = await call('POST', '/api/session', { login: cy.login, password: cy.password });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'TOO_MANY_ATTEMPTS');
    assert.match(locked.body.error.message, /try again in 15 minute/);
    assert.equal((await call('POST', '/api/session', { login: dan.login, password: dan.password })).status, 200);
  });
});
