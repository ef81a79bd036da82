/**
 * Limits failed sign-ins: at most `maxFailures` per key in a sliding window, where the keys are the client
 * address and the username, so one address cannot guess many passwords and many addresses cannot guess one
 * account's. Kept in memory: a restart forgets the counts, and several API processes count separately
 * (each still bounds guessing to its own budget).
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures = 5,
    readonly windowMs = 15 * 60_000,
    /** Bound on remembered keys, so a flood of made-up usernames cannot exhaust memory. */
    private readonly maxKeys = 50_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until the client may try again, or 0 when none of the keys is blocked. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const list = this.recent(key, now);
      if (list.length >= this.maxFailures) wait = Math.max(wait, Math.ceil((list[0] + this.windowMs - now) / 1000));
    }
    return wait;
  }

  recordFailure(keys: string[], now = Date.now()): void {
    if (this.failures.size >= this.maxKeys) {
      for (const key of [...this.failures.keys()]) this.recent(key, now);
      if (this.failures.size >= this.maxKeys) this.failures.clear();
    }
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  /** A successful sign-in clears the account's count (not the address's). */
  recordSuccess(usernameKey: string): void {
    this.failures.delete(usernameKey);
  }
}
