// Settings in a real browser: companies with their alias domain and addresses, aliases, outgoing
// servers (Sweego's form rules, "Test connection" against a real SMTP peer), incoming servers and the
// Sweego settings — each checked through the API too, in English and in French.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { expectNoConsoleErrors, forgetRefusal, logIn, type UiPage, uiUser, useBrowserWorld } from '../helpers/browser.ts';
import { closedPort, startSmtpPeer, type SmtpPeer } from '../helpers/smtp.ts';

describe('settings in the browser', () => {
  const world = useBrowserWorld();
  let peer: SmtpPeer;
  let admin: { login: string; password: string };
  before(async () => {
    peer = await startSmtpPeer();
    admin = await uiUser(world.server.app.chatter, 'Admin', { isAdmin: true });
  });
  after(async () => {
    await peer?.close();
  });

  async function adminPage(section: string, locale?: string): Promise<UiPage> {
    const ui = await world.openPage(locale ? { locale } : {});
    await logIn(ui, admin.login, admin.password);
    await ui.page.goto(`/settings/${section}`);
    return ui;
  }

  test('a company with an alias domain shows its addresses; a taken domain is refused in words', async () => {
    const ui = await adminPage('companies');
    const { page } = ui;
    try {
      await page.getByRole('button', { name: 'New company' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Acme');
      await page.getByLabel(/^Alias domain/).fill('acme.example.com');
      await page.getByLabel(/^Catchall/).fill('replies');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const row = page.locator('tr', { hasText: 'Acme' });
      for (const address of ['replies@acme.example.com', 'bounce@acme.example.com', 'notifications@acme.example.com']) await row.getByText(address).waitFor();

      const listed = (await world.server.client.get('/api/companies')).body as { id: number; name: string; aliasDomain: unknown }[];
      const acme = listed.find((c) => c.name === 'Acme');
      assert.deepEqual(acme?.aliasDomain, { domain: 'acme.example.com', catchall: 'replies', bounce: 'bounce', defaultFrom: 'notifications' });

      await page.getByRole('button', { name: 'Edit Acme' }).click();
      assert.equal(await page.getByLabel(/^Alias domain/).inputValue(), 'acme.example.com');
      await page.getByLabel(/^Bounce/).fill('returns');
      await page.getByRole('button', { name: 'Save' }).click();
      await row.getByText('returns@acme.example.com').waitFor();
      assert.equal((await world.server.client.get(`/api/companies/${acme!.id}`)).body.aliasDomain.bounce, 'returns');

      await page.getByRole('button', { name: 'New company' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Copycat');
      await page.getByLabel(/^Alias domain/).fill('acme.example.com');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('alert').filter({ hasText: 'The alias domain acme.example.com already belongs to another company.' }).waitFor();
      forgetRefusal(ui, 409);
      assert.ok(!((await world.server.client.get('/api/companies')).body as { name: string }[]).some((c) => c.name === 'Copycat'));
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('an alias is created under a parent record, a reserved name is refused, and it can be deleted', async () => {
    const deps = world.server.app.chatter;
    expectStatus(await world.server.client.post('/api/companies', { name: 'Alias Co', aliasDomain: { domain: 'alias-co.example.com' } }), 201);
    await registerRecord(deps, SYSTEM, { model: 'crm.team', resId: '7', name: 'Sales team' });
    const ui = await adminPage('aliases');
    const { page } = ui;
    try {
      await page.getByRole('button', { name: 'New alias' }).click();
      await page.getByLabel(/^Alias name/).fill('reply');
      await page.getByLabel(/^Alias domain/).selectOption('alias-co.example.com');
      await page.getByLabel(/^Model/).fill('crm.lead');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: '"reply" is reserved for reply tokens and bounces' }).waitFor();
      forgetRefusal(ui, 400);

      await page.getByLabel(/^Alias name/).fill('sales');
      await page.getByLabel(/^Parent record model/).fill('crm.team');
      await page.getByLabel(/^Parent record id/).fill('7');
      await page.getByLabel(/^Who may write/).selectOption('partners');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Alias created.' }).waitFor();
      const row = page.locator('tr', { hasText: 'sales@alias-co.example.com' });
      await row.getByText('Creates crm.lead under Sales team (crm.team 7)').waitFor();
      await row.getByText('Known contacts only').waitFor();

      const aliases = (await world.server.client.get('/api/aliases')).body as { id: number; name: string; domain: string; model: string; parent: unknown; contactPolicy: string }[];
      const sales = aliases.find((a) => a.name === 'sales' && a.domain === 'alias-co.example.com');
      assert.equal(sales?.model, 'crm.lead');
      assert.equal(sales?.contactPolicy, 'partners');
      assert.deepEqual(sales?.parent, { model: 'crm.team', resId: '7', name: 'Sales team' });

      await row.getByRole('button', { name: 'Delete sales@alias-co.example.com' }).click();
      await row.getByRole('button', { name: 'Yes, delete' }).click();
      await page.getByRole('status').filter({ hasText: 'Alias deleted.' }).waitFor();
      await row.waitFor({ state: 'detached' });
      assert.ok(!((await world.server.client.get('/api/aliases')).body as { id: number }[]).some((a) => a.id === sales!.id));
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('choosing Sweego fills port 2525 and STARTTLS and blanks the host; its secrets are never shown', async () => {
    const ui = await adminPage('servers');
    const { page } = ui;
    const password = 'sweego-smtp-password-42';
    const secret = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTEyMw==';
    try {
      await page.getByRole('button', { name: 'New outgoing server' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Sweego relay');
      await page.getByLabel(/^Host/).fill('smtp.example.com');
      assert.equal(await page.getByLabel(/^Outbound webhook secret/).count(), 0, 'an SMTP server has no webhook secrets');
      await page.getByLabel(/^Kind/).selectOption('sweego');
      assert.equal(await page.getByLabel(/^Port/).inputValue(), '2525');
      assert.equal(await page.getByLabel(/^Encryption/).inputValue(), 'starttls');
      assert.equal(await page.getByLabel(/^Host/).inputValue(), '', 'the host is blanked, to be typed in');
      await page.getByLabel(/^Outbound webhook secret/).waitFor();
      await page.getByLabel(/^Inbound webhook secret/).waitFor();
      await page.getByLabel(/^Delete after delivery/).waitFor();

      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('alert').filter({ hasText: 'A Sweego server needs its SMTP host: type smtp.sweego.io' }).waitFor();
      forgetRefusal(ui, 400);
      await page.getByLabel(/^Host/).fill('smtp.sweego.io');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('alert').filter({ hasText: 'A Sweego server needs its SMTP username' }).waitFor();
      forgetRefusal(ui, 400);

      await page.getByLabel(/^Username/).fill('sweego-user');
      await page.getByLabel(/^Password/).fill(password);
      await page.getByLabel(/^Outbound webhook secret/).fill(secret);
      await page.getByLabel(/^Delete after delivery/).check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const row = page.locator('tr', { hasText: 'Sweego relay' });
      await row.getByText('smtp.sweego.io:2525 · STARTTLS').waitFor();
      await row.getByText('password set · webhook secrets: 1 of 2').waitFor();

      const servers = (await world.server.client.get('/api/servers')).body as Record<string, unknown>[];
      const sweego = servers.find((s) => s.name === 'Sweego relay');
      assert.deepEqual(
        [sweego?.kind, sweego?.host, sweego?.port, sweego?.security, sweego?.username, sweego?.hasPassword, sweego?.hasOutboundWebhookSecret, sweego?.hasInboundWebhookSecret, sweego?.deleteAfterDelivery],
        ['sweego', 'smtp.sweego.io', 2525, 'starttls', 'sweego-user', true, true, false, true],
      );

      await page.getByRole('button', { name: 'Edit Sweego relay' }).click();
      assert.equal(await page.getByLabel(/^Password/).inputValue(), '');
      assert.equal(await page.getByLabel(/^Outbound webhook secret/).inputValue(), '');
      await page.getByText('A password is set; type a new one to replace it.').waitFor();
      await page.getByText('A secret is set; type a new one to replace it.').waitFor();
      const html = await page.content();
      assert.ok(!html.includes(password) && !html.includes(secret), 'no stored secret reaches the page');
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('Test connection says in words that a local SMTP server answers, then why a wrong port does not', async () => {
    const ui = await adminPage('servers');
    const { page } = ui;
    try {
      await page.getByRole('button', { name: 'New outgoing server' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Local relay');
      await page.getByLabel(/^Host/).fill(peer.host);
      await page.getByLabel(/^Port/).fill(String(peer.port));
      await page.getByLabel(/^Encryption/).selectOption('none');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const row = page.locator('tr', { hasText: 'Local relay' });
      await row.getByRole('button', { name: 'Test connection' }).click();
      await row.getByText('Connection succeeded.').waitFor();
      assert.ok(peer.seen.connections >= 1, 'the SMTP peer was really reached');

      const down = await closedPort();
      await page.getByRole('button', { name: 'Edit Local relay' }).click();
      await page.getByLabel(/^Port/).fill(String(down));
      await page.getByRole('button', { name: 'Save' }).click();
      await row.getByText(`${peer.host}:${down}`).waitFor();
      await row.getByRole('button', { name: 'Test connection' }).click();
      const failure = row.getByText(/^Connection failed: /);
      await failure.waitFor();
      assert.match(await failure.innerText(), /refused/i);

      const local = ((await world.server.client.get('/api/servers')).body as { id: number; name: string; port: number }[]).find((s) => s.name === 'Local relay')!;
      assert.equal(local.port, down);
      assert.equal((await world.server.client.post(`/api/servers/${local.id}/test`)).body.ok, false);
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('an incoming server is saved without its password; Test and Fetch now answer in words', async () => {
    const ui = await adminPage('incoming');
    const { page } = ui;
    const down = await closedPort();
    try {
      await page.getByRole('button', { name: 'New incoming server' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Replies box');
      await page.getByLabel(/^Host/).fill('127.0.0.1');
      await page.getByLabel(/^Encryption/).selectOption('none');
      await page.getByLabel(/^Port/).fill(String(down));
      await page.getByLabel(/^Username/).fill('replies');
      await page.getByLabel(/^Password/).fill('imap-password-7');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const row = page.locator('tr', { hasText: 'Replies box' });
      await row.getByRole('button', { name: 'Test connection' }).click();
      await row.getByText(/^Connection failed: /).waitFor();
      await row.getByRole('button', { name: 'Fetch now' }).click();
      await row.getByText(/^The fetch stopped early: /).waitFor();

      const box = ((await world.server.client.get('/api/incoming-servers')).body as Record<string, unknown>[]).find((s) => s.name === 'Replies box');
      assert.deepEqual([box?.host, box?.port, box?.security, box?.username, box?.hasPassword], ['127.0.0.1', down, 'none', 'replies', true]);
      assert.ok(!(await page.content()).includes('imap-password-7'));
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('the Sweego API key is written, never echoed back, and the page says one is set', async () => {
    const ui = await adminPage('sweego');
    const { page } = ui;
    const key = 'sweego-api-key-0123456789';
    try {
      await page.getByText('No API key is set').waitFor();
      await page.getByLabel(/^Client UUID/).fill('not-a-uuid');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('alert').filter({ hasText: 'The client UUID is the account UUID shown in Sweego' }).waitFor();
      forgetRefusal(ui, 400);

      await page.getByLabel(/^API key/).fill(key);
      await page.getByLabel(/^Client UUID/).fill('3F2B8C1E-1111-4222-8333-444455556666');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await page.getByText('An API key is set.').waitFor();
      assert.equal(await page.getByLabel(/^API key/).inputValue(), '');
      assert.equal(await page.getByLabel(/^Client UUID/).inputValue(), '3f2b8c1e-1111-4222-8333-444455556666');
      assert.ok(!(await page.content()).includes(key));
      const settings = await world.server.client.get('/api/settings/sweego');
      assert.deepEqual(settings.body, { hasApiKey: true, clientUuid: '3f2b8c1e-1111-4222-8333-444455556666', apiUrl: 'https://api.sweego.io' });
      assert.ok(!settings.text.includes(key));

      await page.getByRole('button', { name: 'Sync delivery logs now' }).click();
      await page.getByText('No email is waiting for Sweego’s confirmation: nothing to sync.').waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });

  test('each section renders without console errors, in French when the browser is French', async () => {
    const french: Record<string, string> = {
      companies: 'Nouvelle société',
      aliases: 'Nouvel alias',
      servers: 'Nouveau serveur sortant',
      incoming: 'Nouveau serveur entrant',
      sweego: 'Synchroniser les journaux maintenant',
    };
    const english: Record<string, string> = {
      companies: 'New company',
      aliases: 'New alias',
      servers: 'New outgoing server',
      incoming: 'New incoming server',
      sweego: 'Sync delivery logs now',
    };
    const keyLabel = { 'fr-FR': 'Clé d’API', 'en-GB': 'API key' };
    for (const [locale, words] of [['fr-FR', french], ['en-GB', english]] as const) {
      const ui = await adminPage('companies', locale);
      try {
        for (const [section, label] of Object.entries(words)) {
          await ui.page.goto(`/settings/${section}`);
          await ui.page.getByRole('button', { name: label }).waitFor();
          await ui.page.locator('.loading').waitFor({ state: 'detached' });
        }
        await ui.page.getByLabel(new RegExp(`^${keyLabel[locale]}`)).waitFor();
        expectNoConsoleErrors(ui);
      } finally {
        await ui.close();
      }
    }
  });
});

function expectStatus(result: { status: number; text: string }, status: number): void {
  assert.equal(result.status, status, result.text);
}
