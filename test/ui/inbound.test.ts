// Inbound mail in a real browser: an email to an address nothing routes shows up unrouted with its
// reason and headers; re-processing leaves it so; the admin attaches it to a record they search
// for, and the message appears in that record's chatter.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { expectNoConsoleErrors, logIn, uiUser, useBrowserWorld } from '../helpers/browser.ts';

describe('inbound mail in the browser', () => {
  const world = useBrowserWorld();

  test('an unrouted email is attached to a record from the screen and appears in its chatter', async () => {
    const deps = world.server.app.chatter;
    const admin = await uiUser(deps, 'Inbound Admin', { isAdmin: true });
    const domain = 'inbound-ui.facteur.test';
    await createCompany(deps, SYSTEM, { name: 'Inbound Co', aliasDomain: { domain } });
    await registerRecord(deps, SYSTEM, { model: 'helpdesk.ticket', resId: 'T-7', name: 'Ticket T7: broken printer' });
    const raw = await new MailComposer({
      from: 'Olga Outside <olga@outside.example.org>',
      to: `lost-and-found@${domain}`,
      subject: 'The printer again',
      text: 'It prints everything twice since Monday.',
      messageId: '<printer-twice@outside.example.org>',
      date: new Date(),
    })
      .compile()
      .build();
    const handedIn = await world.server.client.fetch('/api/inbound', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: new Uint8Array(raw) });
    const stored = (await handedIn.json()) as { id: number; state: string };
    assert.equal(stored.state, 'unrouted');

    const ui = await world.openPage();
    try {
      const { page } = ui;
      await logIn(ui, admin.login, admin.password);
      await page.getByRole('link', { name: 'Inbound' }).click();
      await page.locator('.counts button[data-state="unrouted"]').filter({ hasText: '1' }).waitFor();
      const row = page.locator(`tr[data-inbound="${stored.id}"]`);
      await row.locator('.reason').filter({ hasText: 'no reply token, known thread or alias matched' }).waitFor();
      assert.match(await row.innerText(), /olga@outside\.example\.org/);
      assert.match(await row.locator('.state-chip').innerText(), /Unrouted/);

      // The detail: its reason, its headers, its raw text.
      await page.getByRole('button', { name: `Show message ${stored.id}` }).click();
      const detail = page.getByRole('complementary', { name: `Message #${stored.id}` });
      await detail.getByTestId('inbound-reason').filter({ hasText: 'no reply token' }).waitFor();
      await detail.locator('table.headers tr').filter({ hasText: 'The printer again' }).waitFor();
      await detail.getByRole('tab', { name: 'Raw' }).click();
      await detail.locator('pre.raw').filter({ hasText: 'It prints everything twice since Monday.' }).waitFor();

      // Nothing changed since it came in: processing it again leaves it unrouted.
      await detail.getByRole('button', { name: 'Re-process' }).click();
      await detail.getByRole('status').filter({ hasText: 'Processed again: Unrouted.' }).waitFor();

      await detail.getByRole('button', { name: 'Attach to a record…' }).click();
      await detail.getByRole('searchbox', { name: 'Find a record' }).fill('broken printer');
      await detail.getByRole('button', { name: 'Search' }).click();
      await detail.getByRole('button', { name: 'Attach to Ticket T7: broken printer' }).click();
      await detail.getByRole('status').filter({ hasText: 'Attached to Ticket T7: broken printer' }).waitFor();
      await detail.getByTestId('inbound-state').filter({ hasText: 'Routed' }).waitFor();
      await detail.getByTestId('inbound-reason').filter({ hasText: `attached by hand to helpdesk.ticket T-7 by Inbound Admin (${admin.login})` }).waitFor();
      await page.locator('.counts button[data-state="routed"]').filter({ hasText: '1' }).waitFor();
      assert.equal(await detail.getByRole('button', { name: 'Attach to a record…' }).count(), 0, 'a routed email cannot be attached again');

      await detail.getByRole('link', { name: 'Ticket T7: broken printer' }).click();
      const message = page.locator('article.message').filter({ hasText: 'It prints everything twice since Monday.' });
      await message.waitFor();
      assert.match(await message.innerText(), /Olga Outside|olga@outside\.example\.org/);
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
