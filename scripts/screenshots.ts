// Takes the screenshots of docs/screenshots (shown in README.md and docs/web-ui.md) on the demo data,
// in headless Chromium: `node --import tsx scripts/screenshots.ts`. Everything shown is made through the
// product's own operations: posts, the queue sent to the catcher, a reply and a bounce received.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { actorFor, SYSTEM } from '../src/chatter/actor.ts';
import { postMessage } from '../src/chatter/post.ts';
import { updateUser } from '../src/chatter/users.ts';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { loadDemo, type DemoSummary } from '../src/demo/seed000.ts';
import { buildHttpServer } from '../src/http/server.ts';
import { receiveRaw } from '../src/inbound/inbound.ts';
import { createLogger } from '../src/log.ts';
import { listCaught, readCaught } from '../src/mail/catcher.ts';
import { replyToCaught } from '../src/mail/catcher-reply.ts';
import { drainQueue } from '../src/outbox/worker.ts';
import { createTemplate } from '../src/templates/templates.ts';
import { buildUi } from './build-ui.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'docs', 'screenshots');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

await buildUi();
const config = loadConfig({ FACTEUR_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'facteur-shots-')), PORT: '0', LOG_LEVEL: 'silent' });
const app = await createApp(config, { database: await openDatabase({ kind: 'pglite-memory' }), log: createLogger({ logLevel: 'silent' }) });
const deps = app.chatter;
const demo = (await loadDemo(deps)) as DemoSummary;
const so23 = demo.record;
await updateUser(deps, SYSTEM, demo.users.administrator.userId, { password: 'screenshots' });
const asUser1 = await actorFor(deps.db, demo.users.user1.userId);
await postMessage(deps, asUser1, so23, { kind: 'comment', subject: 'Your quotation S00023', body: '<p>Hello, here is your quotation S00023. It is valid for 30 days.</p>' });
await postMessage(deps, asUser1, so23, { kind: 'note', body: `<p>@[User 2](partner:${demo.users.user2.partnerId}) can you check the discount before Friday?</p>` });
await drainQueue(app.mail);

// Monsieur Client answers from his mail client (here: the catcher's "Reply as this recipient").
const caught = await listCaught(app.mail, SYSTEM, { limit: 50 });
const toClient = caught.find((c) => c.envelopeTo.includes('monsieur.client@client.example.org') && c.subject === 'Your quotation S00023')!;
await replyToCaught(app.mail, SYSTEM, toClient.id, { body: 'Thank you, we accept the quotation. Could you deliver on Monday?', recipient: 'monsieur.client@client.example.org' });
// Madame Contact's mailbox no longer exists: her server's delivery report comes back.
const toContact = caught.find((c) => c.envelopeTo.includes('madame.contact@client.example.org') && c.subject === 'Your quotation S00023')!;
const sent = await readCaught(app.mail, SYSTEM, toContact.id);
const header = (name: string) => sent.headers.find((h: { name: string }) => h.name === name)?.value ?? '';
const dsn = readFileSync(path.join(root, 'test/fixtures/inbound/bounce-postfix-dsn.eml'), 'latin1')
  .replaceAll('facteur.test', 'demo.example.com')
  .replaceAll('client@customer.test', 'madame.contact@client.example.org')
  .replaceAll('{{SENT_MESSAGE_ID}}', header('message-id'))
  .replaceAll('{{X_MESSAGE_ID}}', header('x-message-id'))
  .replaceAll('{{REPLY_ADDRESS}}', header('reply-to'));
await receiveRaw(app.mail, SYSTEM, Buffer.from(dsn, 'latin1'));
await postMessage(deps, asUser1, so23, { kind: 'comment', body: '<p>Delivery on Monday is confirmed.</p>' });
await createTemplate(deps, SYSTEM, {
  name: 'Quotation follow-up',
  model: 'sale.order',
  subject: 'Your quotation {{ record.name }}',
  body: '<p>Dear {% for f in followers %}{% unless f.email contains "demo.example.com" %}{{ f.name }}, {% endunless %}{% endfor %}</p><p>{{ company.name }} is happy to send you {{ record.name }}. Any question? Just reply to this email.</p><p>{{ user.name }}</p>',
});

const server = await buildHttpServer(app);
const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: FLAGS });
const page = await (await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 1100 }, locale: 'en-GB' })).newPage();
await page.goto('/');
await page.getByLabel('Login').fill('admin');
await page.getByLabel('Password').fill('screenshots');
await page.getByRole('button', { name: 'Log in' }).click();
await page.locator('.topbar').waitFor();

async function shot(name: string, url: string, ready: () => Promise<unknown>): Promise<void> {
  await page.goto(url);
  await ready();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(out, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

await shot('chatter', '/records/sale.order/23', () => page.locator('.envelope.status-bounce').waitFor());
await shot('queue', '/queue', () => page.locator('table.list tbody tr').first().waitFor());
await shot('catcher', `/catcher?id=${toClient.id}`, () => page.locator('iframe').first().waitFor());
await shot('inbound', '/inbound', () => page.locator('table.list tbody tr').first().waitFor());
await shot('servers', '/settings/servers', async () => {
  // The form of a new server, kind Sweego: port 2525 and STARTTLS filled in, the host left to type (seed 001 §4.3).
  await page.getByRole('button', { name: 'New outgoing server' }).click();
  await page.getByLabel('Kind').selectOption('sweego');
});
await shot('templates', '/settings/templates', async () => {
  await page.getByRole('button', { name: 'Edit' }).first().click();
  await page.frameLocator('iframe').getByText('is happy to send you S00023').waitFor();
});
await browser.close();
await server.close();
await app.close();
