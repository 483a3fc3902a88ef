// The `facteur` command as a person runs it: node bin/facteur.js, a data directory, real HTTP.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { facteurEnv, killAllFacteurs, runFacteur, startFacteur, type FacteurProcess } from '../helpers/cli.ts';
import { testDatabaseUrl } from '../helpers/database.ts';
import { httpClient, recordPath } from '../helpers/http.ts';

const SO23 = recordPath('sale.order', '23');

/** The lines of the seed 000 §12 summary that `facteur demo` prints, with the ids it gives. */
function parseDemoSummary(stdout: string) {
  const user = (label: string) => {
    const match = new RegExp(`^\\s*${label}\\s+user (\\d+), partner (\\d+) — internal, follows discussions \\+ notes$`, 'm').exec(stdout);
    assert.ok(match, `the summary names ${label}:\n${stdout}`);
    return { userId: Number(match[1]), partnerId: Number(match[2]) };
  };
  const partner = (label: string, follows: string) => {
    const match = new RegExp(`^\\s*${label}\\s+partner (\\d+) — external, follows ${follows}$`, 'm').exec(stdout);
    assert.ok(match, `the summary names ${label}:\n${stdout}`);
    return Number(match[1]);
  };
  assert.match(stdout, /Demo loaded \(seed 000 §12\): quotation sale\.order 23 "S00023" of the sales team crm\.team 1 "Europe"\./);
  return {
    user1: user('User 1'),
    user2: user('User 2'),
    monsieurClient: partner('Monsieur Client', 'discussions \\+ notes'),
    madameContact: partner('Madame Contact', 'discussions'),
  };
}

function noStackTrace(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, `no stack trace for a person to read:\n${text}`);
}

after(async () => {
  await killAllFacteurs();
});

