import {
  LinkTokenError,
  parseSigningKeys,
  signLinkToken,
  verifyLinkToken,
  type LinkClaims,
} from '../../lib/link-token';

/**
 * Reply-link tokens under attack: every kind of bad token is refused, key rotation works both ways, and
 * the time a refusal takes does not say which check failed. The timing check is statistical: thousands of
 * verifications per class, interleaved so machine load hits every class alike, compared by median.
 */

const now = Date.parse('2026-11-28T08:00:00Z');
const oldKey = 'k2025:old-signing-secret-0123456789abcdef0123';
const newKey = 'k2026:new-signing-secret-fedcba9876543210fedc';
const current = parseSigningKeys(`${newKey},${oldKey}`);
const claims: LinkClaims = {
  directiveId: '1405-000042',
  unitCode: 'THR-TEH-MRK',
  purpose: 'reply',
  generation: 1,
  expiresAt: now + 86_400_000,
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** The token with its payload replaced, MAC kept: what an attacker editing a real link gets. */
function withPayload(token: string, payload: Record<string, unknown>): string {
  const [v, kid, , mac] = token.split('.');
  return [v, kid, b64(payload), mac].join('.');
}

const genuine = signLinkToken(claims, current);
const badTokens: Record<string, string> = {
  forgedMac: genuine.slice(0, -4) + (genuine.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
  signedWithUnknownKey: signLinkToken(claims, parseSigningKeys('evil:attacker-secret-0123456789abcdef01234')),
  truncated: genuine.slice(0, genuine.length - 10),
  missingMac: genuine.split('.').slice(0, 3).join('.'),
  otherUnit: withPayload(genuine, { d: claims.directiveId, u: 'THR-TEH-KAN', p: 'reply', g: 1, e: claims.expiresAt }),
  otherDirective: withPayload(genuine, { d: '1405-000041', u: claims.unitCode, p: 'reply', g: 1, e: claims.expiresAt }),
  laterGeneration: withPayload(genuine, {
    d: claims.directiveId,
    u: claims.unitCode,
    p: 'reply',
    g: 2,
    e: claims.expiresAt,
  }),
  longerExpiry: withPayload(genuine, {
    d: claims.directiveId,
    u: claims.unitCode,
    p: 'reply',
    g: 1,
    e: claims.expiresAt + 1e10,
  }),
  wrongVersion: `v2${genuine.slice(2)}`,
  empty: '',
  garbage: 'x'.repeat(180),
};

describe('Link tokens', () => {
  test('When a token is forged, truncated, re-signed by another key or edited to name another unit, directive, generation or expiry, then it is refused', () => {
    expect(verifyLinkToken(genuine, current, now)).toEqual(claims);
    for (const [kind, token] of Object.entries(badTokens)) {
      let problem: string | null = null;
      try {
        verifyLinkToken(token, current, now);
      } catch (err) {
        if (err instanceof LinkTokenError) problem = err.problem;
      }
      expect({ kind, problem }).toEqual({ kind, problem: expect.stringMatching(/^(forged|malformed)$/) });
    }
  });

  test('When a genuine token has expired, then it is refused as expired, and only after its signature was checked', () => {
    expect(() => verifyLinkToken(genuine, current, claims.expiresAt + 1)).toThrow(
      expect.objectContaining({ problem: 'expired' }),
    );
    // An edited expiry is a forgery, never "expired": the expiry answer is given only to genuine links.
    const editedPast = withPayload(genuine, { d: claims.directiveId, u: claims.unitCode, p: 'reply', g: 1, e: 1 });
    expect(() => verifyLinkToken(editedPast, current, now)).toThrow(expect.objectContaining({ problem: 'forged' }));
  });

  test('When keys rotate, then a link signed with the old key works while the old key is listed, and not once it is removed', () => {
    const signedOld = signLinkToken(claims, parseSigningKeys(oldKey));
    expect(verifyLinkToken(signedOld, current, now)).toEqual(claims);
    const afterRemoval = parseSigningKeys(newKey);
    expect(() => verifyLinkToken(signedOld, afterRemoval, now)).toThrow(expect.objectContaining({ problem: 'forged' }));
    // New links are signed by the first key and verify after the removal.
    expect(verifyLinkToken(signLinkToken(claims, current), afterRemoval, now)).toEqual(claims);
  });

  // Every class here gets the same answer (403 "this link is not valid"), so time is the only thing that
  // could tell them apart. An expired link is answered differently (410) and only for a genuine signature,
  // so its time is measured and shown but tells nothing the answer does not already say.
  test('When thousands of bad tokens of each kind are verified, then the median time per kind is the same within a factor of 1.5', () => {
    const classes = {
      ...badTokens,
      removedKey: signLinkToken(claims, parseSigningKeys(oldKey)),
      expired: genuine,
    };
    const sameAnswer = (kind: string) => kind !== 'expired';
    const keysFor = (kind: string) => (kind === 'removedKey' ? parseSigningKeys(newKey) : current);
    const at = (kind: string) => (kind === 'expired' ? claims.expiresAt + 1 : now);
    const names = Object.keys(classes) as (keyof typeof classes)[];
    const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const rounds = 2_000;
    const batch = 5;
    // Warm up the JIT on every path before measuring.
    for (let i = 0; i < 500; i++) for (const n of names) tryVerify(classes[n], keysFor(n), at(n));
    for (let r = 0; r < rounds; r++) {
      for (const n of names) {
        const keys = keysFor(n);
        const t = at(n);
        const start = process.hrtime.bigint();
        for (let b = 0; b < batch; b++) tryVerify(classes[n], keys, t);
        samples[n].push(Number(process.hrtime.bigint() - start) / batch);
      }
    }
    const medians = Object.fromEntries(names.map((n) => [n, median(samples[n])]));
    const values = Object.entries(medians)
      .filter(([kind]) => sameAnswer(kind))
      .map(([, v]) => v);
    const ratio = Math.max(...values) / Math.min(...values);
    console.log(
      `median ns per verification: ${JSON.stringify(Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, Math.round(v)])))}; max/min ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeLessThan(1.5);
  });
});

function tryVerify(token: string, keys: ReturnType<typeof parseSigningKeys>, at: number): void {
  try {
    verifyLinkToken(token, keys, at);
  } catch {
    // Every class here is refused; only the time matters.
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
