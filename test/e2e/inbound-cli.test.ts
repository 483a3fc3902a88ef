// `facteur alias …` and `facteur inbound …` from a terminal (issue 4 §5): hand in a saved .eml,
// list what came in with its state and reason, re-process one; mistakes get a message and exit 1.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/seed000.ts';
import { createLogger } from '../../src/log.ts';
import { facteurEnv, killAllFacteurs, runFacteur } from '../helpers/cli.ts';

describe('facteur inbound and alias', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let emlFile: string;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-inbound-cli-'));
    const settings = { FACTEUR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    env = facteurEnv(settings);
    const config = loadConfig(settings);
    const app = await createApp(config, { log: createLogger(config) });
    await loadDemo(app.chatter); // alias domain demo.example.com
    await app.close();
    emlFile = path.join(dataDir, 'inquiry.eml');
    const raw = await new MailComposer({ from: 'prospect@customer.test', to: 'jobs@demo.example.com', subject: 'Application', text: 'Here is my CV', messageId: '<cv-1@customer.test>' }).compile().build();
    fs.writeFileSync(emlFile, raw);
  });
  after(async () => {
    await killAllFacteurs();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('an email to an unknown address is kept unrouted; after `alias add`, `inbound retry` routes it', async () => {
    const received = await runFacteur(['inbound', 'receive', emlFile], env);
    assert.equal(received.code, 0, received.stderr);
    const id = /inbound (\d+): unrouted/.exec(received.stdout)?.[1];
    assert.ok(id, received.stdout);

    const listed = await runFacteur(['inbound', 'list', '--state', 'unrouted'], env);
    assert.match(listed.stdout, /unrouted: 1/);
    assert.match(listed.stdout, new RegExp(`^${id}\\tunrouted\\tprospect@customer.test\\tApplication.*no reply token`, 'm'));

    const added = await runFacteur(['alias', 'add', 'jobs@demo.example.com', 'hr.applicant'], env);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /jobs@demo\.example\.com → hr\.applicant \(everyone\)/);

    const retried = await runFacteur(['inbound', 'retry', id], env);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /routed\/alias/);

    const again = await runFacteur(['inbound', 'receive', emlFile], env);
    assert.match(again.stdout, new RegExp(`Already received as inbound ${id}: routed/alias`));
  });

  test('mistakes get a message and exit code 1', async () => {
    const wrongState = await runFacteur(['inbound', 'list', '--state', 'lost'], env);
    assert.equal(wrongState.code, 1);
    assert.match(wrongState.stderr, /must be one of received, routed/);
    const missing = await runFacteur(['inbound', 'retry', '9999'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no inbound email 9999/);
    const badDomain = await runFacteur(['alias', 'add', 'sales@elsewhere.test', 'crm.lead'], env);
    assert.equal(badDomain.code, 1);
    assert.match(badDomain.stderr, /not the alias domain of any company/);
  });
});
