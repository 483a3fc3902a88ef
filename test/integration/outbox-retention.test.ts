// Issue 3 point 6: sent entries are deleted after the retention, unless their server keeps them until a
// provider confirms delivery ("delete after delivery"); notifications keep their final status either way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp, type App } from '../../src/app.ts';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createServer, updateServer } from '../../src/mail/servers.ts';
import { startOutboxWorker } from '../../src/outbox/worker.ts';
import { externalPartner, internalUser } from '../helpers/chatter.ts';
import { openTestDatabase } from '../helpers/database.ts';

describe('retention of sent entries', () => {
  let app: App;
  before(async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', OUTBOX_SENT_RETENTION_HOURS: '0', FACTEUR_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'), FACTEUR_DATA_DIR: '/tmp/facteur-retention-test' });
    app = await createApp(config, { database: await openTestDatabase(), log: createLogger(config) });
  });
  after(() => app.close());

  async function postAndDrain(resId: string) {
    const ref = { model: 'project.task', resId };
    await registerRecord(app.chatter, SYSTEM, { ...ref, name: `Task ${resId}` });
    const customer = await externalPartner(app.chatter, `Customer ${resId}`);
    await followRecord(app.chatter, SYSTEM, ref, { partnerId: customer.id });
    const author = await internalUser(app.chatter, `Author ${resId}`);
    const posted = await postMessage(app.chatter, { kind: 'user', user: author }, ref, { kind: 'comment', body: 'Done.' });
    const worker = await startOutboxWorker(app.mail, app.database);
    const deadline = Date.now() + 10_000;
    let notification;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      notification = await app.database.db.selectFrom('notifications').select('status').where('message_id', '=', posted.id).executeTakeFirstOrThrow();
    } while (notification.status === 'ready' && Date.now() < deadline);
    await worker.stop();
    const entries = await app.database.db.selectFrom('outbox').select(['state', 'pending_delete']).where('message_id', '=', posted.id).execute();
    return { notification: notification.status, entries };
  }

  test('with a retention of 0, the entry is deleted once sent and the notification stays sent', async () => {
    const { notification, entries } = await postAndDrain('1');
    assert.equal(notification, 'sent');
    assert.deepEqual(entries, []);
  });

  test('a server with "delete after delivery" keeps the entry sent and pending deletion', async () => {
    const server = await createServer(app.mail, SYSTEM, { name: 'Catcher awaiting delivery', kind: 'catcher' });
    await updateServer(app.mail, SYSTEM, server.id, { deleteAfterDelivery: true });
    const { notification, entries } = await postAndDrain('2');
    assert.equal(notification, 'sent');
    assert.deepEqual(entries, [{ state: 'sent', pending_delete: true }]);
  });
});
