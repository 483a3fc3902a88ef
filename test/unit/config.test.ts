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
});
