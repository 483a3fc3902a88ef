// A bounce seen live in the browser: the chatter of a record is open, the email to an external
// follower was sent (grey envelope), then the recipient's mail server returns a delivery status
// report; once it is handed to Facteur, that recipient's envelope turns red with the failure type
// and the server's words — without the page being reloaded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { expectNoConsoleErrors, logIn, uiUser, useBrowserWorld } from '../helpers/browser.ts';
import { externalPartner } from '../helpers/chatter.ts';
import { recordPath } from '../helpers/http.ts';
import { FIXTURES } from '../helpers/inbound.ts';
import { OUTBOUND_SECRET, RELAY_CREDENTIALS, startSweegoRelay } from '../helpers/sweego-simulator.ts';

describe('a bounce in the browser', () => {
  const world = useBrowserWorld();

  test('a delivery status report turns the envelope of its recipient red, live', async () => {
    const deps = world.server.app.chatter;
    const domain = 'bounce-live.facteur.test';
    const company = await createCompany(deps, SYSTEM, { name: 'Bounce Co', aliasDomain: { domain } });
    const ref = { model: 'sale.order', resId: '41' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'S00041', companyId: company.id });
    const gone = await externalPartner(deps, 'Gaston Gone', 'gaston.gone@customer.example.org');
    const kept = await externalPartner(deps, 'Karine Kept', 'karine.kept@customer.example.org');
    await followRecord(deps, SYSTEM, ref, { partnerId: gone.id });
    await followRecord(deps, SYSTEM, ref, { partnerId: kept.id });
    const posted = await world.server.client.post(`${recordPath(ref.model, ref.resId)}/messages`, { subject: 'Quotation S00041', body: '<p>Your quotation S00041.</p>' });
    assert.equal(posted.status, 201, posted.text);
    assert.equal((await world.server.client.post('/api/outbox/send')).status, 200);

    const bob = await uiUser(deps, 'Bob Seller');
    const ui = await world.openPage();
    try {
      await logIn(ui, bob.login, bob.password);
      await ui.page.goto(`/records/${ref.model}/${ref.resId}`);
      const message = ui.page.locator(`article.message[data-message-id="${posted.body.id}"]`);
      const envelope = message.locator(`.envelope[data-partner="${gone.id}"]`);
      await message.locator(`.envelope[data-partner="${gone.id}"][data-status="sent"]`).waitFor();
      await message.locator(`.envelope[data-partner="${kept.id}"][data-status="sent"]`).waitFor();
      await ui.page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
      await ui.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

      // The recipient's server answers with a Postfix DSN that returns the headers of what we sent —
      // read from the catcher's copy, as the remote server received them.
      const dsn = await deliveryReport(domain, gone.email!);
      const handedIn = await world.server.client.fetch('/api/inbound', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: new Uint8Array(dsn) });
      assert.equal(handedIn.status, 201, await handedIn.clone().text());
      const result = (await handedIn.json()) as { state: string; route: string; messageId: number };
      assert.deepEqual([result.state, result.route, result.messageId], ['bounced', 'bounce', posted.body.id]);

      const red = message.locator(`.envelope[data-partner="${gone.id}"][data-status="bounce"]`);
      await red.waitFor();
      assert.match((await red.getAttribute('class')) ?? '', /status-bounce/);
      const failure = await red.locator('.failure').innerText();
      assert.match(failure, /mail_bounce/);
      assert.match(failure, /550 5\.1\.1/);
      assert.match(failure, /User unknown/);
      assert.equal(await envelope.count(), 1);
      assert.equal(await message.locator(`.envelope[data-partner="${kept.id}"]`).getAttribute('data-status'), 'sent', 'the other recipient is untouched');
      assert.equal(await ui.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'the page was not reloaded');
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('a Sweego hard_bounce webhook turns the envelope red, live', async () => {
    const deps = world.server.app.chatter;
    const relay = await startSweegoRelay();
    const ui = await world.openPage();
    try {
      const sweego = await world.server.client.post('/api/servers', {
        name: 'Sweego', kind: 'sweego', host: '127.0.0.1', port: relay.port, security: 'none',
        username: RELAY_CREDENTIALS.user, password: RELAY_CREDENTIALS.pass, outboundWebhookSecret: OUTBOUND_SECRET,
      });
      assert.equal(sweego.status, 201, sweego.text);
      const company = await createCompany(deps, SYSTEM, { name: 'Sweego Co', aliasDomain: { domain: 'sweego-bounce.facteur.test' } });
      const ref = { model: 'sale.order', resId: '42' };
      await registerRecord(deps, SYSTEM, { ...ref, name: 'S00042', companyId: company.id });
      const gone = await externalPartner(deps, 'Hugo Hard', 'hugo.hard@customer.example.org');
      await followRecord(deps, SYSTEM, ref, { partnerId: gone.id });
      const posted = await world.server.client.post(`${recordPath(ref.model, ref.resId)}/messages`, { subject: 'Quotation S00042', body: '<p>Your quotation S00042.</p>' });
      assert.equal(posted.status, 201, posted.text);
      assert.equal((await world.server.client.post('/api/outbox/send')).status, 200);
      const xMessageId = relay.receivedFor(gone.email!).at(-1)?.header('x-message-id') ?? assert.fail('the email left through the Sweego relay');

      const bob = await uiUser(deps, 'Bea Seller');
      await logIn(ui, bob.login, bob.password);
      await ui.page.goto(`/records/${ref.model}/${ref.resId}`);
      const message = ui.page.locator(`article.message[data-message-id="${posted.body.id}"]`);
      await message.locator(`.envelope[data-partner="${gone.id}"][data-status="sent"]`).waitFor();
      await ui.page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
      await ui.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

      // Sweego reports the hard bounce on the outbound webhook, signed as Standard Webhooks.
      const body = JSON.stringify([
        {
          event_type: 'hard_bounce', timestamp: new Date().toISOString(), swg_uid: '01-bounce-live', event_id: 'bounce-live-1', channel: 'email',
          transaction_id: 'tx-bounce-live', headers: { 'x-mailer': 'Sweego', 'x-message-id': xMessageId }, recipient: gone.email,
          response_code: 550, details: `smtp; remote said (550 Invalid Recipient <${gone.email}>)`,
        },
      ]);
      const now = new Date();
      const webhook = await fetch(new URL('/sweego/webhook/outbound', world.server.baseUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json', 'webhook-id': 'msg_bounce_live', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(OUTBOUND_SECRET).sign('msg_bounce_live', now, body),
        },
        body,
      });
      assert.equal(webhook.status, 200, await webhook.text());

      const red = message.locator(`.envelope[data-partner="${gone.id}"][data-status="exception"]`);
      await red.waitFor();
      assert.match((await red.getAttribute('class')) ?? '', /status-exception/);
      const failure = await red.locator('.failure').innerText();
      assert.match(failure, /mail_email_invalid/);
      assert.match(failure, /550 Invalid Recipient/);
      assert.equal(await ui.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'the page was not reloaded');
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
      await relay.close();
    }
  });

  /** The corpus's Postfix DSN, naming the email the catcher kept for `recipient`. */
  async function deliveryReport(domain: string, recipient: string): Promise<Buffer> {
    const listed = await world.server.client.get(`/api/catcher?to=${encodeURIComponent(recipient)}`);
    assert.equal(listed.body.length, 1, listed.text);
    const caught = await world.server.client.get(`/api/catcher/${listed.body[0].id}`);
    const header = (name: string) => (caught.body.headers as { name: string; value: string }[]).find((h) => h.name === name)?.value ?? assert.fail(`no ${name} header`);
    // The fixture's own domain first: the identifiers put in afterwards already carry ours.
    const text = readFileSync(path.join(FIXTURES, 'bounce-postfix-dsn.eml'), 'latin1')
      .replaceAll('facteur.test', domain)
      .replaceAll('client@customer.test', recipient)
      .replaceAll('{{SENT_MESSAGE_ID}}', header('message-id'))
      .replaceAll('{{X_MESSAGE_ID}}', header('x-message-id'))
      .replaceAll('{{REPLY_ADDRESS}}', header('reply-to'));
    return Buffer.from(text, 'latin1');
  }
});
