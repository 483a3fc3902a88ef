// DESIGN "Sending": entries are processed within moments of being queued — NOTIFY wakes the worker,
// the periodic sweep (set here to an hour, so it cannot be what sends) is only the safety net.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp, type App } from '../../src/app.ts';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startOutboxWorker, type OutboxWorker } from '../../src/outbox/worker.ts';
import { externalPartner, internalUser } from '../helpers/chatter.ts';
import { openTestDatabase } from '../helpers/database.ts';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the outbox worker wakes up on NOTIFY', () => {
  let app: App;
  let worker: OutboxWorker;
  before(async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', OUTBOX_SWEEP_SECONDS: '3600', FACTEUR_MASTER_KEY: Buffer.alloc(32, 5).toString('base64'), FACTEUR_DATA_DIR: '/tmp/facteur-wakeup-test' });
    app = await createApp(config, { database: await openTestDatabase(), log: createLogger(config) });
    worker = await startOutboxWorker(app.mail, app.database);
  });
  after(async () => {
    await worker.stop();
    await app.close();
  });

  test('a posted message is sent (here: caught) without waiting for the sweep', async () => {
    const ref = { model: 'helpdesk.ticket', resId: '7' };
    await registerRecord(app.chatter, SYSTEM, { ...ref, name: 'Ticket 7' });
    const customer = await externalPartner(app.chatter, 'Waiting Customer');
    await followRecord(app.chatter, SYSTEM, ref, { partnerId: customer.id });
    // Let the worker's first look at the queue pass, so that only a NOTIFY can wake it now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const agent = await internalUser(app.chatter, 'Support Agent');
    const posted = await postMessage(app.chatter, { kind: 'user', user: agent }, ref, { kind: 'comment', body: 'We are on it.' });
    await until('the email to be sent', async () => {
      const row = await app.database.db.selectFrom('outbox').select('state').where('message_id', '=', posted.id).executeTakeFirst();
      return row?.state === 'sent';
    });
    const caught = await app.database.db.selectFrom('caught_emails').select(['envelope_to']).execute();
    assert.deepEqual(caught.map((c) => c.envelope_to), [[customer.email]]);
  });
});
