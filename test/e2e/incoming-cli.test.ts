// `facteur incoming …` and `facteur fetch` as a person runs them (node bin/facteur.js, a data
// directory), against a real Dovecot; and `facteur start --role worker` fetching on its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { facteurEnv, killAllFacteurs, runFacteur, startFacteur } from '../helpers/cli.ts';
import { dovecotMissing, startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { eventually } from '../helpers/smtp-app.ts';

function message(subject: string): string {
  return `From: client@customer.test\r\nTo: catchall@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@customer.test>\r\n\r\nHello\r\n`;
}

describe('facteur incoming and facteur fetch', { skip: dovecotMissing }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let dovecot: Dovecot;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-incoming-cli-'));
    env = facteurEnv({ FACTEUR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    dovecot = await startDovecot();
  });
  after(async () => {
    await killAllFacteurs();
    await dovecot?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // Each run opens the embedded database afresh (seconds each): the story is told in few commands.
  test('add, list and test servers; fetch counts as it goes, sums up, and exits with 1 when a server failed; remove', async () => {
    const add = (name: string, password: string) =>
      runFacteur(['incoming', 'add', '--name', name, '--host', dovecot.host, '--port', String(dovecot.port), '--security', 'none', '--username', dovecot.user, '--password', password], env);
    const good = await add('Replies', dovecot.password);
    assert.equal(good.code, 0, good.stderr);
    const id = Number(/Incoming server (\d+) added/.exec(good.stdout)?.[1]);
    assert.ok(id > 0, good.stdout);
    const wrong = await add('Wrong', 'not-the-password');
    assert.equal(wrong.code, 0, wrong.stderr);
    const wrongId = Number(/Incoming server (\d+) added/.exec(wrong.stdout)?.[1]);

    const listed = await runFacteur(['incoming', 'list'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${id}\\tReplies\\t${dovecot.user}@127\\.0\\.0\\.1:${dovecot.port} none\\tfolder INBOX, every 5 min\\tnever fetched$`, 'm'));
    assert.ok(!listed.stdout.includes(dovecot.password) && !listed.stdout.includes('not-the-password'));

    const tested = await runFacteur(['incoming', 'test', String(id)], env);
    assert.equal(tested.code, 0, tested.stderr);
    assert.equal(tested.stdout.trim(), 'OK');
    const refused = await runFacteur(['incoming', 'test', String(wrongId)], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Connection test failed: The server refused the login: \[AUTHENTICATIONFAILED\] Authentication failed\./);

    for (const subject of ['One', 'Two', 'Three']) await dovecot.append(message(`CLI ${subject}`));
    const fetched = await runFacteur(['fetch'], env);
    assert.equal(fetched.code, 1, 'one server failed');
    // A running count: from the search (nothing stored yet) to the end of each chunk (here one chunk of 3).
    assert.match(fetched.stderr, new RegExp(`server ${id}: 0 stored, 0 already stored, 0 failed \\(of 3 unseen\\)[^]*server ${id}: 3 stored`), 'a running count');
    assert.match(fetched.stdout, new RegExp(`^${id}\\tReplies\\t3 stored, 0 already stored, 0 failed \\(of 3 unseen\\)$`, 'm'));
    assert.match(fetched.stdout, new RegExp(`^${wrongId}\\tWrong\\t0 stored, .*\\tfailed: The server refused the login: \\[AUTHENTICATIONFAILED\\]`, 'm'));
    assert.ok((await dovecot.list()).every((m) => m.seen));

    const noPassword = await runFacteur(['incoming', 'add', '--name', 'X', '--host', 'imap.example.com', '--username', 'u'], env);
    assert.equal(noPassword.code, 1);
    assert.match(noPassword.stderr, /needs the password of the mailbox account/);
    assert.doesNotMatch(noPassword.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');

    const removed = await runFacteur(['incoming', 'remove', String(wrongId)], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, new RegExp(`Incoming server ${wrongId} removed\\.`));
  });

  test('facteur start --role worker says what it reads, and fetches on its own', async () => {
    // A server never fetched is due at once (the one above was fetched a moment ago: not for 5 minutes).
    const added = await runFacteur(
      ['incoming', 'add', '--name', 'Worker', '--host', dovecot.host, '--port', String(dovecot.port), '--security', 'none', '--username', dovecot.user, '--password', dovecot.password],
      env,
    );
    assert.equal(added.code, 0, added.stderr);
    await dovecot.append(message('For the worker'));
    const worker = startFacteur(['start', '--role', 'worker'], env);
    await worker.waitForOutput(new RegExp(`Inbound: +fetching .*${dovecot.user}@127\\.0\\.0\\.1 \\(IMAP\\)`));
    await eventually('the worker fetched the message', async () => ((await dovecot.list()).every((m) => m.seen) ? true : undefined), 30_000, 100);
    const stopped = await worker.stop('SIGTERM');
    assert.equal(stopped.code, 0, stopped.stderr);
  });
});
