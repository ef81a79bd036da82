import { addressKey, LoginLimiter, usernameKey } from '../../api/auth/login-limiter';

const t0 = Date.parse('2026-12-01T08:00:00Z');

describe('The sign-in limiter', () => {
  test('When an address fails five times, then it waits out the window; addresses of one IPv6 /64 count as one', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 5; i++) limiter.recordFailure([addressKey(`2001:db8:1:2::${(i + 1).toString(16)}`)], t0 + i);
    expect(limiter.retryAfter([addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')], t0 + 10)).toBe(15 * 60);
    expect(limiter.retryAfter([addressKey('2001:db8:1:3::1')], t0 + 10)).toBe(0);
    expect(addressKey('2001:0db8:0001:0002:0000:0000:0000:0009')).toBe(addressKey('2001:db8:1:2::9'));
    expect(addressKey('::ffff:198.51.100.7')).toBe('ip:198.51.100.7');
  });

  test('When a username fails again and again, then each attempt waits longer (30 s, 1 min, 2 min…), not a whole-window lock', () => {
    const limiter = new LoginLimiter();
    const admin = usernameKey('admin');
    let now = t0;
    for (let i = 0; i < 5; i++) limiter.recordFailure([admin], now++);
    expect(limiter.retryAfter([admin], now)).toBe(30);
    now += 30_000;
    expect(limiter.retryAfter([admin], now)).toBe(0);
    limiter.recordFailure([admin], now);
    expect(limiter.retryAfter([admin], now)).toBe(60);
    now += 60_000;
    limiter.recordFailure([admin], now);
    expect(limiter.retryAfter([admin], now)).toBe(120);
  });

  test('When the limiter is full of other keys, then the oldest never-blocked ones are forgotten and a blocked one stays blocked', () => {
    const limiter = new LoginLimiter(5, 15 * 60_000, 100);
    const blocked = addressKey('198.51.100.1');
    for (let i = 0; i < 5; i++) limiter.recordFailure([blocked, usernameKey('admin')], t0 + i);
    // As many distinct IPv6 /64s as it takes to fill the bound several times over.
    for (let i = 0; i < 1_000; i++) limiter.recordFailure([addressKey(`2001:db8:${i.toString(16)}::1`)], t0 + 10);
    expect(limiter.retryAfter([blocked], t0 + 20)).toBeGreaterThan(0);
    expect(limiter.retryAfter([usernameKey('admin')], t0 + 20)).toBeGreaterThan(0);
  });
});
