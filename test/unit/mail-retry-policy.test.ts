import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLastAttempt, nextAttemptAt } from '../../src/mail/rules/retry-policy.ts';

const now = new Date('2025-03-01T12:00:00.000Z');
const delaySeconds = (at: Date) => (at.getTime() - now.getTime()) / 1000;

describe('nextAttemptAt', () => {
  test('base × 2^(attemptsMade − 1): 60 s, 120 s, 240 s, 480 s…', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => delaySeconds(nextAttemptAt(now, n, 60))), [60, 120, 240, 480, 960]);
  });

  test('capped at 6 hours by default', () => {
    assert.equal(delaySeconds(nextAttemptAt(now, 9, 60)), 15_360); // 60 × 2^8, still under 21,600
    assert.equal(delaySeconds(nextAttemptAt(now, 10, 60)), 6 * 3600);
    assert.equal(delaySeconds(nextAttemptAt(now, 20, 60)), 6 * 3600);
  });

  test('the cap can be chosen, and applies from the first attempt', () => {
    assert.equal(delaySeconds(nextAttemptAt(now, 3, 60, 200)), 200);
    assert.equal(delaySeconds(nextAttemptAt(now, 1, 600, 300)), 300);
  });

  test('does not overflow: a huge attempt count gives the cap, a zero base gives now', () => {
    assert.equal(delaySeconds(nextAttemptAt(now, 5000, 60)), 6 * 3600);
    assert.equal(delaySeconds(nextAttemptAt(now, 5000, 0)), 0);
    assert.equal(delaySeconds(nextAttemptAt(now, 3, 0.5)), 2);
  });

  test('returns a new date and leaves `now` alone', () => {
    const before = now.getTime();
    assert.notEqual(nextAttemptAt(now, 1, 60), now);
    assert.equal(now.getTime(), before);
  });

  test('rejects attemptsMade < 1 or not an integer, and negative or NaN delays', () => {
    for (const attempts of [0, -1, 1.5, Number.NaN]) assert.throws(() => nextAttemptAt(now, attempts, 60), RangeError, String(attempts));
    assert.throws(() => nextAttemptAt(now, 1, -1), RangeError);
    assert.throws(() => nextAttemptAt(now, 1, Number.NaN), RangeError);
    assert.throws(() => nextAttemptAt(now, 1, 60, -5), RangeError);
  });
});

describe('isLastAttempt', () => {
  test('true once attemptsMade reaches maxAttempts', () => {
    assert.equal(isLastAttempt(1, 5), false);
    assert.equal(isLastAttempt(4, 5), false);
    assert.equal(isLastAttempt(5, 5), true);
    assert.equal(isLastAttempt(6, 5), true);
    assert.equal(isLastAttempt(1, 1), true);
  });
});
