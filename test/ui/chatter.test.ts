// The chatter in a real browser: logging in, posting with a mention and seeing each recipient's
// envelope, notes hidden from a portal user, the bell, and live updates.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { externalPartner } from '../helpers/chatter.ts';
import { expectNoConsoleErrors, launchBrowser, logIn, openPage, uiUser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/http.ts';

describe('the chatter in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a wrong password is refused in words; the right one opens the records', async () => {
    const deps = server.app.chatter;
    const alice = await uiUser(deps, 'Alice Martin');
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '23', name: 'S00023' });
    const ui = await openPage(browser, server.baseUrl);
    try {
      await ui.page.goto('/');
      await ui.page.getByLabel('Login').fill(alice.login);
      await ui.page.getByLabel('Password').fill('not-the-password');
      await ui.page.getByRole('button', { name: 'Log in' }).click();
      await ui.page.getByRole('alert').filter({ hasText: 'Wrong login or password.' }).waitFor();
      ui.problems.length = 0; // the refused login is a 401 the browser logs itself
      await logIn(ui, alice.login, alice.password);
      await ui.page.getByRole('link', { name: 'S00023' }).click();
      await ui.page.getByRole('heading', { name: /S00023/ }).waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('a message with a mention shows the envelope of each recipient', async () => {
    const deps = server.app.chatter;
    const bob = await uiUser(deps, 'Bob Durand');
    const carol = await externalPartner(deps, 'Carol Client', 'carol@customer.example.org');
    const dave = await externalPartner(deps, 'Dave Mention', 'dave@customer.example.org');
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '24', name: 'S00024' });
    await followRecord(deps, SYSTEM, { model: 'sale.order', resId: '24' }, { partnerId: carol.id });
    const ui = await openPage(browser, server.baseUrl);
    try {
      await logIn(ui, bob.login, bob.password);
      await ui.page.goto('/records/sale.order/24');
      const box = ui.page.getByRole('combobox', { name: 'Send message' });
      await box.click();
      await box.pressSequentially('Hello @Dave');
      await ui.page.getByRole('option', { name: /Dave Mention/ }).waitFor();
      await box.press('Enter');
      assert.equal(await box.inputValue(), 'Hello @Dave Mention ');
      await box.pressSequentially('the quotation is ready.');
      await ui.page.getByRole('button', { name: 'Send', exact: true }).click();
      const message = ui.page.locator('article.message').first();
      await message.getByText('the quotation is ready.').waitFor();
      // The follower and the mentioned partner each get an email: both envelopes are shown.
      await message.locator(`.envelope[data-partner="${carol.id}"]`).waitFor();
      await message.locator(`.envelope[data-partner="${dave.id}"]`).waitFor();
      assert.match(await message.locator('.body').innerHTML(), /Dave Mention/);
      // Dave now follows (seed 000: a mentioned partner is notified, and added by the post)
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