describe('facteur on the embedded database (PGlite in FACTEUR_DATA_DIR)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let demo: ReturnType<typeof parseDemoSummary> | undefined;
  let apiKey: string | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'facteur-cli-'));
    env = facteurEnv({ FACTEUR_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
  });

  after(async () => {
    await killAllFacteurs();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** `facteur start`, once it has printed where its API and docs are. */
  async function start(): Promise<{ process: FacteurProcess; apiUrl: string; docsUrl: string }> {
    const facteur = startFacteur(['start'], env);
    const [, apiUrl] = await facteur.waitForOutput(/^\s*API:\s+(http:\/\/127\.0\.0\.1:\d+\/api)$/m);
    const [, docsUrl] = await facteur.waitForOutput(/^\s*API docs:\s+(http:\/\/127\.0\.0\.1:\d+\/api\/docs)\b/m);
    return { process: facteur, apiUrl: apiUrl!, docsUrl: docsUrl! };
  }

  test('facteur demo prints the seed 000 §12 summary: User 1, User 2, Monsieur Client, Madame Contact', async () => {
    const result = await runFacteur(['demo'], env);
    assert.equal(result.code, 0, result.stderr);
    demo = parseDemoSummary(result.stdout);
    assert.notEqual(demo.user1.userId, demo.user2.userId);
    assert.notEqual(demo.monsieurClient, demo.madameContact);
  });

  test('a second facteur demo says the demo is already loaded and loads nothing twice', async () => {
    const result = await runFacteur(['demo'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /already loaded: sale\.order 23/);
    assert.doesNotMatch(result.stdout, /Demo loaded/);
  });

  test('facteur apikey create --name x prints a key fct_… once', async () => {
    const result = await runFacteur(['apikey', 'create', '--name', 'x'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /API key \d+ "x" created/);
    const match = /^(fct_[a-z0-9]{8}_[A-Za-z0-9_-]{43})$/m.exec(result.stdout);
    assert.ok(match, `a key is printed:\n${result.stdout}`);
    apiKey = match[1];

    const listed = await runFacteur(['apikey', 'list'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /\tx\t/);
    assert.ok(!listed.stdout.includes(apiKey!), 'the list never shows the secret');
  });

  test('facteur start prints the API and docs URLs; a message posted as User 1 on sale.order 23 is still there after a restart (seed 000 §12)', async () => {
    assert.ok(demo && apiKey, 'the demo is loaded and a key was created by the tests above');
    const first = await start();
    assert.equal(first.docsUrl, `${first.apiUrl}/docs`);
    const docs = await fetch(first.docsUrl, { signal: AbortSignal.timeout(10_000) });
    assert.equal(docs.status, 200);
    await docs.arrayBuffer();

    // The first start creates an administrator and says how to log in to the web UI it serves.
    const [, uiUrl] = await first.process.waitForOutput(/^\s*Web UI:\s+(http:\/\/127\.0\.0\.1:\d+\/)$/m);
    const [, login, password] = await first.process.waitForOutput(/log in as "([^"]+)" with the password (\S+)/);
    const page = await fetch(uiUrl!, { signal: AbortSignal.timeout(10_000) });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    const session = await fetch(new URL('/api/session', uiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(session.status, 200, await session.clone().text());
    assert.equal((await session.json()).isAdmin, true);
    assert.match(session.headers.get('set-cookie') ?? '', /facteur_session=fcs_/);

    const asUser1 = httpClient(new URL(first.apiUrl).origin, apiKey, demo.user1.userId);
    const posted = await asUser1.post(`${SO23}/messages`, { body: 'Bonjour, voici votre devis S00023.' });
    assert.equal(posted.status, 201, posted.text);
    // Seed 000 §12: User 1's message goes to the other followers of "discussion": User 2, Monsieur Client, Madame Contact.
    assert.deepEqual(posted.body.notified, { inbox: 0, email: 3 });

    const stopped = await first.process.stop('SIGTERM');
    assert.equal(stopped.code, 0, `SIGTERM stops facteur cleanly:\n${stopped.stderr}`);

    const second = await start();
    try {
      const thread = await httpClient(new URL(second.apiUrl).origin, apiKey, demo.user2.userId).get(`${SO23}/messages`);
      assert.equal(thread.status, 200, thread.text);
      const message = thread.body.messages.find((m: { id: number }) => m.id === posted.body.id);
      assert.ok(message, 'the message survived the restart');
      assert.equal(message.bodyHtml, 'Bonjour, voici votre devis S00023.');
      assert.equal(message.authorName, 'User 1');
      assert.deepEqual(
        message.notifications.map((n: { partnerId: number }) => n.partnerId).sort((a: number, b: number) => a - b),
        [demo.user2.partnerId, demo.monsieurClient, demo.madameContact].sort((a, b) => a - b),
      );
    } finally {
      const stoppedAgain = await second.process.stop('SIGTERM');
      assert.equal(stoppedAgain.code, 0, stoppedAgain.stderr);
    }
  });

  test('facteur demo while facteur start runs on the same data directory exits 1: the data directory is in use', async () => {
    const running = await start();
    try {
      const result = await runFacteur(['demo'], env);
      assert.equal(result.code, 1, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
      assert.match(result.stderr, /data directory .* is in use/);
      assert.ok(result.stderr.includes(dataDir), 'the message names the directory');
      noStackTrace(result.stderr);
      assert.equal(running.process.hasExited, false, 'the running service is not disturbed');
      const health = await fetch(`${running.apiUrl}/health`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(health.status, 200);
      await health.arrayBuffer();
    } finally {
      await running.process.stop('SIGTERM');
    }
  });

  test('a wrong setting (PORT=abc) stops facteur with exit code 1 and a readable message naming PORT', async () => {
    const result = await runFacteur(['start'], { ...env, PORT: 'abc' });
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /setting is wrong/);
    assert.match(result.stderr, /^\s*PORT: /m);
    noStackTrace(result.stderr);
    assert.doesNotMatch(result.stdout, /Facteur is running/);
  });
});

if (testDatabaseUrl) {
  describe('facteur on PostgreSQL (DATABASE_URL)', () => {
    const created: string[] = [];
    let dataDir: string;

    async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    }

    /** A fresh database on the test server, dropped in `after`. */
    async function freshDatabase(): Promise<string> {
      const name = `facteur_cli_${randomBytes(6).toString('hex')}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      const url = new URL(testDatabaseUrl!);
      url.pathname = `/${name}`;
      return url.toString();
    }

    async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<R>(text)).rows;
      } finally {
        await client.end();
      }
    }

    before(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'facteur-cli-pg-'));
    });

    after(async () => {
      await killAllFacteurs();
      for (const name of created) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await rm(dataDir, { recursive: true, force: true });
    });

    test('facteur demo with DATABASE_URL on a fresh database migrates it and loads seed 000 §12 there, once', async () => {
      const url = await freshDatabase();
      const env = facteurEnv({ DATABASE_URL: url, FACTEUR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      const result = await runFacteur(['demo'], env);
      assert.equal(result.code, 0, result.stderr);
      parseDemoSummary(result.stdout);

      const [record] = await query<{ id: string; name: string }>(url, `SELECT id, name FROM records WHERE model = 'sale.order' AND res_id = '23'`);
      assert.ok(record, 'the quotation is in the PostgreSQL database');
      assert.equal(record.name, 'S00023');
      const followers = await query(url, `SELECT partner_id FROM followers WHERE record_id = ${Number(record.id)}`);
      assert.equal(followers.length, 4, 'User 1, User 2, Monsieur Client and Madame Contact follow it');

      const again = await runFacteur(['demo'], env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /already loaded: sale\.order 23/);
    });

    test('facteur demo with DATABASE_URL on a database where another schema already has Kysely migration tables still migrates its own', async () => {
      // Another application (or a parallel test run) using Kysely in another schema of the same database.
      const url = await freshDatabase();
      await query(url, `CREATE SCHEMA other_app`);
      await query(url, `CREATE TABLE other_app.kysely_migration (name varchar(255) PRIMARY KEY, timestamp varchar(255) NOT NULL)`);
      await query(url, `CREATE TABLE other_app.kysely_migration_lock (id varchar(255) PRIMARY KEY, is_locked integer NOT NULL DEFAULT 0)`);
      await query(url, `INSERT INTO other_app.kysely_migration_lock (id, is_locked) VALUES ('migration_lock', 0)`);

      const result = await runFacteur(['demo'], facteurEnv({ DATABASE_URL: url, FACTEUR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
      assert.equal(result.code, 0, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
      parseDemoSummary(result.stdout);
    });
  });
}
