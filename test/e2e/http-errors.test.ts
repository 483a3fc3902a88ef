// Bad input through real HTTP: a clear 4xx with a stable code and a sentence a person understands,
// and nothing half-written (no message, notification, follower or outbox entry left behind).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { recordPath, startTestServer, type HttpClient, type HttpResult, type TestServer } from '../helpers/http.ts';

let server: TestServer;
let api: HttpClient;

/** Asserts `{ error: { code, message } }` with the status and code, and a message that reads as a sentence. */
function expectError(response: HttpResult, status: number, code: string): string {
  assert.equal(response.status, status, `expected HTTP ${status} ${code}, got ${response.status}: ${response.text}`);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const error = response.body?.error;
  assert.ok(error && typeof error === 'object', `the body has an error object: ${response.text}`);
  assert.equal(error.code, code, `error code: ${response.text}`);
  const message: unknown = error.message;
  assert.equal(typeof message, 'string');
  const text = message as string;
  assert.match(text, /^["'A-Z]/, `the message starts like a sentence: ${text}`);
  assert.match(text, /[.!?]$/, `the message ends like a sentence: ${text}`);
  assert.ok(text.split(/\s+/).length >= 4, `the message says something: ${text}`);
  assert.doesNotMatch(text, /\n\s+at |\[object Object\]|FST_ERR|ZodError/, `no internals in the message: ${text}`);
  return text;
}

function expectStatus(response: HttpResult, status: number): void {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${response.text}`);
}

let counter = 0;
function login(prefix: string): string {
  counter += 1;
  return `${prefix}.${counter}`;
}

let alice: { id: number; partnerId: number }; // internal, inbox
let bob: { id: number; partnerId: number }; // internal, email
let pat: { id: number; partnerId: number }; // portal
let carla: { id: number }; // external contact
const order = { model: 'sale.order', resId: '42' };
const orderPath = recordPath(order.model, order.resId);
const UNKNOWN_ID = 987654;

/** What a failed call must not have changed: the thread, the followers, the outbox, the inbox. */
async function snapshot() {
  const [thread, followers, outbox, inbox] = await Promise.all([
    api.get(`${orderPath}/messages?limit=500`),
    api.get(`${orderPath}/followers`),
    api.get('/api/outbox?limit=500'),
    api.get(`/api/users/${alice.id}/inbox?limit=500`),
  ]);
  for (const r of [thread, followers, outbox, inbox]) expectStatus(r, 200);
  return {
    messageIds: thread.body.messages.map((m: { id: number }) => m.id),
    followers: followers.body.map((f: { partnerId: number; subtypes: { code: string }[] }) => `${f.partnerId}:${f.subtypes.map((s) => s.code).sort().join(',')}`).sort(),
    outboxIds: outbox.body.map((e: { id: number }) => e.id),
    inbox: { unread: inbox.body.unread, ids: inbox.body.items.map((i: { notificationId: number }) => i.notificationId) },
  };
}

before(async () => {
  server = await startTestServer();
  api = server.client;
  const user = async (name: string, role: 'internal' | 'portal', notification: 'email' | 'inbox') => {
    const l = login(name);
    const response = await api.post('/api/users', { login: l, role, notification, partner: { name, email: `${l}@example.com` } });
    expectStatus(response, 201);
    return response.body;
  };
  alice = await user('Alice', 'internal', 'inbox');
  bob = await user('Bob', 'internal', 'email');
  pat = await user('Pat', 'portal', 'email');
  const partner = await api.post('/api/partners', { name: 'Carla', email: 'carla@client.example.org' });
  expectStatus(partner, 201);
  carla = partner.body;
  expectStatus(await api.put(orderPath, { name: 'S00042', responsibleUserId: alice.id }), 201);
  expectStatus(await api.post(`${orderPath}/followers`, { partnerId: pat.partnerId }), 201);
  // One message so that the thread, the inbox and the outbox are not empty to begin with.
  expectStatus(await api.as(bob.id).post(`${orderPath}/messages`, { body: 'Hello', recipientIds: [pat.partnerId] }), 201);
});

after(async () => {
  await server?.close();
});

describe('records and partners that do not exist', () => {
  test('a call on an unregistered record answers 404 RECORD_NOT_FOUND and registers nothing', async () => {
    const path = recordPath('sale.order', 'nope');
    for (const response of [
      await api.get(path),
      await api.get(`${path}/messages`),
      await api.post(`${path}/messages`, { body: 'Hello' }),
      await api.get(`${path}/followers`),
      await api.post(`${path}/followers`, { partnerId: carla.id }),
    ]) {
      const message = expectError(response, 404, 'RECORD_NOT_FOUND');
      assert.match(message, /sale\.order nope/);
    }
    expectError(await api.get(path), 404, 'RECORD_NOT_FOUND');
  });

  test('an unknown partner among the recipients answers 404 PARTNER_NOT_FOUND and writes no message, notification, follower or outbox entry', async () => {
    const initial = await snapshot();
    const response = await api.as(bob.id).post(`${orderPath}/messages`, { body: 'To Carla and a ghost', recipientIds: [carla.id, UNKNOWN_ID] });
    const message = expectError(response, 404, 'PARTNER_NOT_FOUND');
    assert.match(message, new RegExp(String(UNKNOWN_ID)));
    assert.deepEqual(await snapshot(), initial, 'the thread, followers (Carla included), outbox and inbox are unchanged');
  });

  test('a mention of an unknown partner answers 400 UNKNOWN_MENTION and writes nothing (seed 000 §11)', async () => {
    const initial = await snapshot();
    const response = await api.as(bob.id).post(`${orderPath}/messages`, {
      body: `Hi @[Carla](partner:${carla.id}) and @[Ghost](partner:${UNKNOWN_ID})`,
    });
    const message = expectError(response, 400, 'UNKNOWN_MENTION');
    assert.match(message, new RegExp(String(UNKNOWN_ID)));
    assert.deepEqual(await snapshot(), initial, 'Carla, mentioned too, did not become a follower');
  });

  test('an unknown partner added as follower answers 404 PARTNER_NOT_FOUND', async () => {
    const initial = await snapshot();
    expectError(await api.post(`${orderPath}/followers`, { partnerId: UNKNOWN_ID }), 404, 'PARTNER_NOT_FOUND');
    assert.deepEqual(await snapshot(), initial);
  });

  test('a parent record that is not registered answers 422 PARENT_RECORD_NOT_FOUND and the child is not registered', async () => {
    const path = recordPath('sale.order', 'child-1');
    const response = await api.put(path, { name: 'S-child', parent: { model: 'crm.team', resId: 'missing' } });
    const message = expectError(response, 422, 'PARENT_RECORD_NOT_FOUND');
    assert.match(message, /crm\.team missing/);
    expectError(await api.get(path), 404, 'RECORD_NOT_FOUND');
  });

  test('an unknown responsible user answers 404 USER_NOT_FOUND and the record is not registered', async () => {
    const path = recordPath('sale.order', 'child-2');
    expectError(await api.put(path, { name: 'S-child', responsibleUserId: UNKNOWN_ID }), 404, 'USER_NOT_FOUND');
    expectError(await api.get(path), 404, 'RECORD_NOT_FOUND');
  });

  test('an unknown subtype code in the bell answers 404 SUBTYPE_NOT_FOUND and the subscription is unchanged', async () => {
    const initial = await snapshot();
    const response = await api.put(`${orderPath}/followers/${pat.partnerId}`, { subtypes: ['discussion', 'no_such_subtype'] });
    const message = expectError(response, 404, 'SUBTYPE_NOT_FOUND');
    assert.match(message, /no_such_subtype/);
    assert.deepEqual(await snapshot(), initial);
  });

  test('the bell of a partner who does not follow answers 404 FOLLOWER_NOT_FOUND', async () => {
    expectError(await api.put(`${orderPath}/followers/${carla.id}`, { subtypes: ['discussion'] }), 404, 'FOLLOWER_NOT_FOUND');
    expectError(await api.delete(`${orderPath}/followers/${carla.id}`), 404, 'FOLLOWER_NOT_FOUND');
  });
});

describe('posting rules', () => {
  test('a portal user logging a note answers 403 PORTAL_CANNOT_LOG_NOTE and writes nothing (seed 000 §10)', async () => {
    const initial = await snapshot();
    const response = await api.as(pat.id).post(`${orderPath}/messages`, { kind: 'note', body: 'I should not be able to do this' });
    expectError(response, 403, 'PORTAL_CANNOT_LOG_NOTE');
    const internalSubtype = await api.as(pat.id).post(`${orderPath}/messages`, { body: 'Sneaky', subtype: 'note' });
    expectError(internalSubtype, 403, 'PORTAL_CANNOT_LOG_NOTE');
    assert.deepEqual(await snapshot(), initial);
  });

  test('recipients on a note answer 400 NOTE_RECIPIENTS_NOT_ALLOWED and write nothing (seed 000 §7.3)', async () => {
    const initial = await snapshot();
    const response = await api.as(bob.id).post(`${orderPath}/messages`, { kind: 'note', body: 'Internal', recipientIds: [carla.id] });
    const message = expectError(response, 400, 'NOTE_RECIPIENTS_NOT_ALLOWED');
    assert.match(message, /mention/);
    assert.deepEqual(await snapshot(), initial);
  });

  test('an empty body without attachment answers 400 EMPTY_MESSAGE and writes nothing', async () => {
    const initial = await snapshot();
    for (const body of ['', '   ', '<p> </p>', '<script>alert(1)</script>']) {
      expectError(await api.as(bob.id).post(`${orderPath}/messages`, { body }), 400, 'EMPTY_MESSAGE');
    }
    assert.deepEqual(await snapshot(), initial);
  });

  test('a missing or ill-typed field answers 400 VALIDATION_FAILED naming the field', async () => {
    const noName = expectError(await api.post('/api/partners', { email: 'x@example.com' }), 400, 'VALIDATION_FAILED');
    assert.match(noName, /name/);
    const noBody = expectError(await api.post(`${orderPath}/messages`, { subject: 'No body' }), 400, 'VALIDATION_FAILED');
    assert.match(noBody, /body/);
    const wrongKind = expectError(await api.post(`${orderPath}/messages`, { kind: 'shout', body: 'Hi' }), 400, 'VALIDATION_FAILED');
    assert.match(wrongKind, /kind/);
    const badBase64 = await api.post(`${orderPath}/messages`, { body: 'Hi', attachments: [{ filename: 'a.txt', contentBase64: '***not base64***' }] });
    assert.match(expectError(badBase64, 400, 'VALIDATION_FAILED'), /contentBase64/);
    expectError(await api.get('/api/users/abc'), 400, 'VALIDATION_FAILED');
  });

  test('a message with a subtype code that does not apply to the record answers 404 SUBTYPE_NOT_FOUND and writes nothing', async () => {
    const initial = await snapshot();
    expectError(await api.post(`${orderPath}/messages`, { body: 'Hi', subtype: 'quotation_sent' }), 404, 'SUBTYPE_NOT_FOUND');
    assert.deepEqual(await snapshot(), initial);
  });
});

describe('directory rules', () => {
  test('an invalid email answers 400 INVALID_EMAIL and creates no partner nor user', async () => {
    const message = expectError(await api.post('/api/partners', { name: 'Broken Email', email: 'not-an-email' }), 400, 'INVALID_EMAIL');
    assert.match(message, /not-an-email/);
    const l = login('broken');
    expectError(await api.post('/api/users', { login: l, role: 'internal', partner: { name: 'Broken Email', email: 'a@b@c' } }), 400, 'INVALID_EMAIL');
    assert.deepEqual((await api.get('/api/partners?q=Broken%20Email')).body, []);
    assert.ok(!(await api.get('/api/users')).body.some((u: { login: string }) => u.login === l));
  });

  test('a portal user with the inbox notification answers 400 and is not created (seed 000 §1.5)', async () => {
    const l = login('portal.inbox');
    const response = await api.post('/api/users', { login: l, role: 'portal', notification: 'inbox', partner: { name: 'Portal Inbox', email: `${l}@example.com` } });
    const message = expectError(response, 400, 'VALIDATION_FAILED');
    assert.match(message, /[Pp]ortal/);
    assert.ok(!(await api.get('/api/users')).body.some((u: { login: string }) => u.login === l));
    assert.deepEqual((await api.get('/api/partners?q=Portal%20Inbox')).body, [], 'no partner is left behind');
    expectError(await api.patch(`/api/users/${pat.id}`, { notification: 'inbox' }), 400, 'VALIDATION_FAILED');
  });

  test('a duplicate login answers 409 DUPLICATE and creates no partner', async () => {
    const l = login('twice');
    expectStatus(await api.post('/api/users', { login: l, role: 'internal', partner: { name: 'First Twice', email: 'first@example.com' } }), 201);
    const message = expectError(
      await api.post('/api/users', { login: l, role: 'internal', partner: { name: 'Second Twice', email: 'second@example.com' } }),
      409,
      'DUPLICATE',
    );
    assert.match(message, new RegExp(l.replace('.', '\\.')));
    assert.deepEqual((await api.get('/api/partners?q=Second%20Twice')).body, []);
  });

  test('simultaneous creations of the same login: one 201, the others 409 DUPLICATE, never a 500', async () => {
    const l = login('race');
    const responses = await Promise.all(
      [1, 2, 3, 4].map((n) => api.post('/api/users', { login: l, role: 'internal', partner: { name: `Racer ${n}`, email: `racer${n}@example.com` } })),
    );
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409], responses.map((r) => r.text).join('\n'));
    for (const r of responses.filter((r) => r.status !== 201)) expectError(r, 409, 'DUPLICATE');
    assert.equal((await api.get('/api/partners?q=Racer')).body.length, 1, 'only the winner left a partner');
  });

  test('a second alias domain with the same domain answers 409 DUPLICATE', async () => {
    expectStatus(await api.post('/api/companies', { name: 'First Co', aliasDomain: { domain: 'taken.example.com' } }), 201);
    expectError(await api.post('/api/companies', { name: 'Second Co', aliasDomain: { domain: 'TAKEN.example.com' } }), 409, 'DUPLICATE');
    assert.ok(!(await api.get('/api/companies')).body.some((c: { name: string }) => c.name === 'Second Co'));
  });

  test('a portal user acting for themselves cannot make themselves internal: 403 FORBIDDEN (seed 000 §10)', async () => {
    const l = login('climber');
    const created = await api.post('/api/users', { login: l, role: 'portal', partner: { name: 'Climber', email: `${l}@example.com` } });
    expectStatus(created, 201);
    const climber = created.body;
    const response = await api.as(climber.id).patch(`/api/users/${climber.id}`, { role: 'internal' });
    expectError(response, 403, 'FORBIDDEN');
    assert.equal((await api.get(`/api/users/${climber.id}`)).body.role, 'portal', 'the role is unchanged');
  });

  test('a portal user cannot subscribe themselves to notes: 403 INTERNAL_SUBTYPE_FOR_PORTAL, nor change someone else: 403 FORBIDDEN', async () => {
    const initial = await snapshot();
    expectError(await api.as(pat.id).put(`${orderPath}/followers/${pat.partnerId}`, { subtypes: ['discussion', 'note'] }), 403, 'INTERNAL_SUBTYPE_FOR_PORTAL');
    expectError(await api.as(pat.id).delete(`${orderPath}/followers/${alice.partnerId}`), 403, 'FORBIDDEN');
    assert.deepEqual(await snapshot(), initial);
  });
});

describe('the HTTP layer', () => {
  test('an unknown route answers 404 ROUTE_NOT_FOUND as JSON', async () => {
    const message = expectError(await api.get('/api/no-such-thing'), 404, 'ROUTE_NOT_FOUND');
    assert.match(message, /\/api\/no-such-thing/);
    expectError(await api.delete('/api/partners'), 404, 'ROUTE_NOT_FOUND');
  });

  test('a bad X-Facteur-User header answers 400 VALIDATION_FAILED', async () => {
    for (const value of ['abc', '-3', '0', '1.5']) {
      const message = expectError(await api.as(value).get('/api/users'), 400, 'VALIDATION_FAILED');
      assert.match(message, /x-facteur-user/i);
    }
  });

  test('an X-Facteur-User naming no user answers 404 USER_NOT_FOUND, and nothing is posted', async () => {
    const initial = await snapshot();
    const message = expectError(await api.as(UNKNOWN_ID).post(`${orderPath}/messages`, { body: 'Who am I?' }), 404, 'USER_NOT_FOUND');
    assert.match(message, new RegExp(String(UNKNOWN_ID)));
    assert.deepEqual(await snapshot(), initial);
  });

  test('a user posting as another author answers 403 FORBIDDEN and writes nothing', async () => {
    const initial = await snapshot();
    expectError(await api.as(bob.id).post(`${orderPath}/messages`, { body: 'As Alice', authorPartnerId: alice.partnerId }), 403, 'FORBIDDEN');
    assert.deepEqual(await snapshot(), initial);
  });
});
