// Guessing passwords is slowed down: after 5 wrong passwords for one login within 15 minutes, that
// login is refused for the rest of the window (OWASP's "account lockout" advice, kept temporary so
// that nobody can lock a person out for good). Kept in memory, per process: a restart forgets it.
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  /** Milliseconds to wait before this login may be tried again; 0 when it may be tried now. */
  waitFor(login: string, now = Date.now()): number {
    const recent = this.recent(login, now);
    return recent.length >= MAX_FAILURES ? recent[0]! + WINDOW_MS - now : 0;
  }

  failed(login: string, now = Date.now()): void {
    this.failures.set(login.toLowerCase(), [...this.recent(login, now), now]);
  }

  succeeded(login: string): void {
    this.failures.delete(login.toLowerCase());
  }

  private recent(login: string, now: number): number[] {
    const kept = (this.failures.get(login.toLowerCase()) ?? []).filter((at) => now - at < WINDOW_MS);
    if (kept.length === 0) this.failures.delete(login.toLowerCase());
    return kept;
  }
}
