// `facteur queue …` drives the send queue like seed 002's send_queue / retry_queue commands.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { actorFor } from '../../src/chatter/actor.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/seed000.ts';
import { createLogger } from '../../src/log.ts';
import { facteurEnv, killAllFacteurs, runFacteur } from '../helpers/cli.ts';

describe('facteur queue', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-queue-cli-'));
    const settings = { FACTEUR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    env = facteurEnv(settings);
    // Queue three emails (seed 000 §12.1) on the embedded database, then release it for the CLI.
    const config = loadConfig(settings);
    const app = await createApp(config, { log: createLogger(config) });
    await loadDemo(app.chatter);
    await postMessage(app.chatter, await actorFor(app.database.db, 2), { model: 'sale.order', resId: '23' }, { kind: 'comment', body: 'Your quotation' });
    await app.database.db.updateTable('partners').set({ blacklisted: true }).where('name', '=', 'Madame Contact').execute();
    await app.close();
  });
  after(async () => {
    await killAllFacteurs();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('list shows the counts per state and the queued entries', async () => {
    const listed = await runFacteur(['queue', 'list'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /queued: 3 /);
    assert.equal(listed.stdout.split('\n').filter((line) => /\tqueued\t/.test(line)).length, 3);
  });

  test('send sends what is due (to the catcher here) and says how it went', async () => {
    const sent = await runFacteur(['queue', 'send'], env);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /Done: 2 sent, 0 to retry later, 1 failed\./);
    const listed = await runFacteur(['queue', 'list', '--state', 'canceled'], env);
    assert.match(listed.stdout, /\tcanceled\tmadame\.contact@client\.example\.org\tattempts 1  mail_bl: /);
  });

  test('retry and cancel explain what they cannot do', async () => {
    const retried = await runFacteur(['queue', 'retry'], env);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /0 entries back in the queue\./);
    const canceled = await runFacteur(['queue', 'cancel', '999'], env);
    assert.equal(canceled.code, 1);
    assert.match(canceled.stderr, /No outbox entry has id 999/);
    const wrong = await runFacteur(['queue', 'list', '--state', 'lost'], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /must be one of queued, sending, sent, delivered, exception, canceled/);
  });
});
