// "Attach to a record…" over HTTP: an email the gateway could not route is posted by hand on the
// thread chosen, as the gateway posts a reply (sender as author, attachment, followers notified),
// then settled as routed 'manual'; a second attach is refused, and so is a record that does not exist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer';
import { recordPath, startTestServer, type TestServer } from '../helpers/http.ts';

async function eml(options: Record<string, unknown>): Promise<Buffer> {
  return new MailComposer({ date: new Date(), ...options }).compile().build();
}

describe('attaching an unrouted inbound email to a record', () => {
  let facteur: TestServer;
  const domain = 'inbound-attach.facteur.test';

  before(async () => {
    facteur = await startTestServer();
    const company = await facteur.client.post('/api/companies', { name: 'Attach Co', aliasDomain: { domain } });
    assert.equal(company.status, 201, company.text);
  });
  after(() => facteur.close());

  const postRaw = async (raw: Buffer) => {
    const response = await facteur.client.fetch('/api/inbound', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: new Uint8Array(raw) });
    assert.equal(response.status, 201);
    return (await response.json()) as { id: number; state: string; reason: string };
  };

  test('an unrouted email is posted on the chosen thread with its attachment, once', async () => {
    const sender = await facteur.client.post('/api/partners', { name: 'Paula Sender', email: 'paula@customer.test' });
    assert.equal(sender.status, 201, sender.text);
    const follower = await facteur.client.post('/api/partners', { name: 'Fred Follower', email: 'fred@customer.test' });
    assert.equal((await facteur.client.put(recordPath('sale.order', 'A-1'), { name: 'S0A1' })).status, 201);
    assert.equal((await facteur.client.post(`${recordPath('sale.order', 'A-1')}/followers`, { partnerId: follower.body.id })).status, 201);

    const unrouted = await postRaw(
      await eml({
        from: 'Paula Sender <paula@customer.test>',
        to: `nobody-here@${domain}`,
        subject: 'About my order',
        text: 'Please deliver on Tuesday.',
        messageId: '<attach-1@customer.test>',
        attachments: [{ filename: 'plan.txt', content: 'the delivery plan', contentType: 'text/plain' }],
      }),
    );
    assert.equal(unrouted.state, 'unrouted');

    // A record that does not exist: 404, and the email stays as it was.
    const missing = await facteur.client.post(`/api/inbound/${unrouted.id}/attach`, { model: 'sale.order', resId: 'no-such' });
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.body.error.code, 'RECORD_NOT_FOUND');
    assert.equal((await facteur.client.get(`/api/inbound/${unrouted.id}`)).body.state, 'unrouted');

    const attached = await facteur.client.post(`/api/inbound/${unrouted.id}/attach`, { model: 'sale.order', resId: 'A-1' });
    assert.equal(attached.status, 200, attached.text);
    assert.equal(attached.body.state, 'routed');
    assert.equal(attached.body.route, 'manual');
    assert.match(attached.body.reason, /attached by hand to sale\.order A-1 by the host application/);
    assert.deepEqual(attached.body.record, { model: 'sale.order', resId: 'A-1', name: 'S0A1' });
    assert.ok(attached.body.messageId > 0);

    const thread = await facteur.client.get(`${recordPath('sale.order', 'A-1')}/messages`);
    assert.equal(thread.status, 200, thread.text);
    const message = thread.body.messages.find((m: { id: number }) => m.id === attached.body.messageId);
    assert.ok(message, 'the message is in the thread');
    assert.equal(message.authorPartnerId, sender.body.id, 'the known sender is its author');
    assert.equal(message.subject, 'About my order');
    assert.equal(message.rfcMessageId, '<attach-1@customer.test>');
    assert.match(message.bodyHtml, /deliver on Tuesday/);
    assert.deepEqual(
      message.attachments.map((a: { filename: string }) => a.filename),
      ['plan.txt'],
    );
    const download = await facteur.client.fetch(`/api/attachments/${message.attachments[0].id}`);
    assert.equal(await download.text(), 'the delivery plan');
    // The record's follower is notified by email, as for a reply that found its thread by itself.
    const queued = await facteur.client.get(`/api/outbox?messageId=${attached.body.messageId}`);
    assert.deepEqual(
      queued.body.map((e: { emailTo: string }) => e.emailTo),
      ['fred@customer.test'],
    );

    const again = await facteur.client.post(`/api/inbound/${unrouted.id}/attach`, { model: 'sale.order', resId: 'A-1' });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, 'INBOUND_EMAIL_ALREADY_ROUTED');
    assert.match(again.body.error.message, /already routed to sale\.order A-1/);
    const messages = (await facteur.client.get(`${recordPath('sale.order', 'A-1')}/messages`)).body.messages;
    assert.equal(messages.filter((m: { rfcMessageId: string }) => m.rfcMessageId === '<attach-1@customer.test>').length, 1, 'posted once');
  });

  test('an unknown sender stays in From; a user who is not an administrator may not attach; an unknown email is 404', async () => {
    assert.equal((await facteur.client.put(recordPath('crm.lead', 'B-1'), { name: 'Lead B1' })).status, 201);
    const unrouted = await postRaw(
      await eml({ from: 'Stranger <stranger@elsewhere.test>', to: `nobody-here@${domain}`, subject: 'Hello', text: 'Who am I?', messageId: '<attach-2@elsewhere.test>' }),
    );
    const user = await facteur.client.post('/api/users', { login: 'not-admin', role: 'internal', partner: { name: 'Not Admin', email: 'not.admin@attach.test' } });
    assert.equal(user.status, 201, user.text);
    const refused = await facteur.client.as(user.body.id).post(`/api/inbound/${unrouted.id}/attach`, { model: 'crm.lead', resId: 'B-1' });
    assert.equal(refused.status, 403, refused.text);

    const attached = await facteur.client.post(`/api/inbound/${unrouted.id}/attach`, { model: 'crm.lead', resId: 'B-1' });
    assert.equal(attached.status, 200, attached.text);
    const message = (await facteur.client.get(`${recordPath('crm.lead', 'B-1')}/messages`)).body.messages[0];
    assert.equal(message.authorPartnerId, null);
    assert.equal(message.emailFrom, 'Stranger <stranger@elsewhere.test>');

    const unknown = await facteur.client.post('/api/inbound/999999/attach', { model: 'crm.lead', resId: 'B-1' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'INBOUND_EMAIL_NOT_FOUND');
  });
});
