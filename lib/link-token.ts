import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed reply links. A token is `v1.<kid>.<payload>.<mac>`: the payload (base64url JSON) names the
 * directive, the unit, the purpose, the link generation and the expiry; the MAC is HMAC-SHA256 over
 * `v1.<kid>.<payload>` with the key `kid`. Keys rotate: the first key signs, every listed key verifies.
 * Revocation is by generation: the unit's workflow holds the current generation, and older links fail.
 */

export interface LinkClaims {
  directiveId: string;
  unitCode: string;
  purpose: 'reply';
  generation: number;
  /** Expiry, in ms since the epoch. */
  expiresAt: number;
}

export interface SigningKey {
  kid: string;
  secret: Buffer;
}

export type TokenProblem = 'malformed' | 'forged' | 'expired';

export class LinkTokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(`link token ${problem}`);
    this.name = 'LinkTokenError';
  }
}

/** Parses `kid1:secret1,kid2:secret2`. Secrets must be at least 32 characters; the first key signs. */
export function parseSigningKeys(text: string): SigningKey[] {
  const keys = text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf(':');
      if (i <= 0) throw new Error('each signing key must be written kid:secret');
      const kid = pair.slice(0, i);
      const secret = pair.slice(i + 1);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid)) throw new Error(`key id "${kid}" must be 1-32 letters, digits, _ or -`);
      if (secret.length < 32) throw new Error(`the secret of key "${kid}" must have at least 32 characters`);
      return { kid, secret: Buffer.from(secret, 'utf8') };
    });
  if (keys.length === 0) throw new Error('at least one signing key is required');
  return keys;
}

const mac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Signs a payload object with the first key. */
function signPayload(payload: object, keys: SigningKey[]): string {
  const [key] = keys;
  const signed = `v1.${key.kid}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${signed}.${mac(key.secret, signed).toString('base64url')}`;
}

/** Signs claims with the first key. */
export function signLinkToken(claims: LinkClaims, keys: SigningKey[]): string {
  return signPayload(
    { d: claims.directiveId, u: claims.unitCode, p: claims.purpose, g: claims.generation, e: claims.expiresAt },
    keys,
  );
}

/**
 * A unit's inbox link (`/k/<token>`): signed per unit, not per directive, by the same keys and in the same
 * format, with the purpose `inbox` so that neither kind of token opens the other's pages. Revocation is by
 * the unit's inbox generation (workflows/unit-inbox-workflow.ts).
 */
export interface InboxClaims {
  unitCode: string;
  purpose: 'inbox';
  generation: number;
  /** Expiry, in ms since the epoch. */
  expiresAt: number;
}

export function signInboxToken(claims: InboxClaims, keys: SigningKey[]): string {
  return signPayload({ u: claims.unitCode, p: claims.purpose, g: claims.generation, e: claims.expiresAt }, keys);
}

/**
 * Verifies an inbox token as `verifyLinkToken` does a reply token (same costs, same order of checks).
 * @throws LinkTokenError
 */
export function verifyInboxToken(token: string, keys: SigningKey[], now: number): InboxClaims {
  const raw = verifySigned(token, keys);
  if (typeof raw.u !== 'string' || raw.p !== 'inbox' || typeof raw.g !== 'number' || typeof raw.e !== 'number')
    throw new LinkTokenError('malformed');
  if (now > raw.e) throw new LinkTokenError('expired');
  return { unitCode: raw.u, purpose: 'inbox', generation: raw.g, expiresAt: raw.e };
}

/** A fixed key used to spend the same work on tokens whose key id is unknown. */
const decoyKey = Buffer.alloc(32, 7);

/**
 * Verifies a token and returns its claims. Every malformed or forged token costs the same work (one HMAC and
 * one constant-time comparison) whichever part is wrong, so timing does not tell an attacker which check
 * failed. Expiry is checked only after the MAC: an expired-link answer is given only to genuine links.
 * @throws LinkTokenError
 */
export function verifyLinkToken(token: string, keys: SigningKey[], now: number): LinkClaims {
  const raw = verifySigned(token, keys);
  if (
    typeof raw.d !== 'string' ||
    typeof raw.u !== 'string' ||
    raw.p !== 'reply' ||
    typeof raw.g !== 'number' ||
    typeof raw.e !== 'number'
  ) {
    throw new LinkTokenError('malformed');
  }
  if (now > raw.e) throw new LinkTokenError('expired');
  return { directiveId: raw.d, unitCode: raw.u, purpose: 'reply', generation: raw.g, expiresAt: raw.e };
}

/** Checks a token's MAC in constant work and returns its decoded payload. @throws LinkTokenError */
function verifySigned(
  token: string,
  keys: SigningKey[],
): { d?: unknown; u?: unknown; p?: unknown; g?: unknown; e?: unknown } {
  const parts = typeof token === 'string' && token.length <= 1024 ? token.split('.') : [];
  const [version, kid, payload, given] = parts.length === 4 ? parts : ['', '', '', ''];
  const key = keys.find((k) => k.kid === kid)?.secret ?? decoyKey;
  // A token that does not even split into four parts is MACed whole, so its cost grows with its length
  // exactly as a well-formed token's does (a short constant input would make malformed tokens faster).
  const expected = mac(key, parts.length === 4 ? `${version}.${kid}.${payload}` : parts.join('.'));
  const givenBytes = Buffer.from(given, 'base64url');
  const sameLength = givenBytes.length === expected.length;
  const equal = timingSafeEqual(expected, sameLength ? givenBytes : expected) && sameLength;
  if (!equal || version !== 'v1' || key === decoyKey)
    throw new LinkTokenError(parts.length === 4 ? 'forged' : 'malformed');
  try {
    const raw: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (raw && typeof raw === 'object') return raw;
  } catch {
    // reported below
  }
  throw new LinkTokenError('malformed');
}
