// `facteur user create | password | list` as a person runs them (node bin/facteur.js, a data
// directory of its own — or a fresh PostgreSQL database when TEST_DATABASE_URL is set); the
// passwords they set then open a session through the HTTP API.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { facteurEnv, killAllFacteurs, projectRoot, runFacteur, startFacteur, type Finished } from '../helpers/cli.ts';
import { adminQuery, testDatabaseUrl } from '../helpers/database.ts';

/** Runs `facteur <args>` with `input` on its standard input (runFacteur gives it none). */
function runWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'facteur.js'), ...args], { cwd: projectRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

async function logInOverHttp(baseUrl: string, login: string, password: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  return { status: response.status, body: await response.json() };
}

describe(`facteur user (${testDatabaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let databaseName: string | undefined;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-user-cli-'));
    const settings: Record<string, string> = { FACTEUR_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' };
    if (testDatabaseUrl) {
      databaseName = `facteur_user_${randomBytes(6).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${databaseName}`);
      const url = new URL(testDatabaseUrl);
      url.pathname = `/${databaseName}`;
      settings.DATABASE_URL = url.toString();
    }
    env = facteurEnv(settings);
  });
  after(async () => {
    await killAllFacteurs();
    if (databaseName) await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('create (password from stdin or generated), reset a password, list; mistakes exit 1 in words; the passwords log in over HTTP', async () => {
    const created = await runWithInput(['user', 'create', '--login', 'ada', '--name', 'Ada Admin', '--email', 'ada@company.example.com', '--admin', '--notification', 'inbox', '--password-stdin'], env, 'first-password-1\n');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^User \d+ "ada" created \(internal, administrator\)\.$/m);
    assert.doesNotMatch(created.stdout, /first-password-1|Password/, 'a password given on stdin is not printed');

    const portal = await runFacteur(['user', 'create', '--login', 'paul', '--name', 'Paul Portal', '--email', 'paul@customer.example.org', '--role', 'portal'], env);
    assert.equal(portal.code, 0, portal.stderr);
    const [, paulPassword] = portal.stdout.match(/^Password \(shown only now\): (\S+)$/m) ?? [];
    assert.ok(paulPassword && paulPassword.length >= 12, portal.stdout);

    const duplicate = await runWithInput(['user', 'create', '--login', 'ada', '--name', 'Another Ada', '--password-stdin'], env, 'another-password\n');
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /The login "ada" is already taken\./);
    assert.doesNotMatch(duplicate.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');

    const badRole = await runFacteur(['user', 'create', '--login', 'x', '--name', 'X', '--role', 'boss'], env);
    assert.equal(badRole.code, 1);
    assert.match(badRole.stderr, /must be one of internal, portal/);

    const reset = await runWithInput(['user', 'password', 'ada', '--password-stdin'], env, 'second-password-2\n');
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /Password of "ada" changed/);
    const generated = await runFacteur(['user', 'password', 'paul'], env);
    assert.equal(generated.code, 0, generated.stderr);
    const [, paulNewPassword] = generated.stdout.match(/^New password \(shown only now\): (\S+)$/m) ?? [];
    assert.ok(paulNewPassword && paulNewPassword !== paulPassword, generated.stdout);

    const unknown = await runFacteur(['user', 'password', 'nobody'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No user has the login "nobody"/);

    const list = await runFacteur(['user', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^\d+\tada\tinternal, admin, can log in\tAda Admin <ada@company\.example\.com>$/m);
    assert.match(list.stdout, /^\d+\tpaul\tportal, can log in\tPaul Portal <paul@customer\.example\.org>$/m);
    assert.equal(list.stdout.trim().split('\n').length, 2, 'the refused creation left nothing behind');

    // The administrator exists, so the first start creates none; the passwords set above log in.
    const facteur = startFacteur(['start', '--role', 'api'], env);
    const [, baseUrl] = await facteur.waitForOutput(/^\s*Web UI:\s+(http:\/\/127\.0\.0\.1:\d+\/)$/m);
    assert.doesNotMatch(facteur.stdout, /first start: log in as/);
    assert.equal((await logInOverHttp(baseUrl!, 'ada', 'first-password-1')).status, 401, 'the old password no longer works');
    const ada = await logInOverHttp(baseUrl!, 'ada', 'second-password-2');
    assert.equal(ada.status, 200);
    assert.equal(ada.body.login, 'ada');
    assert.equal(ada.body.isAdmin, true);
    assert.equal(ada.body.notification, 'inbox');
    assert.equal((await logInOverHttp(baseUrl!, 'paul', paulPassword!)).status, 401);
    const paul = await logInOverHttp(baseUrl!, 'paul', paulNewPassword!);
    assert.equal(paul.status, 200);
    assert.equal(paul.body.role, 'portal');
    assert.equal(paul.body.isAdmin, false);
    const stopped = await facteur.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
  });
});
