import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SigningKey } from './link-token';

/**
 * Short links for SMS: `/s/<code>` stands for a unit's signed page link `/u/<token>`, which is far too long
 * for a 70-character text. The code is derived, not drawn: HMAC-SHA256 under the first link-signing key of
 * (directive, unit, link generation), cut to 11 base64url characters (66 bits). So:
 * - it is unguessable without the key (66 bits against an online, rate-limited look-up);
 * - a retried send, on any worker, makes the same code and writes the same entry (no coordination);
 * - revoking the unit's links (a new generation) makes a new code, and the old code's token is refused
 *   by the same generation check as its long link; it expires with the token it stands for.
 * The store keeps one small file per code holding the signed token; the token is verified at every look-up,
 * so an entry cannot grant more than the long link it names.
 */

/** 11 base64url characters: 66 bits. */
export const shortCodeLength = 11;
export const shortCodePattern = /^[A-Za-z0-9_-]{11}$/;

/** What a short code is derived from: the same three values give the same code. */
export interface ShortLinkTarget {
  directiveId: string;
  unitCode: string;
  generation: number;
}

/** The code of a unit's link of one generation, under the first (signing) key. */
export function shortLinkCode(keys: readonly SigningKey[], target: ShortLinkTarget): string {
  const [key] = keys;
  return createHmac('sha256', key.secret)
    .update(`s1\n${target.directiveId}\n${target.unitCode}\n${target.generation}`)
    .digest('base64url')
    .slice(0, shortCodeLength);
}

/**
 * Short codes and the tokens they stand for, one file per code under `dir` (DATA_DIR/short-links, shared
 * by the worker that writes and the API that reads, as the file store is). Writes are atomic renames, so a
 * reader sees a whole entry or none; writing the same entry twice is harmless.
 */
export class ShortLinkStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Records that `code` stands for `token`. */
  put(code: string, token: string): void {
    if (!shortCodePattern.test(code)) throw new Error('not a short code');
    const tmp = path.join(this.dir, `.${code}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify({ v: 1, token }));
    renameSync(tmp, path.join(this.dir, `${code}.json`));
  }

  /** The token a code stands for, or null for a code that is malformed or unknown. */
  get(code: string): string | null {
    if (!shortCodePattern.test(code)) return null;
    try {
      const entry = JSON.parse(readFileSync(path.join(this.dir, `${code}.json`), 'utf8')) as { token?: unknown };
      return typeof entry.token === 'string' ? entry.token : null;
    } catch {
      return null;
    }
  }
}
