// The catcher in a real browser: with no outgoing server, the email to a record's external follower
// is kept by the catcher; an administrator reads it (HTML, headers) and replies as its recipient; the
// reply is routed back to the record, and a colleague who has the record open sees it arrive live.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { listServers } from '../../src/mail/servers.ts';
import { expectNoConsoleErrors, logIn, uiUser, useBrowserWorld } from '../helpers/browser.ts';
import { externalPartner } from '../helpers/chatter.ts';
import { recordPath } from '../helpers/http.ts';

describe('the catcher in the browser', () => {
  const world = useBrowserWorld();

  test('an admin replies as the recipient of a caught email; the record open elsewhere shows the reply live', async () => {
    const deps = world.server.app.chatter;
    assert.deepEqual(await listServers(world.server.app.mail, SYSTEM), [], 'no outgoing server: the catcher is the transport');
    const company = await createCompany(deps, SYSTEM, { name: 'Catcher Co', aliasDomain: { domain: 'catcher-ui.facteur.test' } });
    const ref = { model: 'sale.order', resId: '31' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'S00031', companyId: company.id });
    const claire = await externalPartner(deps, 'Claire Client', 'claire@customer.example.org');
    await followRecord(deps, SYSTEM, ref, { partnerId: claire.id });
    const posted = await world.server.client.post(`${recordPath(ref.model, ref.resId)}/messages`, { subject: 'Quotation S00031', body: '<p>Your quotation S00031 is ready.</p>' });
    assert.equal(posted.status, 201, posted.text);
    const sent = await world.server.client.post('/api/outbox/send');
    assert.equal(sent.status, 200, sent.text);

    const bob = await uiUser(deps, 'Bob Seller');
    const admin = await uiUser(deps, 'Ada Admin', { isAdmin: true });
    const [seller, operator] = await Promise.all([world.openPage(), world.openPage()]);
    try {
      // Page 1: the seller has the record's chatter open.
      await logIn(seller, bob.login, bob.password);
      await seller.page.goto(`/records/${ref.model}/${ref.resId}`);
      await seller.page.locator('article.message').getByText('Your quotation S00031 is ready.').waitFor();
      await seller.page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
      await seller.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

      // Page 2: the admin reads the caught email.
      await logIn(operator, admin.login, admin.password);
      await operator.page.getByRole('link', { name: 'Catcher' }).click();
      await operator.page.getByRole('heading', { name: 'Catcher' }).waitFor();
      const row = operator.page.locator('table.caught-list tbody tr').filter({ hasText: 'claire@customer.example.org' });
      await row.getByRole('link', { name: 'Quotation S00031' }).click();
      await operator.page.getByRole('heading', { name: 'Quotation S00031' }).waitFor();
      // The HTML tab renders the body inside the sandboxed frame.
      const frame = operator.page.locator('iframe.mail-html');
      assert.equal(await frame.getAttribute('sandbox'), '');
      await operator.page.frameLocator('iframe.mail-html').getByText('Your quotation S00031 is ready.').waitFor();
      await operator.page.getByRole('tab', { name: 'Headers' }).click();
      const messageId = operator.page.locator('table.caught-headers tr').filter({ has: operator.page.getByRole('rowheader', { name: 'message-id', exact: true }) });
      assert.equal((await messageId.locator('td').innerText()).trim(), posted.body.rfcMessageId);

      // Reply as Claire.
      await operator.page.getByRole('button', { name: 'Reply as this recipient' }).click();
      const form = operator.page.getByRole('form', { name: 'Reply as a recipient' });
      assert.equal(await form.getByLabel('Reply as').inputValue(), 'claire@customer.example.org');
      await form.getByLabel('Your reply').fill('Thank you, we accept the quotation.');
      await form.getByRole('button', { name: 'Send the reply' }).click();
      const outcome = form.getByRole('status').filter({ hasText: 'Routed to sale.order 31' });
      await outcome.waitFor();
      assert.equal(await outcome.getByRole('link', { name: 'open the record' }).getAttribute('href'), `/records/${ref.model}/${ref.resId}`);

      // Page 1 shows the reply without being reloaded.
      const reply = seller.page.locator('article.message').filter({ hasText: 'Thank you, we accept the quotation.' });
      await reply.waitFor();
      assert.match(await reply.innerText(), /Claire Client/);
      assert.equal(await seller.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'the page was not reloaded');

      expectNoConsoleErrors(seller);
      expectNoConsoleErrors(operator);
    } finally {
      await Promise.all([seller.close(), operator.close()]);
    }
  });
});
