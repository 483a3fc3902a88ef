// Embedding (issue 6 §7): the host's backend mints a short-lived token for one user and one record;
// the iframe page /embed/chatter shows that record's chatter to that user, and nothing more.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { expectNoConsoleErrors, forgetRefusal, uiUser, useBrowserWorld } from '../helpers/browser.ts';
import { httpClient, recordPath } from '../helpers/http.ts';

/** The documented example (docs/examples/embed-host.mjs), run as the host application. */
async function startHostExample(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['docs/examples/embed-host.mjs'], { env: { ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Host application on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the example exited with ${code}: ${output}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

describe('the embedded chatter', () => {
  const world = useBrowserWorld();

  test("the documented host page shows the record's chatter in an iframe; the user posts from it", async () => {
    const deps = world.server.app.chatter;
    const lea = await uiUser(deps, 'Lea Embedded');
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '41', name: 'S00041' });
    const host = await startHostExample({ FACTEUR_URL: world.server.baseUrl, FACTEUR_API_KEY: world.server.apiKey, FACTEUR_USER_ID: String(lea.id), MODEL: 'sale.order', RES_ID: '41' });
    const ui = await world.openPage();
    try {
      await ui.page.goto(host.url);
      const frame = ui.page.frameLocator('iframe[title="Chatter"]');
      await frame.getByText('No messages yet.').waitFor();
      await frame.getByRole('combobox', { name: 'Send message' }).fill('Written from inside the ERP.');
      await frame.getByRole('button', { name: 'Send', exact: true }).click();
      await frame.locator('article.message').filter({ hasText: 'Written from inside the ERP.' }).waitFor();
      const thread = await world.server.client.get(`${recordPath('sale.order', '41')}/messages`);
      assert.equal(thread.body.messages[0].authorPartnerId, lea.partnerId, 'posted as the user the token was minted for');
      // Live inside the iframe too: a post by the host appears without a reload.
      await world.server.client.post(`${recordPath('sale.order', '41')}/messages`, { body: 'Posted by the backend.' });
      await frame.locator('article.message').filter({ hasText: 'Posted by the backend.' }).waitFor();
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
      await host.stop();
    }
  });

  test('a token opens its record only, expires, and cannot be forged', async () => {
    const deps = world.server.app.chatter;
    const max = await uiUser(deps, 'Max Scoped');
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '42', name: 'S00042' });
    await registerRecord(deps, SYSTEM, { model: 'sale.order', resId: '43', name: 'S00043' });
    const minted = await world.server.client.post('/api/embed-tokens', { userId: max.id, model: 'sale.order', resId: '42', ttlSeconds: 60 });
    assert.equal(minted.status, 201, minted.text);
    assert.match(minted.body.path, /^\/embed\/chatter\?model=sale\.order&resId=42&token=fet_/);
    const embedded = httpClient(world.server.baseUrl, minted.body.token);
    assert.equal((await embedded.get(`${recordPath('sale.order', '42')}/messages`)).status, 200);
    const other = await embedded.get(`${recordPath('sale.order', '43')}/messages`);
    assert.equal(other.status, 403);
    assert.equal(other.body.error.code, 'EMBED_SCOPE');
    assert.equal((await embedded.get('/api/outbox')).status, 403, 'nor the rest of the API');
    // Attachments: those of its record, not another's.
    const withFile = (resId: string) =>
      world.server.client.post(`${recordPath('sale.order', resId)}/messages`, { body: '<p>File</p>', attachments: [{ filename: `${resId}.txt`, contentType: 'text/plain', contentBase64: Buffer.from(resId).toString('base64') }] });
    const own = (await world.server.client.get(`${recordPath('sale.order', '42')}/messages?ids=${(await withFile('42')).body.id}`)).body.messages[0].attachments[0].id;
    const foreign = (await world.server.client.get(`${recordPath('sale.order', '43')}/messages?ids=${(await withFile('43')).body.id}`)).body.messages[0].attachments[0].id;
    assert.equal((await embedded.fetch(`/api/attachments/${own}`)).status, 200);
    const refusedFile = await embedded.get(`/api/attachments/${foreign}`);
    assert.equal(refusedFile.status, 403);
    assert.equal(refusedFile.body.error.code, 'EMBED_SCOPE');
    // The composer's templates render on the token's record, and on no other.
    const template = await world.server.client.post('/api/templates', { name: 'Thanks', subject: 'About {{ record.name }}', body: '<p>Thanks for {{ record.name }}.</p>' });
    assert.equal(template.status, 201, template.text);
    const rendered = await embedded.post(`/api/templates/${template.body.id}/render`, { model: 'sale.order', resId: '42' });
    assert.equal(rendered.status, 200, rendered.text);
    assert.equal(rendered.body.subject, 'About S00042');
    const elsewhere = await embedded.post(`/api/templates/${template.body.id}/render`, { model: 'sale.order', resId: '43' });
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.body.error.code, 'EMBED_SCOPE');
    const forged = httpClient(world.server.baseUrl, `${minted.body.token.slice(0, -2)}xx`);
    assert.equal((await forged.get(`${recordPath('sale.order', '42')}/messages`)).status, 401);
    // Only the host application (or an administrator) mints tokens; unknown records are refused.
    assert.equal((await world.server.client.as(max.id).post('/api/embed-tokens', { userId: max.id, model: 'sale.order', resId: '42' })).status, 403);
    assert.equal((await world.server.client.post('/api/embed-tokens', { userId: max.id, model: 'sale.order', resId: '999' })).status, 404);
    assert.equal((await world.server.client.post('/api/embed-tokens', { userId: max.id, model: 'sale.order', resId: '42', ttlSeconds: 10 })).status, 400, 'at least 30 seconds');

    // An expired token: the page says so in words.
    const realNow = Date.now;
    Date.now = () => realNow() - 3600_000;
    let expired: string;
    try {
      expired = (await world.server.client.post('/api/embed-tokens', { userId: max.id, model: 'sale.order', resId: '42', ttlSeconds: 60 })).body.path;
    } finally {
      Date.now = realNow;
    }
    const ui = await world.openPage();
    try {
      await ui.page.goto(expired);
      await ui.page.getByRole('alert').filter({ hasText: 'The embed token is invalid or has expired' }).waitFor();
      forgetRefusal(ui, 401, { every: true }); // the refused calls are 401s the browser logs itself
      expectNoConsoleErrors(ui);
    } finally {
      await ui.close();
    }
  });
});
