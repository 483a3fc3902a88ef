import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  test('defaults to the embedded database in ./.facteur', () => {
    const config = loadConfig({});
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, path.resolve('.facteur'));
    assert.equal(config.publicUrl, `http://127.0.0.1:${config.port}`);
  });

  test('FACTEUR_DATA_DIR and DATABASE_URL are honoured', () => {
    const config = loadConfig({ FACTEUR_DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://u@h/db' });
    assert.equal(config.dataDir, '/tmp/x');
    assert.equal(config.databaseUrl, 'postgres://u@h/db');
  });

  test('a wrong setting is reported by name, readably', () => {
    assert.throws(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PORT/);
      assert.match(error.message, /DATABASE_URL: must be a postgres:\/\/ URL/);
      return true;
    });
  });

  test('the SMTP listener: 127.0.0.1:2525, 25 MB, and left out of `start` (role all) unless its port is set', () => {
    assert.deepEqual(loadConfig({}).smtpListener, { host: '127.0.0.1', port: 2525, withRoleAll: false, maxSizeBytes: 25 * 1024 * 1024 });
    const set = loadConfig({ SMTP_LISTENER_HOST: '0.0.0.0', SMTP_LISTENER_PORT: '25', SMTP_LISTENER_MAX_SIZE_MB: '10' }).smtpListener;
    assert.deepEqual(set, { host: '0.0.0.0', port: 25, withRoleAll: true, maxSizeBytes: 10 * 1024 * 1024 });
    assert.equal(loadConfig({ SMTP_LISTENER_PORT: '2525' }).smtpListener.withRoleAll, true, 'set to its default value, it still counts as asked for');
  });

  test('a wrong SMTP listener setting is reported by name', () => {
    assert.throws(() => loadConfig({ SMTP_LISTENER_PORT: '70000', SMTP_LISTENER_MAX_SIZE_MB: '0' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /SMTP_LISTENER_PORT/);
      assert.match(error.message, /SMTP_LISTENER_MAX_SIZE_MB/);
      return true;
    });
  });
});
