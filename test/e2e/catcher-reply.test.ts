// "Reply as this recipient" over HTTP: an email the built-in catcher kept is answered as its
// recipient would answer it, and the answer comes back through the inbound gateway to its thread.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { recordPath, startTestServer, type TestServer } from '../helpers/http.ts';

describe('POST /api/catcher/:id/reply', () => {
  let facteur: TestServer;
  const domain = 'catcher-reply.facteur.test';
  let caughtId: number;
  let rfcMessageId: string;
  const clientEmail = 'claire@customer.test';

  before(async () => {
    facteur = await startTestServer();
    const api = facteur.client;
    const company = await api.post('/api/companies', { name: 'Reply Co', aliasDomain: { domain } });
    assert.equal(company.status, 201, company.text);
    const record = await api.put(recordPath('sale.order', '23'), { name: 'S00023', companyId: company.body.id });
    assert.equal(record.status, 201, record.text);
    const claire = await api.post('/api/partners', { name: 'Claire Client', email: clientEmail });
    assert.equal(claire.status, 201, claire.text);
    assert.equal((await api.post(`${recordPath('sale.order', '23')}/followers`, { partnerId: claire.body.id })).status, 201);
    const posted = await api.post(`${recordPath('sale.order', '23')}/messages`, { body: '<p>Your quotation is ready.</p>', subject: 'Quotation S00023' });
    assert.equal(posted.status, 201, posted.text);
    rfcMessageId = posted.body.rfcMessageId;
    const sent = await api.post('/api/outbox/send');
    assert.equal(sent.status, 200, sent.text);
    const caught = await api.get(`/api/catcher?to=${encodeURIComponent(clientEmail)}`);
    assert.equal(caught.status, 200, caught.text);
    assert.equal(caught.body.length, 1, 'the catcher kept the email to Claire (no server is configured)');
    caughtId = caught.body[0].id;
  });
  after(() => facteur?.close());

  test('the reply is routed to the record, threaded and quoted like a mail client would', async () => {
    const read = await facteur.client.get(`/api/catcher/${caughtId}`);
    assert.deepEqual(read.body.recipients, [clientEmail]);
    const reply = await facteur.client.post(`/api/catcher/${caughtId}/reply`, { body: 'Thanks, we accept the quotation.' });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.body.state, 'routed');
    assert.deepEqual(reply.body.record, { model: 'sale.order', resId: '23', name: 'S00023' });
    assert.equal(typeof reply.body.id, 'number');

    const raw = await facteur.client.fetch(`/api/inbound/${reply.body.id}/raw`);
    const mail = await simpleParser(Buffer.from(await raw.arrayBuffer()));
    assert.equal(mail.from?.value[0]?.address, clientEmail);
    assert.equal(mail.subject, 'Re: Quotation S00023');
    assert.equal(mail.inReplyTo, rfcMessageId);
    assert.match(String(mail.references), new RegExp(rfcMessageId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.ok(mail.to && !Array.isArray(mail.to) && mail.to.value[0]!.address!.endsWith(`@${domain}`), 'sent to the Reply-To on the alias domain');
    assert.match(mail.text ?? '', /^Thanks, we accept the quotation\.\n\nOn .* wrote:\n> Your quotation is ready\./m);

    const thread = await facteur.client.get(`${recordPath('sale.order', '23')}/messages`);
    assert.equal(thread.status, 200, thread.text);
    assert.match(JSON.stringify(thread.body), /Thanks, we accept the quotation/);
  });

  test('an unknown email is 404, an empty reply or a stranger as recipient is 400, a user who is not admin is 403', async () => {
    const missing = await facteur.client.post('/api/catcher/999999/reply', { body: 'Hello' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'CAUGHT_EMAIL_NOT_FOUND');
    const empty = await facteur.client.post(`/api/catcher/${caughtId}/reply`, { body: '  \n ' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'VALIDATION_FAILED');
    assert.match(empty.body.error.message, /empty/);
    const noBody = await facteur.client.post(`/api/catcher/${caughtId}/reply`, {});
    assert.equal(noBody.status, 400);
    const stranger = await facteur.client.post(`/api/catcher/${caughtId}/reply`, { body: 'Hi', recipient: 'someone@else.test' });
    assert.equal(stranger.status, 400);
    assert.match(stranger.body.error.message, /not a recipient of this email/);
    const user = await facteur.client.post('/api/users', { login: 'staff', role: 'internal', partner: { name: 'Staff', email: 'staff@example.com' } });
    const forbidden = await facteur.client.as(user.body.id).post(`/api/catcher/${caughtId}/reply`, { body: 'Hi' });
    assert.equal(forbidden.status, 403);
  });
});
