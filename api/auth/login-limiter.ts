import { isIPv6 } from 'node:net';

/**
 * The limiter's key of a client address: an IPv6 address stands for its /64 (one subscriber usually holds a
 * whole /64, so counting single addresses would give each of them 2^64 budgets); IPv4 as it is.
 */
export function addressKey(ip: string | undefined): string {
  const address = (ip ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!isIPv6(address)) return `ip:${address}`;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `ip:${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** The limiter's key of a username. */
export const usernameKey = (username: string) => `user:${username}`;

interface Entry {
  failures: number[];
  /** Once the key reached the limit; such keys are evicted last. */
  blocked: boolean;
}

/**
 * Limits failed sign-ins, per client address (IPv6 by /64) and per username, over a sliding window.
 *
 * An address that fails `maxFailures` times is blocked until the window passes. A username is not locked:
 * from its `maxFailures`-th failure on, each attempt must wait a delay that doubles with every further
 * failure (30 s, 1 min, 2 min, … up to the window), so guessing at `admin` slows exponentially, while a
 * handful of tries by anyone keeps its owner out for seconds, not for the whole window.
 *
 * Kept in memory: a restart forgets the counts, and several API processes count separately (each still
 * bounds guessing to its own budget). At `maxKeys` keys the oldest keys that never reached the limit are
 * forgotten first, so a flood of made-up addresses or usernames cannot unblock a blocked one.
 */
export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly maxFailures = 5,
    readonly windowMs = 15 * 60_000,
    /** Bound on remembered keys, so a flood of made-up usernames cannot exhaust memory. */
    private readonly maxKeys = 50_000,
    /** A username's wait after its `maxFailures`-th failure; it doubles with each further failure. */
    readonly firstDelayMs = 30_000,
  ) {}

  private recent(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.failures = entry.failures.filter((t) => t > now - this.windowMs);
    if (entry.failures.length > 0) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** Milliseconds a key must still wait at `now`, or 0. */
  private waitMs(key: string, entry: Entry, now: number): number {
    const n = entry.failures.length;
    if (n < this.maxFailures) return 0;
    if (!key.startsWith('user:')) return entry.failures[0] + this.windowMs - now;
    const delay = Math.min(this.windowMs, this.firstDelayMs * 2 ** (n - this.maxFailures));
    return Math.max(0, entry.failures[n - 1] + delay - now);
  }

  /** Seconds until the client may try again, or 0 when none of the keys is blocked. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const entry = this.recent(key, now);
      if (entry) wait = Math.max(wait, Math.ceil(this.waitMs(key, entry, now) / 1000));
    }
    return wait;
  }

  recordFailure(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const entry = this.recent(key, now) ?? { failures: [], blocked: false };
      if (!this.entries.has(key)) this.makeRoom(now);
      entry.failures.push(now);
      entry.blocked ||= entry.failures.length >= this.maxFailures;
      this.entries.set(key, entry);
    }
  }

  /**
   * At `maxKeys`, forgets expired keys, then the oldest never-blocked ones, then (only if nearly all are
   * blocked) the oldest, down to 90 % of the bound, so the sweep runs once per many new keys, not for each.
   */
  private makeRoom(now: number): void {
    if (this.entries.size < this.maxKeys) return;
    const target = Math.floor(this.maxKeys * 0.9);
    for (const key of [...this.entries.keys()]) this.recent(key, now);
    for (const evictBlocked of [false, true]) {
      for (const [key, entry] of this.entries) {
        if (this.entries.size <= target) return;
        if (evictBlocked || !entry.blocked) this.entries.delete(key);
      }
    }
  }

  /** A successful sign-in clears the account's count (not the address's). */
  recordSuccess(usernameKey: string): void {
    this.entries.delete(usernameKey);
  }
}
