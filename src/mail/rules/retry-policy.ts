// When a temporary failure (RFC 5321 §4.2.1 4yz, a lost connection) is tried again. Exponential
// backoff spreads retries so that a relay that is down is not hammered; the cap keeps a queue that
// failed overnight moving within hours. No jitter: the rule stays deterministic; a caller that
// wants jitter adds it.

/** The time of the next try after `attemptsMade` (≥ 1) tries: base × 2^(attemptsMade−1) seconds, capped. */
export function nextAttemptAt(now: Date, attemptsMade: number, baseSeconds: number, maxDelaySeconds = 6 * 3600): Date {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) throw new RangeError(`attemptsMade must be an integer ≥ 1, not ${attemptsMade}`);
  if (!(baseSeconds >= 0) || !(maxDelaySeconds >= 0)) throw new RangeError('baseSeconds and maxDelaySeconds must be ≥ 0');
  // 2 ** n is Infinity for large n; a zero base must stay zero rather than become NaN.
  const delaySeconds = baseSeconds === 0 ? 0 : Math.min(baseSeconds * 2 ** (attemptsMade - 1), maxDelaySeconds);
  return new Date(now.getTime() + delaySeconds * 1000);
}

/** True when no try is left: the entry ends in `exception` instead of being rescheduled. */
export function isLastAttempt(attemptsMade: number, maxAttempts: number): boolean {
  return attemptsMade >= maxAttempts;
}
