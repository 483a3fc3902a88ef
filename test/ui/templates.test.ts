// Settings in a real browser, as an administrator: a mail template written with a live preview (and a
// Liquid mistake shown in words), then picked in a record's composer and sent; a user created in
// "Users & API keys", and an API key shown once, used, then revoked; subtypes defined and changed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { listSubtypes } from '../../src/chatter/subtypes.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { externalPartner } from '../helpers/chatter.ts';
import { expectNoConsoleErrors, forgetRefusal, logIn, uiUser, useBrowserWorld } from '../helpers/browser.ts';

describe('templates, users and API keys in the settings', () => {
  const world = useBrowserWorld();

  test('a template previewed live on a record, with Liquid errors in words, then used in the composer and sent', async () => {
    const deps = world.server.app.chatter;
    const admin = await uiUser(deps, 'Ada Admin', { isAdmin: true });
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '41', name: 'S00041' });
    const carol = await externalPartner(deps, 'Carol Client', 'carol@customer.example.org');
    await followRecord(deps, SYSTEM, { model: 'sale.order', resId: '41' }, { partnerId: carol.id });
    const ui = await world.openPage();
    const { page } = ui;
    try {
      await logIn(ui, admin.login, admin.password);
      await page.goto('/settings/templates');
      await page.getByText('No template yet.').waitFor();
      await page.getByRole('button', { name: 'New template' }).click();
      const editor = page.getByRole('region', { name: 'New template' });
      await editor.getByRole('textbox', { name: /^Name/ }).fill('Quotation ready');
      await editor.getByRole('combobox', { name: /^Model/ }).fill('sale.order');
      await editor.getByRole('textbox', { name: /^Subject/ }).fill('Quotation {{ record.name }}');
      const body = editor.getByRole('textbox', { name: /^Body/ });
      await body.fill('<p>Dear customer, {{ record.name }} is ready.</p>');

      // The chooser offers the model's records and takes the first; the preview follows the typing.
      await assert.doesNotReject(editor.getByRole('combobox', { name: 'Preview on' }).locator('option', { hasText: 'S00041' }).waitFor({ state: 'attached' }));
      await editor.getByTestId('preview-subject').filter({ hasText: 'Quotation S00041' }).waitFor();
      const frame = editor.frameLocator('iframe[title="Rendered body"]');
      await frame.getByText('Dear customer, S00041 is ready.').waitFor();
      assert.equal(await editor.locator('iframe[title="Rendered body"]').getAttribute('sandbox'), '', 'the preview runs nothing');

      await body.fill('<p>Dear customer, {{ record.name }} is ready.</p>{% if %}');
      await editor.getByRole('alert').filter({ hasText: /The template cannot be rendered: .*The body is not valid Liquid: invalid value expression/ }).waitFor();
      forgetRefusal(ui, 400, { every: true }); // the refused preview is a 400 the browser logs itself
      await body.fill('<p>Dear customer, {{ record.name }} is ready.</p>');
      await editor.getByRole('alert').waitFor({ state: 'detached' });

      await editor.getByRole('button', { name: 'Save' }).click();
      // Saved, the editor stays open on the template, now named in its title.
      await page.getByRole('region', { name: 'Edit “Quotation ready”' }).getByText('Saved.').waitFor();
      await page.getByRole('cell', { name: 'Quotation ready', exact: true }).waitFor();

      // The composer's picker renders the template on the record and fills subject and body.
      await page.goto('/records/sale.order/41');
      await page.getByRole('combobox', { name: 'Use a template…' }).selectOption({ label: 'Quotation ready' });
      const subject = page.getByRole('textbox', { name: 'Subject' });
      await page.waitForFunction(() => (document.querySelector('input.subject-input') as HTMLInputElement | null)?.value === 'Quotation S00041');
      assert.equal(await subject.inputValue(), 'Quotation S00041');
      assert.equal(await page.getByRole('combobox', { name: 'Send message' }).inputValue(), 'Dear customer, S00041 is ready.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const message = page.locator('article.message').first();
      await message.getByText('Dear customer, S00041 is ready.').waitFor();
      await message.getByText('Quotation S00041').waitFor();
      await message.locator(`.envelope[data-partner="${carol.id}"]`).waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('a user created in Users & API keys logs in; an API key is shown once, works, and is refused once revoked', async () => {
    const deps = world.server.app.chatter;
    const admin = await uiUser(deps, 'Ben Boss', { isAdmin: true });
    const ui = await world.openPage();
    const { page } = ui;
    try {
      await logIn(ui, admin.login, admin.password);
      await page.goto('/settings/users');
      await page.getByRole('button', { name: 'New user' }).click();
      const form = page.getByRole('region', { name: 'New user' });
      await form.getByRole('textbox', { name: /^Login/ }).fill('nina.new');
      await form.getByRole('textbox', { name: /^Name/ }).fill('Nina New');
      await form.getByRole('textbox', { name: /^Email/ }).fill('nina@company.example.com');
      await form.getByLabel(/^Password/).fill('nina-password-1');
      await form.getByRole('combobox', { name: /^Notified by/ }).selectOption('inbox');
      await form.getByRole('button', { name: 'Save' }).click();
      const row = page.getByRole('row').filter({ hasText: 'nina.new' });
      await row.getByText('Can log in').waitFor();
      assert.match(await row.innerText(), /Nina New[\s\S]*nina@company\.example\.com[\s\S]*Internal[\s\S]*Inbox/);
      const login = await fetch(`${world.server.baseUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'nina.new', password: 'nina-password-1' }) });
      assert.equal(login.status, 200, 'the new user logs in with the password set in the form');

      // Making her an administrator from the edit form.
      await row.getByRole('button', { name: 'Edit nina.new' }).click();
      const edit = page.getByRole('region', { name: 'Edit nina.new' });
      await edit.getByRole('checkbox', { name: 'Administrator' }).check();
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.getByText('Saved.').waitFor();
      await row.getByText('Administrator').waitFor();

      await page.getByRole('textbox', { name: 'What the key is for' }).fill('ERP production');
      await page.getByRole('button', { name: 'Create a key' }).click();
      const shown = page.getByTestId('new-api-key');
      const key = (await shown.innerText()).trim();
      assert.match(key, /^fct_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      await page.getByRole('button', { name: 'Copy' }).waitFor();
      const withKey = await fetch(`${world.server.baseUrl}/api/subtypes`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(withKey.status, 200, 'the new key authenticates');

      // Shown once: after a reload only its prefix is listed.
      await page.reload();
      const keyRow = page.getByRole('row').filter({ hasText: 'ERP production' });
      await keyRow.getByText('active').waitFor();
      assert.equal(await page.getByText(key).count(), 0, 'the key is never shown again');
      await keyRow.getByRole('button', { name: 'Revoke ERP production' }).click();
      await keyRow.getByRole('button', { name: 'Yes, revoke' }).click();
      await keyRow.getByText('revoked').waitFor();
      const revoked = await fetch(`${world.server.baseUrl}/api/subtypes`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(revoked.status, 401, 'the revoked key is refused');
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('a subtype is defined for a model with a parent subtype, then changed; a mistake is refused in words', async () => {
    const deps = world.server.app.chatter;
    const admin = await uiUser(deps, 'Sue Subtypes', { isAdmin: true });
    const ui = await world.openPage();
    const { page } = ui;
    try {
      await logIn(ui, admin.login, admin.password);
      await page.goto('/settings/subtypes');
      await page.getByRole('button', { name: 'New subtype' }).click();
      let form = page.getByRole('region', { name: 'New subtype' });
      await form.getByRole('textbox', { name: /^Code/ }).fill('team_quote');
      await form.getByRole('textbox', { name: /^Name/ }).fill('Team quotation');
      await form.getByRole('textbox', { name: /^Model/ }).fill('crm.team');
      await form.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('region', { name: 'Edit “Team quotation”' }).getByText('Saved.').waitFor();

      await page.getByRole('button', { name: 'New subtype' }).click();
      form = page.getByRole('region', { name: 'New subtype' });
      await form.getByRole('textbox', { name: /^Code/ }).fill('Bad Code');
      await form.getByRole('textbox', { name: /^Name/ }).fill('Quotation sent');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByRole('alert').filter({ hasText: /lowercase letters, digits, _ and \./ }).waitFor();
      forgetRefusal(ui, 400); // the refused save is a 400 the browser logs itself
      await form.getByRole('textbox', { name: /^Code/ }).fill('quotation_sent');
      await form.getByRole('textbox', { name: /^Model/ }).fill('sale.order');
      await form.getByRole('combobox', { name: /^Follows the parent subtype/ }).selectOption({ label: 'Team quotation — crm.team' });
      await form.getByRole('checkbox', { name: 'Internal' }).check();
      await form.getByRole('button', { name: 'Save' }).click();
      const edit = page.getByRole('region', { name: 'Edit “Quotation sent”' });
      await edit.getByText('Saved.').waitFor();
      await edit.getByRole('checkbox', { name: 'Given to new followers' }).check();
      await edit.getByRole('textbox', { name: /^Name/ }).fill('Quotation sent to customer');
      await edit.getByRole('button', { name: 'Save' }).click();
      const row = page.getByRole('row').filter({ hasText: 'Quotation sent to customer' });
      await row.getByText('default').waitFor();
      assert.match(await row.innerText(), /quotation_sent[\s\S]*sale\.order[\s\S]*internal[\s\S]*Team quotation \(crm\.team\)/);

      const saved = (await listSubtypes(deps)).find((st) => st.code === 'quotation_sent')!;
      const parent = (await listSubtypes(deps)).find((st) => st.code === 'team_quote')!;
      assert.deepEqual(
        { name: saved.name, model: saved.model, internal: saved.internal, isDefault: saved.isDefault, parentSubtypeId: saved.parentSubtypeId },
        { name: 'Quotation sent to customer', model: 'sale.order', internal: true, isDefault: true, parentSubtypeId: parent.id },
      );
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
