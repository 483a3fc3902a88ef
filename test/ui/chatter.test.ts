// The chatter in a real browser: logging in, posting with a mention and seeing each recipient's
// envelope, notes hidden from a portal user, the bell, and live updates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord, listRecordFollowers } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { drainQueue } from '../../src/outbox/worker.ts';
import { externalPartner } from '../helpers/chatter.ts';
import { expectNoConsoleErrors, forgetRefusal, logIn, uiUser, useBrowserWorld } from '../helpers/browser.ts';
import { recordPath } from '../helpers/http.ts';

describe('the chatter in the browser', () => {
  const world = useBrowserWorld();

  test('a wrong password is refused in words; the right one opens the records', async () => {
    const deps = world.server.app.chatter;
    const alice = await uiUser(deps, 'Alice Martin');
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '23', name: 'S00023' });
    const ui = await world.openPage();
    try {
      await ui.page.goto('/');
      await ui.page.getByLabel('Login').fill(alice.login);
      await ui.page.getByLabel('Password').fill('not-the-password');
      await ui.page.getByRole('button', { name: 'Log in' }).click();
      await ui.page.getByRole('alert').filter({ hasText: 'Wrong login or password.' }).waitFor();
      forgetRefusal(ui, 401); // the refused login is a 401 the browser logs itself
      await logIn(ui, alice.login, alice.password);
      await ui.page.getByRole('link', { name: 'S00023' }).click();
      await ui.page.getByRole('heading', { name: /S00023/ }).waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('a message with a mention shows the envelope of each recipient', async () => {
    const deps = world.server.app.chatter;
    const bob = await uiUser(deps, 'Bob Durand');
    const carol = await externalPartner(deps, 'Carol Client', 'carol@customer.example.org');
    const dave = await externalPartner(deps, 'Dave Mention', 'dave@customer.example.org');
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '24', name: 'S00024' });
    await followRecord(deps, SYSTEM, { model: 'sale.order', resId: '24' }, { partnerId: carol.id });
    const ui = await world.openPage();
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

  test('a note is grey for the team and invisible to a portal user who does not follow notes', async () => {
    const deps = world.server.app.chatter;
    const erin = await uiUser(deps, 'Erin Team');
    const paul = await uiUser(deps, 'Paul Portal', { role: 'portal', partner: { name: 'Paul Portal', email: 'paul@customer.example.org' } });
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '25', name: 'S00025' });
    await followRecord(deps, SYSTEM, { model: 'sale.order', resId: '25' }, { partnerId: paul.partnerId, subtypes: ['discussion'] });
    const team = await world.openPage();
    const portal = await world.openPage();
    try {
      await logIn(team, erin.login, erin.password);
      await team.page.goto('/records/sale.order/25');
      await team.page.getByRole('combobox', { name: 'Send message' }).fill('Your order ships Monday.');
      await team.page.getByRole('button', { name: 'Send', exact: true }).click();
      await team.page.locator('article.message').filter({ hasText: 'Your order ships Monday.' }).waitFor();
      await team.page.getByRole('tab', { name: 'Log note' }).click();
      await team.page.getByRole('combobox', { name: 'Log note' }).fill('Margin is thin on this one.');
      await team.page.getByRole('button', { name: 'Log', exact: true }).click();
      const note = team.page.locator('article.message.note').filter({ hasText: 'Margin is thin on this one.' });
      await note.waitFor();
      const grey = await note.evaluate((element) => getComputedStyle(element).backgroundColor);
      const white = await team.page.locator('article.message:not(.note)').first().evaluate((element) => getComputedStyle(element).backgroundColor);
      assert.notEqual(grey, white, 'notes are drawn on grey, messages on white');

      await logIn(portal, paul.login, paul.password);
      await portal.page.goto('/records/sale.order/25');
      await portal.page.locator('article.message').filter({ hasText: 'Your order ships Monday.' }).waitFor();
      assert.equal(await portal.page.getByText('Margin is thin on this one.').count(), 0, 'the portal user does not see the note');
      assert.equal(await portal.page.getByRole('tab', { name: 'Log note' }).count(), 0, 'nor can they log one');
      expectNoConsoleErrors(team);
      expectNoConsoleErrors(portal);
    } finally {
      await team.close();
      await portal.close();
    }
  });

  test("the bell edits a follower's subtypes; followers are added and removed", async () => {
    const deps = world.server.app.chatter;
    const fay = await uiUser(deps, 'Fay Sales');
    const gus = await externalPartner(deps, 'Gus Buyer', 'gus@customer.example.org');
    const hana = await externalPartner(deps, 'Hana Newcomer', 'hana@customer.example.org');
    const ref = { model: 'sale.order', resId: '26' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'S00026' });
    await followRecord(deps, SYSTEM, ref, { partnerId: gus.id, subtypes: ['discussion'] });
    const ui = await world.openPage();
    try {
      await logIn(ui, fay.login, fay.password);
      await ui.page.goto('/records/sale.order/26');
      await ui.page.getByRole('button', { name: 'Edit the subscription of Gus Buyer' }).click();
      const dialog = ui.page.getByRole('dialog', { name: 'Edit the subscription of Gus Buyer' });
      await dialog.getByRole('checkbox', { name: /Note/ }).check();
      await dialog.getByRole('checkbox', { name: /Discussions/ }).uncheck();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
      const followers = await listRecordFollowers(deps, SYSTEM, ref);
      assert.deepEqual(followers.find((f) => f.partnerId === gus.id)?.subtypes.map((s) => s.code), ['note']);
      await ui.page.locator(`.followers li[data-partner="${gus.id}"] .subtypes`).filter({ hasText: 'Note' }).waitFor();

      await ui.page.getByRole('combobox', { name: 'Add a follower…' }).fill('Hana');
      await ui.page.getByRole('option', { name: /Hana Newcomer/ }).click();
      await ui.page.locator(`.followers li[data-partner="${hana.id}"]`).waitFor();
      await ui.page.getByRole('button', { name: 'Remove Gus Buyer' }).click();
      await ui.page.locator(`.followers li[data-partner="${gus.id}"]`).waitFor({ state: 'detached' });
      assert.deepEqual((await listRecordFollowers(deps, SYSTEM, ref)).map((f) => f.partnerId).sort(), [hana.id].sort());
      // Following oneself
      await ui.page.getByRole('button', { name: 'Follow', exact: true }).click();
      await ui.page.locator(`.followers li[data-partner="${fay.partnerId}"]`).waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('a message posted elsewhere appears live, and its envelope turns from queued to sent as the queue is sent', async () => {
    const deps = world.server.app.chatter;
    const ivy = await uiUser(deps, 'Ivy Watcher');
    const jon = await externalPartner(deps, 'Jon Customer', 'jon@customer.example.org');
    const ref = { model: 'sale.order', resId: '27' };
    // The company's alias domain gives the notifications address the email is sent from.
    const company = await createCompany(deps, SYSTEM, { name: 'Live Co', aliasDomain: { domain: 'live.example.com' } });
    await registerRecord(deps, SYSTEM, { ...ref, name: 'S00027', companyId: company.id });
    await followRecord(deps, SYSTEM, ref, { partnerId: jon.id });
    const ui = await world.openPage();
    try {
      await logIn(ui, ivy.login, ivy.password);
      await ui.page.goto('/records/sale.order/27');
      await ui.page.getByText('No messages yet.').waitFor();
      await ui.page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
      // The host application posts through the API: the open chatter hears of it without a reload.
      const posted = await world.server.client.post(`${recordPath('sale.order', '27')}/messages`, { body: '<p>Posted by the ERP.</p>' });
      assert.equal(posted.status, 201, posted.text);
      const envelope = ui.page.locator(`article[data-message-id="${posted.body.id}"] .envelope[data-partner="${jon.id}"]`);
      await envelope.waitFor();
      assert.equal(await envelope.getAttribute('data-status'), 'ready');
      await drainQueue(world.server.app.mail);
      // The host records that a field changed: a tracking line, live too.
      const tracked = await world.server.client.post(`${recordPath('sale.order', '27')}/messages`, { kind: 'tracking', changes: [{ field: 'Stage', from: 'Quotation', to: 'Sales order' }] });
      assert.equal(tracked.status, 201, tracked.text);
      const line = ui.page.locator(`article.message.kind-tracking[data-message-id="${tracked.body.id}"]`);
      assert.equal(await line.locator('.body li').innerText({ timeout: 10_000 }), 'Stage: Quotation → Sales order');
      await ui.page.locator(`article[data-message-id="${posted.body.id}"] .envelope[data-partner="${jon.id}"][data-status="sent"]`).waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('the chatter of a record with 1,000 messages opens in under a second, and older pages load as one scrolls', async () => {
    const deps = world.server.app.chatter;
    const kim = await uiUser(deps, 'Kim Reader');
    const ref = { model: 'project.task', resId: '1000' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'A long-running task' });
    for (let i = 1; i <= 1000; i++) {
      await postMessage(deps, SYSTEM, ref, { kind: i % 5 === 0 ? 'note' : 'comment', body: `<p>Update number ${i}</p>` });
    }
    const ui = await world.openPage();
    try {
      await logIn(ui, kim.login, kim.password);
      await ui.page.goto('/records/project.task/1000'); // warm: the browser has the assets
      await ui.page.getByText('Update number 1000', { exact: true }).waitFor();
      const timings: number[] = [];
      for (let run = 0; run < 3; run++) {
        const started = Date.now();
        await ui.page.goto('/records/project.task/1000');
        await ui.page.getByText('Update number 1000', { exact: true }).waitFor();
        timings.push(Date.now() - started);
      }
      const median = timings.sort((a, b) => a - b)[1]!;
      console.log(`# chatter of 1,000 messages opened in ${timings.join(', ')} ms (median ${median} ms)`);
      assert.ok(median < 1000, `the chatter opens in under a second (median ${median} ms)`);
      const shown = () => ui.page.locator('article.message').count();
      const first = await shown();
      assert.ok(first < 100, `only a page is drawn at first (${first})`);
      await ui.page.locator('.older').scrollIntoViewIfNeeded();
      await ui.page.waitForFunction((before) => document.querySelectorAll('article.message').length > before, first);
      await ui.page.getByRole('button', { name: /Load older messages/ }).focus();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('keyboard only: log in, write with a mention, send with Ctrl+Enter, and change a subscription with the bell', async () => {
    const deps = world.server.app.chatter;
    const lou = await uiUser(deps, 'Lou Keys');
    const max = await externalPartner(deps, 'Max Keyboard', 'max@customer.example.org');
    const ref = { model: 'sale.order', resId: '28' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'S00028' });
    await followRecord(deps, SYSTEM, ref, { partnerId: max.id, subtypes: ['discussion'] });
    const ui = await world.openPage();
    const { page } = ui;
    /** Presses Tab until the focused element matches, as a person would. */
    const tabTo = async (matches: (label: string) => boolean) => {
      for (let presses = 0; presses < 60; presses++) {
        await page.keyboard.press('Tab');
        const label = await page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          const name = element?.getAttribute('aria-label') ?? element?.getAttribute('name') ?? element?.textContent?.trim() ?? '';
          return `${element?.tagName.toLowerCase()}:${name}`;
        });
        if (matches(label)) return;
      }
      assert.fail('the element was not reached with Tab');
    };
    try {
      await page.goto('/');
      await page.getByLabel('Login').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'login', 'the login field has the focus');
      await page.keyboard.type(lou.login);
      await page.keyboard.press('Tab');
      await page.keyboard.type(lou.password);
      await page.keyboard.press('Enter');
      await page.locator('.topbar').waitFor();
      await page.goto('/records/sale.order/28');
      await page.getByText('No messages yet.').waitFor();
      await tabTo((label) => label === 'textarea:Send message');
      await page.keyboard.type('Thanks @Max');
      await page.getByRole('option', { name: /Max Keyboard/ }).waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Enter');
      await page.keyboard.type('for the order.');
      await page.keyboard.press('Control+Enter');
      await page.locator('article.message').filter({ hasText: 'for the order.' }).waitFor();

      await tabTo((label) => label === 'button:Edit the subscription of Max Keyboard');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Edit the subscription of Max Keyboard' });
      await dialog.waitFor();
      await tabTo((label) => label === 'input:note');
      await page.keyboard.press('Space');
      await tabTo((label) => label === 'button:Save');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      const followers = await listRecordFollowers(deps, SYSTEM, ref);
      assert.deepEqual(followers.find((f) => f.partnerId === max.id)?.subtypes.map((s) => s.code).sort(), ['discussion', 'note']);
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
