// The inbox in the browser (seed 000 §1.5): a user who chose it sees the unread count, reads,
// marks read, and jumps to the record; the preference and the language are set from the menu.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { requireUser } from '../../src/chatter/lookups.ts';
import { expectNoConsoleErrors, logIn, uiUser, useBrowserWorld } from '../helpers/browser.ts';

describe('the inbox in the browser', () => {
  const world = useBrowserWorld();

  test('unread count, live arrival, mark read, jump to the record', async () => {
    const deps = world.server.app.chatter;
    const nina = await uiUser(deps, 'Nina Inbox', { notification: 'inbox' });
    const ref = { model: 'crm.lead', resId: '7' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'Big opportunity' });
    await followRecord(deps, SYSTEM, ref, { partnerId: nina.partnerId });
    await postMessage(deps, SYSTEM, ref, { kind: 'comment', body: '<p>First news</p>' });
    const ui = await world.openPage();
    try {
      await logIn(ui, nina.login, nina.password);
      await ui.page.getByRole('link', { name: /Inbox/ }).click();
      await ui.page.getByTestId('inbox-unread').filter({ hasText: '1 unread' }).waitFor();
      await ui.page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
      await postMessage(deps, SYSTEM, ref, { kind: 'comment', body: '<p>Second news</p>' });
      await ui.page.getByText('Second news').waitFor();
      await ui.page.getByTestId('inbox-unread').filter({ hasText: '2 unread' }).waitFor();
      await ui.page.getByTestId('unread-count').filter({ hasText: '2' }).waitFor();
      await ui.page.locator('.inbox-list li').filter({ hasText: 'First news' }).getByRole('button', { name: 'Mark read' }).click();
      await ui.page.getByTestId('inbox-unread').filter({ hasText: '1 unread' }).waitFor();
      await ui.page.locator('.inbox-list li').filter({ hasText: 'Second news' }).getByRole('link', { name: 'Big opportunity' }).click();
      await ui.page.getByRole('heading', { name: /Big opportunity/ }).waitFor();
      await ui.page.locator('article.message').filter({ hasText: 'Second news' }).waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('the notification preference and the language are chosen from the menu', async () => {
    const deps = world.server.app.chatter;
    const omar = await uiUser(deps, 'Omar Prefs');
    const ui = await world.openPage({ locale: 'fr-FR' });
    try {
      await logIn(ui, omar.login, omar.password);
      // The browser speaks French: so does the UI, until the user chooses.
      await ui.page.getByRole('link', { name: 'Enregistrements' }).waitFor();
      await ui.page.getByLabel('Me notifier par').selectOption('inbox');
      await ui.page.waitForFunction(async () => (await (await fetch('/api/session')).json()).notification === 'inbox');
      assert.equal((await requireUser(deps.db, omar.id)).notification, 'inbox');
      await ui.page.getByLabel('Langue').selectOption('en');
      await ui.page.getByRole('link', { name: 'Records' }).waitFor();
      assert.equal((await requireUser(deps.db, omar.id)).language, 'en');
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
