// The HTTP API end to end: the real app on a loopback port, driven with fetch as a host application would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiKey, revokeApiKey } from '../../src/apikeys/apikeys.ts';
import { recordPath, startTestServer, type HttpClient, type TestServer } from '../helpers/http.ts';

let server: TestServer;
let api: HttpClient;

before(async () => {
  server = await startTestServer();
  api = server.client;
});

after(async () => {
  await server?.close();
});

/** Asserts the status, showing the body when it is not the expected one. */
function expectStatus(response: { status: number; text: string }, status: number): void {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${response.text}`);
}

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}.${counter}`;
}

async function createUser(role: 'internal' | 'portal', name: string, notification?: 'email' | 'inbox', companyId?: number) {
  const login = unique(name.toLowerCase().replace(/\W+/g, '.'));
  const domain = role === 'internal' ? 'acme.example.com' : 'client.example.org';
  const response = await api.post('/api/users', {
    login,
    role,
    ...(notification ? { notification } : {}),
    partner: { name, email: `${login}@${domain}`, ...(companyId ? { companyId } : {}) },
  });
  expectStatus(response, 201);
  return response.body as { id: number; partnerId: number; login: string; role: string; notification: string; name: string; email: string };
}

async function createPartner(name: string) {
  const response = await api.post('/api/partners', { name, email: `${unique(name.toLowerCase().replace(/\W+/g, '.'))}@client.example.org` });
  expectStatus(response, 201);
  return response.body as { id: number; name: string; email: string };
}

async function registerRecord(model: string, resId: string, body: Record<string, unknown>) {
  const response = await api.put(recordPath(model, resId), body);
  assert.ok(response.status === 201 || response.status === 200, response.text);
  return response.body as { id: number; model: string; resId: string; name: string };
}

async function followers(model: string, resId: string, client: HttpClient = api) {
  const response = await client.get(`${recordPath(model, resId)}/followers`);
  expectStatus(response, 200);
  return response.body as { partnerId: number; name: string; isInternalUser: boolean; subtypes: { code: string }[] }[];
}

function codesOf(follower: { subtypes: { code: string }[] } | undefined): string[] {
  return (follower?.subtypes.map((s) => s.code) ?? []).sort();
}

