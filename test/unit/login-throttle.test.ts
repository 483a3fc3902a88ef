import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle, MAX_FAILURES, WINDOW_MS } from '../../src/accounts/login-throttle.ts';

test('a login is refused after 5 wrong passwords within 15 minutes, until the oldest leaves the window', () => {
  const throttle = new LoginThrottle();
  const start = 1_000_000;
  for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.failed('Ada', start + i * 1000);
  assert.equal(throttle.waitFor('ada', start + 10_000), 0, 'four failures: may still try');
  throttle.failed('ada', start + 10_000);
  assert.equal(throttle.waitFor('ADA', start + 10_000), WINDOW_MS - 10_000, 'the fifth locks, case-insensitively');
  assert.equal(throttle.waitFor('bob', start + 10_000), 0, 'other logins are not affected');
  assert.equal(throttle.waitFor('ada', start + WINDOW_MS), 0, 'the oldest failure has left the window');
});

test('a success forgets the failures', () => {
  const throttle = new LoginThrottle();
  for (let i = 0; i < MAX_FAILURES - 1; i++) throttle.failed('ada', i);
  throttle.succeeded('ada');
  throttle.failed('ada', 10);
  assert.equal(throttle.waitFor('ada', 10), 0);
});
