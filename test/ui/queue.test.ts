// The send queue in a real browser (seed 002): an SMTP server that refuses the recipients leaves the
// entries in error with the server's own words; an admin reads them, cancels one, filters by state,
// and once the server accepts, "Retry errors" then "Send pending now" really deliver the other.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { createServer } from '../../src/mail/servers.ts';
import { externalPartner } from '../helpers/chatter.ts';
import { expectNoConsoleErrors, logIn, uiUser, useBrowserWorld } from '../helpers/browser.ts';
import { MAILBOX_UNAVAILABLE_WORDS, startSmtpPeer, type SmtpPeer } from '../helpers/smtp.ts';
import { smtpServer } from '../helpers/smtp-app.ts';

describe('the send queue in the browser', () => {
  const world = useBrowserWorld();
  let peer: SmtpPeer;
  before(async () => {
    peer = await startSmtpPeer({ kind: 'reject-recipient' });
  });
  after(async () => {
    await peer?.close();
  });

  test('an entry refused by the server is retried from the screen and delivered', async () => {
    const deps = world.server.app.chatter;
    const admin = await uiUser(deps, 'Queue Admin', { isAdmin: true });
    const company = await createCompany(deps, SYSTEM, { name: 'Queue Co', aliasDomain: { domain: 'queue-ui.facteur.test' } });
    await createServer(world.server.app.mail, SYSTEM, smtpServer(peer, { name: 'Refusing relay' }));
    const alice = await externalPartner(deps, 'Alice Customer', 'alice@customer.example.org');
    const bruno = await externalPartner(deps, 'Bruno Customer', 'bruno@customer.example.org');
    const ref = { model: 'sale.order', resId: 'Q-1' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'S0Q1', companyId: company.id });
    for (const partner of [alice, bruno]) await followRecord(deps, SYSTEM, ref, { partnerId: partner.id });
    const posted = await postMessage(deps, SYSTEM, ref, { kind: 'comment', subject: 'Your delivery', body: '<p>Your chairs leave on Monday.</p>', authorPartnerId: admin.partnerId });
    const queued = (await world.server.client.get(`/api/outbox?messageId=${posted.id}`)).body as { id: number; emailTo: string }[];
    const aliceEntry = queued.find((e) => e.emailTo === 'alice@customer.example.org')!.id;
    const brunoEntry = queued.find((e) => e.emailTo === 'bruno@customer.example.org')!.id;

    const ui = await world.openPage();
    try {
      const { page } = ui;
      await logIn(ui, admin.login, admin.password);
      await page.getByRole('link', { name: 'Send queue' }).click();
      await page.locator('.counts button[data-state="queued"]').filter({ hasText: '2' }).waitFor();

      // The worker is driven from the screen: the relay refuses both recipients for good (5xx).
      await page.getByRole('button', { name: 'Send pending now' }).click();
      await page.getByTestId('queue-result').filter({ hasText: '0 sent, 2 failed, 0 to retry later' }).waitFor();
      await page.locator('.counts button[data-state="exception"]').filter({ hasText: '2' }).waitFor();
      await page.locator(`tr[data-entry="${aliceEntry}"] .failure`).filter({ hasText: MAILBOX_UNAVAILABLE_WORDS }).waitFor();

      // The entry's detail: the failure in the server's words, and the email as it is sent.
      await page.getByRole('button', { name: `Show entry ${brunoEntry}` }).click();
      const detail = page.getByRole('complementary', { name: `Entry #${brunoEntry}` });
      await detail.getByTestId('failure-reason').filter({ hasText: MAILBOX_UNAVAILABLE_WORDS }).waitFor();
      await detail.locator('.email-headers').filter({ hasText: '"Bruno Customer" <bruno@customer.example.org>' }).waitFor();
      const headers = await detail.locator('.email-headers').innerText();
      assert.match(headers, /Your delivery/);
      assert.match(headers, new RegExp(posted.rfcMessageId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.match(headers, new RegExp(admin.login.replace(/\./g, '\\.')), 'the author is the sender');
      await detail.getByRole('tab', { name: 'Text' }).click();
      await detail.locator('pre').filter({ hasText: 'Your chairs leave on Monday.' }).waitFor();
      await detail.getByRole('link', { name: /S0Q1/ }).waitFor();

      // Bruno's entry is withdrawn; Alice's stays in error.
      await detail.getByRole('button', { name: 'Cancel' }).click();
      await page.getByTestId('queue-result').filter({ hasText: `Entry #${brunoEntry} canceled.` }).waitFor();
      await detail.getByTestId('entry-state').filter({ hasText: 'Canceled' }).waitFor();

      // Filters by state: the counts and the select agree, and the list holds only that state.
      await page.locator('.counts button[data-state="exception"]').click();
      await page.locator(`tr[data-entry="${brunoEntry}"]`).waitFor({ state: 'detached' });
      await page.locator(`tr[data-entry="${aliceEntry}"]`).waitFor();
      assert.equal(await page.getByRole('combobox', { name: 'State', exact: true }).inputValue(), 'exception');
      await page.getByRole('combobox', { name: 'State', exact: true }).selectOption('canceled');
      await page.locator(`tr[data-entry="${aliceEntry}"]`).waitFor({ state: 'detached' });
      await page.locator(`tr[data-entry="${brunoEntry}"]`).waitFor();
      await page.getByRole('combobox', { name: 'State', exact: true }).selectOption('sent');
      await page.getByText('No entries match.').waitFor();
      await page.getByRole('button', { name: /^All/ }).click();

      // The relay accepts again: Retry errors puts Alice's entry back, Send pending now delivers it.
      peer.mode = { kind: 'accept' };
      await page.getByRole('button', { name: 'Retry errors' }).click();
      await page.getByTestId('queue-result').filter({ hasText: '1 entries queued again.' }).waitFor();
      await page.getByRole('button', { name: 'Send pending now' }).click();
      await page.getByTestId('queue-result').filter({ hasText: '1 sent, 0 failed, 0 to retry later' }).waitFor();
      await page.locator(`tr[data-entry="${aliceEntry}"] .state-chip`).filter({ hasText: 'Sent' }).waitFor();
      await page.locator('.counts button[data-state="sent"]').filter({ hasText: '1' }).waitFor();

      assert.equal(peer.received.length, 1, 'the relay received exactly one email');
      assert.deepEqual(peer.received[0]!.rcptTo, ['alice@customer.example.org']);
      assert.equal(peer.received[0]!.header('Subject'), 'Your delivery');
      assert.equal(peer.receivedFor('bruno@customer.example.org').length, 0, 'the canceled entry was never sent');
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
