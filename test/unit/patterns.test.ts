import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containsPattern } from '../../src/db/patterns.ts';

test('a search for "50%_off" matches that text, not any text with wildcards', () => {
  assert.equal(containsPattern('50%_off'), '%50\\%\\_off%');
  assert.equal(containsPattern('a\\b'), '%a\\\\b%');
});