describe('access to the API', () => {
  test('GET /api/health answers without an API key', async () => {
    const response = await api.withKey(undefined).get('/api/health');
    expectStatus(response, 200);
    assert.equal(response.body.status, 'ok');
    assert.ok(['pglite', 'postgres'].includes(response.body.database));
  });

  test('every /api operation of the OpenAPI document refuses a call without a key: 401 UNAUTHENTICATED', async () => {
    const document = (await api.withKey(undefined).get('/api/openapi.json')).body;
    const anonymous = api.withKey(undefined);
    let checked = 0;
    for (const [template, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      const urlPath = template.replace('{model}', 'sale.order').replace('{resId}', '1').replace(/\{\w+\}/g, '1');
      for (const [method, operation] of Object.entries(operations as Record<string, { security?: unknown[] }>)) {
        // Operations documented as public (security: []), such as /api/health, are not for API keys.
        if (Array.isArray(operation.security) && operation.security.length === 0) continue;
        const hasBody = ['post', 'put', 'patch'].includes(method);
        const response = await anonymous.request(method.toUpperCase(), urlPath, hasBody ? { body: {} } : {});
        expectStatus(response, 401);
        assert.equal(response.body.error.code, 'UNAUTHENTICATED', `${method} ${urlPath}`);
        assert.match(response.body.error.message, /API key/);
        checked += 1;
      }
    }
    assert.ok(checked >= 20, `only ${checked} operations were checked`);
  });

  test('a wrong, malformed or revoked API key is refused with 401 UNAUTHENTICATED', async () => {
    const wellFormedButUnknown = `fct_abcdefgh_${'A'.repeat(43)}`;
    const revoked = await createApiKey(server.app.database.db, 'revoked');
    assert.ok(await revokeApiKey(server.app.database.db, revoked.id));
    for (const key of [wellFormedButUnknown, 'not-a-key', `${server.apiKey}x`, revoked.key]) {
      const response = await api.withKey(key).get('/api/users');
      expectStatus(response, 401);
      assert.equal(response.body.error.code, 'UNAUTHENTICATED');
    }
    const basic = await api.withKey(undefined).request('GET', '/api/users', { headers: { authorization: `Basic ${server.apiKey}` } });
    expectStatus(basic, 401);
    // The right key, for contrast.
    expectStatus(await api.get('/api/users'), 200);
  });

  test('/api/openapi.json is an OpenAPI 3 document listing records, messages, followers, partners, users, subtypes and inbox', async () => {
    const response = await api.withKey(undefined).get('/api/openapi.json');
    expectStatus(response, 200);
    const document = response.body;
    assert.match(document.openapi, /^3\.\d+\.\d+$/);
    assert.equal(typeof document.info.title, 'string');
    assert.equal(typeof document.info.version, 'string');
    assert.ok(document.components.securitySchemes.apiKey, 'the API key scheme is described');
    for (const p of [
      '/api/records',
      '/api/records/{model}/{resId}',
      '/api/records/{model}/{resId}/messages',
      '/api/records/{model}/{resId}/followers',
      '/api/records/{model}/{resId}/followers/{partnerId}',
      '/api/partners',
      '/api/users',
      '/api/subtypes',
      '/api/users/{id}/inbox',
      '/api/outbox',
    ]) {
      assert.ok(document.paths[p], `OpenAPI lists ${p}`);
    }
    const post = document.paths['/api/records/{model}/{resId}/messages'].post;
    assert.ok(post.requestBody.content['application/json'].schema.properties.body, 'the message body is described');
  });

  test('/api/docs answers 200 with the documentation page, without a key', async () => {
    const response = await api.withKey(undefined).fetch('/api/docs');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await response.text(), /swagger/i);
  });
});

describe('directory', () => {
  test('a company with its alias domain, partners, internal users (email and inbox) and a portal user', async () => {
    const company = await api.post('/api/companies', { name: 'Acme Directory', aliasDomain: { domain: 'Directory.Example.COM' } });
    expectStatus(company, 201);
    assert.equal(company.body.name, 'Acme Directory');
    assert.deepEqual(company.body.aliasDomain, { domain: 'directory.example.com', catchall: 'catchall', bounce: 'bounce', defaultFrom: 'notifications' });
    expectStatus(await api.get(`/api/companies/${company.body.id}`), 200);

    const partner = await api.post('/api/partners', { name: 'Claire Cliente', email: 'Claire@Client.Example.org', lang: 'fr_FR', companyId: company.body.id });
    expectStatus(partner, 201);
    assert.equal(partner.body.name, 'Claire Cliente');
    assert.equal(partner.body.email, 'Claire@Client.Example.org');
    assert.equal(partner.body.lang, 'fr_FR');
    assert.equal(partner.body.userId, null, 'a contact is not a user');
    const found = await api.get('/api/partners?q=claire');
    assert.ok(found.body.some((p: { id: number }) => p.id === partner.body.id), 'the partner is found by name');

    const byEmail = await createUser('internal', 'Edgar Email', 'email', company.body.id);
    assert.equal(byEmail.role, 'internal');
    assert.equal(byEmail.notification, 'email');
    const byInbox = await createUser('internal', 'Ines Inbox', 'inbox', company.body.id);
    assert.equal(byInbox.notification, 'inbox');
    const portal = await createUser('portal', 'Paul Portal');
    assert.equal(portal.role, 'portal');
    assert.equal(portal.notification, 'email', 'portal users are notified by email (seed 000 §1.5)');

    const existingPartnerUser = await api.post('/api/users', { login: unique('claire'), role: 'portal', partnerId: partner.body.id });
    expectStatus(existingPartnerUser, 201);
    assert.equal(existingPartnerUser.body.partnerId, partner.body.id);

    const users = await api.get('/api/users');
    const ids = users.body.map((u: { id: number }) => u.id);
    for (const user of [byEmail, byInbox, portal]) assert.ok(ids.includes(user.id));
    const fetched = await api.get(`/api/users/${byInbox.id}`);
    assert.equal(fetched.body.name, 'Ines Inbox');

    const changed = await api.patch(`/api/users/${byEmail.id}`, { notification: 'inbox' });
    expectStatus(changed, 200);
    assert.equal(changed.body.notification, 'inbox');
  });
});

