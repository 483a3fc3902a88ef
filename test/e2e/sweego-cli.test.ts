// `facteur sweego settings` and `facteur sweego sync` as a person runs them (node bin/facteur.js, a
// data directory of its own).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { facteurEnv, killAllFacteurs, runFacteur } from '../helpers/cli.ts';

describe('facteur sweego', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facteur-sweego-cli-'));
    env = facteurEnv({ FACTEUR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  });
  after(async () => {
    await killAllFacteurs();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('settings are shown and changed (never the key); a wrong UUID is refused in words; sync with nothing waiting says so without calling Sweego', async () => {
    const shown = await runFacteur(['sweego', 'settings'], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /API key:\s+not set\nclient UUID: not set\nAPI URL:\s+https:\/\/api\.sweego\.io/);

    const changed = await runFacteur(['sweego', 'settings', '--client-uuid', '3F2B8C1E-1111-4222-8333-944455556666', '--api-url', 'http://127.0.0.1:9/'], env);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /client UUID: 3f2b8c1e-1111-4222-8333-944455556666\nAPI URL:\s+http:\/\/127\.0\.0\.1:9$/m);

    const wrong = await runFacteur(['sweego', 'settings', '--client-uuid', 'not-a-uuid'], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /The client UUID is the account UUID shown in Sweego's dashboard/);
    assert.doesNotMatch(wrong.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');

    // Nothing was sent through Sweego: the sync ends before any call (the API URL above would refuse).
    const sync = await runFacteur(['sweego', 'sync'], env);
    assert.equal(sync.code, 0, sync.stderr);
    assert.equal(sync.stdout.trim(), 'No email is waiting for Sweego to confirm it: nothing to sync.');
  });
});
