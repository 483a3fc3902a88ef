// Live updates cross processes (issue 6 §1: "carried across processes by PostgreSQL LISTEN/NOTIFY"):
// the browser is on an API process, the outbox is sent by a worker process of its own, and the
// envelopes turn from queued to sent in the open chatter without a reload. PostgreSQL only: PGlite is
// one process's database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { createApiKey } from '../../src/apikeys/apikeys.ts';
import { createApp, type App } from '../../src/app.ts';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { loadConfig } from '../../src/config.ts';
import { CHROMIUM, expectNoConsoleErrors, logIn, openPage, uiUser } from '../helpers/browser.ts';
import { externalPartner } from '../helpers/chatter.ts';
import { facteurEnv, killAllFacteurs, startFacteur } from '../helpers/cli.ts';
import { adminQuery, testDatabaseUrl } from '../helpers/database.ts';
import { httpClient, recordPath } from '../helpers/http.ts';

describe('live updates across processes (PostgreSQL)', { skip: testDatabaseUrl ? false : 'PGlite is one process\'s database: run with TEST_DATABASE_URL' }, () => {
  let dataDir: string;
  let settings: Record<string, string>;
  let databaseName: string;
  let app: App;
  let browser: Browser;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'facteur-live-'));
    databaseName = `facteur_live_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${databaseName}`);
    const url = new URL(testDatabaseUrl!);
    url.pathname = `/${databaseName}`;
    settings = { FACTEUR_DATA_DIR: dataDir, DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' };
    app = await createApp(loadConfig(settings));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });

  after(async () => {
    await browser?.close();
    await killAllFacteurs();
    await app?.close();
    if (databaseName) await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a worker process sends the queue; the chatter open on the API process shows the envelopes turn to sent', async () => {
    const deps = app.chatter;
    const company = await createCompany(deps, SYSTEM, { name: 'Two Processes', aliasDomain: { domain: 'two.example.com' } });
    const ref = { model: 'sale.order', resId: '51' };
    await registerRecord(deps, SYSTEM, { ...ref, name: 'S00051', companyId: company.id });
    const customer = await externalPartner(deps, 'Cross Customer', 'cross@customer.example.org');
    await followRecord(deps, SYSTEM, ref, { partnerId: customer.id });
    const reader = await uiUser(deps, 'Rita Reader');
    const { key } = await createApiKey(app.database.db, 'cross-process test');

    const api = startFacteur(['start', '--role', 'api'], facteurEnv({ ...settings, PORT: '0' }));
    const [, uiUrl] = await api.waitForOutput(/^\s*Web UI:\s+(http:\/\/127\.0\.0\.1:\d+\/)$/m);
    const ui = await openPage(browser, uiUrl!);
    try {
      await logIn(ui, reader.login, reader.password);
      await ui.page.goto(`/records/${ref.model}/${ref.resId}`);
      await ui.page.getByText('No messages yet.').waitFor();
      await ui.page.waitForFunction(() => document.documentElement.dataset.live === 'connected');

      const posted = await httpClient(new URL(uiUrl!).origin, key).post(`${recordPath(ref.model, ref.resId)}/messages`, { body: '<p>Sent by another process.</p>' });
      assert.equal(posted.status, 201, posted.text);
      const envelope = `article[data-message-id="${posted.body.id}"] .envelope[data-partner="${customer.id}"]`;
      await ui.page.locator(`${envelope}[data-status="ready"]`).waitFor();

      // Nothing sends in the API process: the worker, another process, does, and announces it.
      const worker = startFacteur(['start', '--role', 'worker'], facteurEnv(settings));
      await worker.waitForOutput(/Facteur is running \(worker\)/);
      await ui.page.locator(`${envelope}[data-status="sent"]`).waitFor({ timeout: 20_000 });
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
