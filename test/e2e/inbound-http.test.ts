// Issue 4 over HTTP: a host application hands in raw emails, reads what came in with its state and
// reason, re-processes, manages aliases, and learns about records created by an alias from events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer';
import { startTestServer, type TestServer } from '../helpers/http.ts';

async function eml(options: Record<string, unknown>): Promise<Buffer> {
  return new MailComposer({ date: new Date(), ...options }).compile().build();
}

describe('inbound email over HTTP', () => {
  let facteur: TestServer;
  const domain = 'inbound-http.facteur.test';

  before(async () => {
    facteur = await startTestServer();
    const company = await facteur.client.post('/api/companies', { name: 'Inbound Co', aliasDomain: { domain } });
    assert.equal(company.status, 201, company.text);
  });
  after(() => facteur.close());

  const postRaw = (raw: Buffer, client = facteur.client) =>
    client.fetch('/api/inbound', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: new Uint8Array(raw) });

  test('an alias creates a record from a raw email; a second copy is recognised; the host reads the event', async () => {
    const alias = await facteur.client.post('/api/aliases', { name: 'sales', domain, model: 'crm.lead' });
    assert.equal(alias.status, 201, alias.text);
    const raw = await eml({ from: 'Prospect <prospect@customer.test>', to: `sales@${domain}`, subject: 'Quote for 40 chairs', text: 'Hello, can you quote 40 chairs?', messageId: '<chairs-1@customer.test>' });
    const first = await postRaw(raw);
    assert.equal(first.status, 201);
    const stored = (await first.json()) as { id: number; state: string; route: string; recordId: number; duplicate: boolean };
    assert.deepEqual([stored.state, stored.route, stored.duplicate], ['routed', 'alias', false]);
    const again = await postRaw(raw);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { ...stored, duplicate: true });

    const events = await facteur.client.get('/api/events?after=0&type=record.created');
    assert.equal(events.status, 200);
    assert.equal(events.body.events.length, 1);
    assert.equal(events.body.events[0].payload.recordId, stored.recordId);
    const thread = await facteur.client.get(`/api/records/crm.lead/${encodeURIComponent(events.body.events[0].payload.resId)}/messages`);
    assert.equal(thread.status, 200, thread.text);
    assert.match(JSON.stringify(thread.body), /can you quote 40 chairs/);

    const rawBack = await facteur.client.fetch(`/api/inbound/${stored.id}/raw`);
    assert.equal(rawBack.headers.get('content-type'), 'message/rfc822');
    assert.deepEqual(Buffer.from(await rawBack.arrayBuffer()), raw);
  });

  test('unrouted mail is listed with its reason, and re-processed on demand once an alias exists', async () => {
    const response = await postRaw(await eml({ from: 'someone@customer.test', to: `support@${domain}`, subject: 'Help', text: 'Nothing works', messageId: '<help-1@customer.test>' }));
    const unrouted = (await response.json()) as { id: number; state: string; reason: string };
    assert.equal(unrouted.state, 'unrouted');
    const listed = await facteur.client.get('/api/inbound?state=unrouted');
    assert.ok(listed.body.emails.some((e: { id: number; reason: string }) => e.id === unrouted.id && /no reply token/.test(e.reason)));
    assert.equal(listed.body.counts.unrouted >= 1, true);

    assert.equal((await facteur.client.post('/api/aliases', { name: 'support', domain, model: 'helpdesk.ticket' })).status, 201);
    const retried = await facteur.client.post(`/api/inbound/${unrouted.id}/retry`);
    assert.equal(retried.status, 200, retried.text);
    assert.deepEqual([retried.body.state, retried.body.route], ['routed', 'alias']);
    const again = await facteur.client.post(`/api/inbound/${unrouted.id}/retry`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'INBOUND_EMAIL_NOT_RETRYABLE');
  });

  test('bad input gets a clear error', async () => {
    const empty = await postRaw(Buffer.alloc(0));
    assert.equal(empty.status, 400);
    const badAlias = await facteur.client.post('/api/aliases', { name: 'sales', domain: 'not-ours.test', model: 'crm.lead' });
    assert.equal(badAlias.status, 400);
    assert.match(badAlias.body.error.message, /not the alias domain of any company/);
    const twice = await facteur.client.post('/api/aliases', { name: 'sales', domain, model: 'crm.lead' });
    assert.equal(twice.status, 409);
    const missing = await facteur.client.get('/api/inbound/999999');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'INBOUND_EMAIL_NOT_FOUND');
    const user = await facteur.client.post('/api/users', { login: 'staff', role: 'internal', partner: { name: 'Staff', email: 'staff@example.com' } });
    const forbidden = await facteur.client.as(user.body.id).get('/api/inbound');
    assert.equal(forbidden.status, 403);
  });
});