describe('records, followers and the thread', () => {
  let company: { id: number };
  let alice: Awaited<ReturnType<typeof createUser>>; // internal, inbox
  let bob: Awaited<ReturnType<typeof createUser>>; // internal, email
  let pat: Awaited<ReturnType<typeof createUser>>; // portal
  let carla: Awaited<ReturnType<typeof createPartner>>; // external contact
  let dan: Awaited<ReturnType<typeof createPartner>>; // external contact, to mention
  const team = { model: 'crm.team', resId: '7' };

  before(async () => {
    const created = await api.post('/api/companies', { name: 'Acme', aliasDomain: { domain: 'acme.example.com' } });
    expectStatus(created, 201);
    company = created.body;
    alice = await createUser('internal', 'Alice Martin', 'inbox', company.id);
    bob = await createUser('internal', 'Bob Durand', 'email', company.id);
    pat = await createUser('portal', 'Pat Client');
    carla = await createPartner('Carla Contact');
    dan = await createPartner('Dan Extra');
    await registerRecord(team.model, team.resId, { name: 'Europe', companyId: company.id });
    const followed = await api.post(`${recordPath(team.model, team.resId)}/followers`, { partnerId: bob.partnerId, subtypes: ['discussion', 'note'] });
    expectStatus(followed, 201);
  });

  test('PUT a record registers it (201) with parent and responsible user, then updates it (200); default followers follow (seed 000 §4)', async () => {
    const path = recordPath('sale.order', '1001');
    const created = await api.put(path, { name: 'S01001', companyId: company.id, responsibleUserId: alice.id, parent: team });
    expectStatus(created, 201);
    assert.equal(created.body.model, 'sale.order');
    assert.equal(created.body.resId, '1001');
    assert.equal(created.body.name, 'S01001');
    assert.equal(created.body.responsibleUserId, alice.id);
    assert.equal(created.body.companyId, company.id);
    assert.equal(typeof created.body.parentRecordId, 'number');

    const list = await followers('sale.order', '1001');
    const byPartner = new Map(list.map((f) => [f.partnerId, f]));
    assert.deepEqual(codesOf(byPartner.get(alice.partnerId)), ['discussion'], 'the responsible user follows with the default subtypes');
    assert.deepEqual(codesOf(byPartner.get(bob.partnerId)), ['discussion', 'note'], "the team's follower follows with the team's subtypes");
    assert.equal(list.length, 2, 'nobody else follows: the customer does not until added');

    const updated = await api.put(path, { name: 'S01001 (revised)' });
    expectStatus(updated, 200);
    assert.equal(updated.body.id, created.body.id);
    assert.equal(updated.body.name, 'S01001 (revised)');
    assert.equal(updated.body.responsibleUserId, alice.id, 'fields not sent are kept');
    assert.equal(updated.body.parentRecordId, created.body.parentRecordId);

    const read = await api.get(path);
    expectStatus(read, 200);
    assert.equal(read.body.name, 'S01001 (revised)');
    const listed = await api.get('/api/records?model=sale.order&q=S01001');
    assert.ok(listed.body.some((r: { id: number }) => r.id === created.body.id));
  });

  test('followers: list, add with default subtypes, the bell (PUT subtypes), remove (seed 000 §2.2, §6)', async () => {
    const model = 'sale.order';
    const resId = '1003';
    await registerRecord(model, resId, { name: 'S01003', responsibleUserId: alice.id });
    const path = `${recordPath(model, resId)}/followers`;

    const added = await api.post(path, { partnerId: carla.id });
    expectStatus(added, 201);
    const carlaFollower = added.body.find((f: { partnerId: number }) => f.partnerId === carla.id);
    assert.deepEqual(codesOf(carlaFollower), ['discussion'], 'an external partner gets the default, non-internal subtypes');
    assert.equal(carlaFollower.isInternalUser, false);

    const bell = await api.put(`${path}/${carla.id}`, { subtypes: ['discussion', 'note'] });
    expectStatus(bell, 200);
    assert.deepEqual(codesOf(bell.body.find((f: { partnerId: number }) => f.partnerId === carla.id)), ['discussion', 'note']);
    assert.deepEqual(codesOf((await followers(model, resId)).find((f) => f.partnerId === carla.id)), ['discussion', 'note']);

    const patFollows = await api.post(path, { partnerId: pat.partnerId });
    expectStatus(patFollows, 201);
    // Seed 000 §9: an external user does not learn who else follows.
    const seenByPat = await followers(model, resId, api.as(pat.id));
    assert.deepEqual(seenByPat.map((f) => f.partnerId), [pat.partnerId]);
    const seenByAlice = await followers(model, resId, api.as(alice.id));
    assert.deepEqual(seenByAlice.map((f) => f.partnerId).sort((a, b) => a - b), [alice.partnerId, pat.partnerId, carla.id].sort((a, b) => a - b));

    const removed = await api.delete(`${path}/${carla.id}`);
    expectStatus(removed, 204);
    assert.equal(removed.text, '');
    assert.ok(!(await followers(model, resId)).some((f) => f.partnerId === carla.id), 'carla no longer follows');
  });

  test('a message with an explicit recipient, an @mention and an attachment notifies each once and the attachment downloads intact (seed 000 §7.2, §11)', async () => {
    const model = 'sale.order';
    const resId = '1001';
    await registerRecord(model, resId, { name: 'S01001', companyId: company.id, responsibleUserId: alice.id, parent: team });
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x10, 0x80, 0x0a]);
    const posted = await api.as(bob.id).post(`${recordPath(model, resId)}/messages`, {
      body: `<p>Here is the quotation, @[Dan Extra](partner:${dan.id}) please check.</p>`,
      subject: 'Your quotation',
      recipientIds: [carla.id],
      attachments: [{ filename: 'Devis été.pdf', contentType: 'application/pdf', contentBase64: bytes.toString('base64') }],
    });
    expectStatus(posted, 201);
    assert.equal(posted.body.kind, 'comment');
    assert.equal(posted.body.subtype, 'discussion');
    assert.match(posted.body.rfcMessageId, /^<[^@>]+@acme\.example\.com>$/, 'the Message-ID is on the company alias domain');
    // Alice (responsible, inbox) by inbox; Carla (explicit) and Dan (mentioned) by email; Bob (the author) not at all.
    assert.deepEqual(posted.body.notified, { inbox: 1, email: 2 });
    assert.deepEqual([...posted.body.newFollowerPartnerIds].sort((a, b) => a - b), [carla.id, dan.id].sort((a, b) => a - b));

    const followerIds = (await followers(model, resId)).map((f) => f.partnerId);
    assert.ok(followerIds.includes(carla.id) && followerIds.includes(dan.id), 'recipients and mentioned partners become followers');

    const thread = await api.get(`${recordPath(model, resId)}/messages`);
    expectStatus(thread, 200);
    const message = thread.body.messages.find((m: { id: number }) => m.id === posted.body.id);
    assert.ok(message, 'the message is in the thread');
    assert.equal(message.authorPartnerId, bob.partnerId);
    assert.equal(message.authorName, 'Bob Durand');
    assert.equal(message.subject, 'Your quotation');
    assert.match(message.bodyHtml, new RegExp(`<a [^>]*data-partner-id="${dan.id}"[^>]*>@Dan Extra</a>`));
    assert.deepEqual(
      message.recipients.map((r: { partnerId: number; reason: string }) => [r.partnerId, r.reason]).sort(),
      [[carla.id, 'explicit'], [dan.id, 'mention']].sort(),
    );
    assert.deepEqual(
      message.notifications.map((n: { partnerId: number; channel: string }) => [n.partnerId, n.channel]).sort(),
      [[alice.partnerId, 'inbox'], [carla.id, 'email'], [dan.id, 'email']].sort(),
    );
    assert.equal(message.attachments.length, 1);
    const attachment = message.attachments[0];
    assert.equal(attachment.filename, 'Devis été.pdf');
    assert.equal(attachment.contentType, 'application/pdf');
    assert.equal(attachment.size, bytes.length);

    const download = await api.fetch(`/api/attachments/${attachment.id}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/pdf');
    const disposition = download.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment;/);
    const encodedName = /filename\*=UTF-8''([^;\s]+)/.exec(disposition)?.[1];
    assert.ok(encodedName, `the name travels as filename*: ${disposition}`);
    assert.equal(decodeURIComponent(encodedName), 'Devis été.pdf');
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
  });

  test("an attachment named with an apostrophe and parentheses gets an RFC 8187 content-disposition that decodes to its name", async () => {
    const model = 'sale.order';
    const resId = '1006';
    await registerRecord(model, resId, { name: 'S01006' });
    const filename = "Devis d'été (v2).pdf";
    const posted = await api.post(`${recordPath(model, resId)}/messages`, {
      body: 'The revised quotation.',
      attachments: [{ filename, contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4').toString('base64') }],
    });
    expectStatus(posted, 201);
    const thread = await api.get(`${recordPath(model, resId)}/messages`);
    const [attachment] = thread.body.messages[0].attachments;
    const download = await api.fetch(`/api/attachments/${attachment.id}`);
    assert.equal(download.status, 200);
    const disposition = download.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment; filename="[\x20-\x7e]+"; /, `an ASCII fallback comes first for old clients: ${disposition}`);
    const match = /; filename\*=UTF-8''([^;]+)$/.exec(disposition);
    assert.ok(match, `content-disposition is an RFC 8187 ext-value: ${disposition}`);
    // RFC 8187 §3.2.1: only attr-char may appear unencoded; "'", "(", ")" and "*" must be percent-encoded.
    assert.match(match[1]!, /^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+$/, `value-chars are attr-chars or %XX: ${match[1]}`);
    assert.equal(decodeURIComponent(match[1]!), filename);
  });

  test('the thread: the host application sees everything; a portal user sees no note unless following "note" (seed 000 §10) and only their own notification (§9)', async () => {
    const model = 'sale.order';
    const resId = '1002';
    const path = recordPath(model, resId);
    await registerRecord(model, resId, { name: 'S01002', companyId: company.id, responsibleUserId: alice.id });
    expectStatus(await api.post(`${path}/followers`, { partnerId: pat.partnerId }), 201);

    const comment = await api.as(bob.id).post(`${path}/messages`, { body: 'Your order ships Monday.', recipientIds: [carla.id] });
    expectStatus(comment, 201);
    const note = await api.as(bob.id).post(`${path}/messages`, {
      kind: 'note',
      body: 'Internal: margin is thin on this one.',
      attachments: [{ filename: 'margin.txt', contentType: 'text/plain', contentBase64: Buffer.from('12%').toString('base64') }],
    });
    expectStatus(note, 201);
    assert.equal(note.body.subtype, 'note');

    const all = await api.get(`${path}/messages`);
    expectStatus(all, 200);
    assert.deepEqual(all.body.messages.map((m: { id: number }) => m.id), [note.body.id, comment.body.id], 'newest first, notes included');
    assert.equal(all.body.nextBefore, null);
    const commentForSystem = all.body.messages[1];
    assert.deepEqual(
      commentForSystem.notifications.map((n: { partnerId: number }) => n.partnerId).sort((a: number, b: number) => a - b),
      [alice.partnerId, pat.partnerId, carla.id].sort((a, b) => a - b),
    );
    const noteAttachmentId = all.body.messages[0].attachments[0].id;

    const asInternal = await api.as(alice.id).get(`${path}/messages`);
    assert.equal(asInternal.body.messages.length, 2, 'internal users see notes');

    const asPortal = await api.as(pat.id).get(`${path}/messages`);
    expectStatus(asPortal, 200);
    assert.deepEqual(asPortal.body.messages.map((m: { id: number }) => m.id), [comment.body.id], 'no note for a portal user');
    const commentForPat = asPortal.body.messages[0];
    assert.deepEqual(commentForPat.notifications.map((n: { partnerId: number }) => n.partnerId), [pat.partnerId], 'only their own notification');
    assert.deepEqual(commentForPat.recipients, [], 'carla, the explicit recipient, is not shown to pat');
    const hiddenAttachment = await api.as(pat.id).get(`/api/attachments/${noteAttachmentId}`);
    expectStatus(hiddenAttachment, 404);
    assert.equal(hiddenAttachment.body.error.code, 'ATTACHMENT_NOT_FOUND', "a note's attachment does not exist for a portal user");

    // Added by hand to "note" (seed 000 §6, §10): the portal user now sees the notes of this record.
    expectStatus(await api.put(`${path}/followers/${pat.partnerId}`, { subtypes: ['discussion', 'note'] }), 200);
    const asFollowerOfNotes = await api.as(pat.id).get(`${path}/messages`);
    assert.deepEqual(asFollowerOfNotes.body.messages.map((m: { id: number }) => m.id), [note.body.id, comment.body.id]);
    assert.equal((await api.as(pat.id).fetch(`/api/attachments/${noteAttachmentId}`)).status, 200);
  });

  test('the inbox of an internal user who chose "inbox": unread count, list, mark one read, mark all read (seed 000 §1.5, §2.3)', async () => {
    const iris = await createUser('internal', 'Iris Inbox', 'inbox', company.id);
    const model = 'sale.order';
    const resId = '1005';
    const path = recordPath(model, resId);
    await registerRecord(model, resId, { name: 'S01005', responsibleUserId: iris.id });
    const first = await api.as(bob.id).post(`${path}/messages`, { body: 'First question', subject: 'Q1' });
    const second = await api.as(bob.id).post(`${path}/messages`, { body: 'Second question', subject: 'Q2' });
    expectStatus(first, 201);
    expectStatus(second, 201);
    assert.deepEqual(first.body.notified, { inbox: 1, email: 0 }, 'inbox or email, never both');

    const inbox = await api.as(iris.id).get(`/api/users/${iris.id}/inbox`);
    expectStatus(inbox, 200);
    assert.equal(inbox.body.unread, 2);
    assert.deepEqual(inbox.body.items.map((i: { messageId: number }) => i.messageId), [second.body.id, first.body.id], 'newest first');
    const [newest, oldest] = inbox.body.items;
    assert.equal(newest.model, model);
    assert.equal(newest.resId, resId);
    assert.equal(newest.recordName, 'S01005');
    assert.equal(newest.subject, 'Q2');
    assert.equal(newest.authorName, 'Bob Durand');
    assert.equal(newest.readAt, null);

    const markOne = await api.as(iris.id).post(`/api/users/${iris.id}/inbox/read`, { notificationIds: [oldest.notificationId] });
    expectStatus(markOne, 200);
    assert.deepEqual(markOne.body, { marked: 1, unread: 1 });
    const unreadOnly = await api.as(iris.id).get(`/api/users/${iris.id}/inbox?unread=true`);
    assert.deepEqual(unreadOnly.body.items.map((i: { messageId: number }) => i.messageId), [second.body.id]);
    assert.equal(unreadOnly.body.unread, 1);

    const markAll = await api.as(iris.id).post(`/api/users/${iris.id}/inbox/read`, {});
    expectStatus(markAll, 200);
    assert.deepEqual(markAll.body, { marked: 1, unread: 0 });
    const emptied = await api.get(`/api/users/${iris.id}/inbox`);
    assert.equal(emptied.body.unread, 0);
    assert.ok(emptied.body.items.every((i: { readAt: string | null }) => i.readAt !== null), 'every item has its read time');
  });

  test('"mark all read" needs no request body: POST /api/users/:id/inbox/read without a body marks the whole inbox', async () => {
    const ivan = await createUser('internal', 'Ivan Inbox', 'inbox', company.id);
    const path = recordPath('sale.order', '1007');
    await registerRecord('sale.order', '1007', { name: 'S01007', responsibleUserId: ivan.id });
    expectStatus(await api.as(bob.id).post(`${path}/messages`, { body: 'One more question' }), 201);
    assert.equal((await api.as(ivan.id).get(`/api/users/${ivan.id}/inbox`)).body.unread, 1);

    // The route documents "all of them when notificationIds is absent"; a client sends no body at all.
    const markAll = await api.as(ivan.id).request('POST', `/api/users/${ivan.id}/inbox/read`);
    expectStatus(markAll, 200);
    assert.deepEqual(markAll.body, { marked: 1, unread: 0 });
  });

  test("another user's inbox through X-Facteur-User is refused with 403 FORBIDDEN", async () => {
    for (const reader of [bob, pat]) {
      for (const call of [
        () => api.as(reader.id).get(`/api/users/${alice.id}/inbox`),
        () => api.as(reader.id).post(`/api/users/${alice.id}/inbox/read`, {}),
      ]) {
        const response = await call();
        expectStatus(response, 403);
        assert.equal(response.body.error.code, 'FORBIDDEN');
        assert.match(response.body.error.message, /own inbox/);
      }
    }
    expectStatus(await api.as(alice.id).get(`/api/users/${alice.id}/inbox`), 200);
  });

  test('/api/outbox?messageId= shows one queued entry per email recipient, each addressed to that recipient alone (DESIGN "Posting")', async () => {
    const model = 'sale.order';
    const resId = '1004';
    await registerRecord(model, resId, { name: 'S01004', companyId: company.id, responsibleUserId: alice.id, parent: team });
    const erin = await createPartner('Erin Extra');
    // Followers of "discussion": Alice (inbox), Bob (email, from the team); plus Carla and Erin as recipients.
    const posted = await api.post(`${recordPath(model, resId)}/messages`, { body: 'Quotation S01004 is ready.', recipientIds: [carla.id, erin.id] });
    expectStatus(posted, 201);
    assert.deepEqual(posted.body.notified, { inbox: 1, email: 3 });

    const outbox = await api.get(`/api/outbox?messageId=${posted.body.id}`);
    expectStatus(outbox, 200);
    const expected = new Map([
      [bob.partnerId, bob.email],
      [carla.id, carla.email],
      [erin.id, erin.email],
    ]);
    assert.equal(outbox.body.length, expected.size, 'one entry per email recipient, none for the inbox user');
    for (const entry of outbox.body) {
      assert.equal(entry.channel, 'email');
      assert.equal(entry.state, 'queued');
      assert.equal(entry.messageId, posted.body.id);
      assert.equal(entry.attempts, 0);
      assert.equal(entry.emailTo, expected.get(entry.partnerId), `entry ${entry.id} is addressed to its own recipient only`);
      assert.doesNotMatch(entry.emailTo, /[,;]/);
    }
    assert.deepEqual(new Set(outbox.body.map((e: { partnerId: number }) => e.partnerId)), new Set(expected.keys()));

    expectStatus(await api.as(alice.id).get(`/api/outbox?messageId=${posted.body.id}`), 200);
    const portal = await api.as(pat.id).get(`/api/outbox?messageId=${posted.body.id}`);
    expectStatus(portal, 403);
    assert.equal(portal.body.error.code, 'FORBIDDEN');
  });
});
