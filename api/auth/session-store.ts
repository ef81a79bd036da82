import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** How long a browser session lasts from sign-in; staff sign in again each working day. */
export const sessionLifetimeMs = 12 * 3_600_000;

interface SessionRecord {
  accountId: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * Server-side browser sessions, one small file per session under `DATA_DIR/sessions`, named by the SHA-256
 * of the session id (a stolen directory listing reveals no usable id). The cookie carries the id and an
 * HMAC of it under SESSION_SECRET, so a forged cookie is refused without touching the disk. Signing out
 * deletes the file: the cookie stops working everywhere at once.
 *
 * The CSRF token of a session is an HMAC of its id (a synchronizer token that needs no storage).
 */
export class SessionStore {
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly secret: Buffer,
  ) {
    this.dir = path.join(dataDir, 'sessions');
  }

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}:${value}`).digest('base64url');
  }

  private fileOf(sessionId: string): string {
    return path.join(this.dir, createHash('sha256').update(sessionId).digest('hex'));
  }

  /** Starts a session for an account; returns the cookie value. */
  async create(accountId: string, now = new Date()): Promise<string> {
    const sessionId = randomBytes(32).toString('base64url');
    const record: SessionRecord = { accountId, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + sessionLifetimeMs).toISOString() };
    await mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `${randomUUID()}.tmp`);
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, this.fileOf(sessionId));
    return `${sessionId}.${this.mac('session', sessionId)}`;
  }

  /** The session id of a cookie value whose signature is right, or null. */
  private idOf(cookieValue: string): string | null {
    const [sessionId, signature, extra] = cookieValue.split('.');
    if (!sessionId || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.mac('session', sessionId));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? sessionId : null;
  }

  /** The live session of a cookie value: its account and CSRF token. Expired sessions are deleted. */
  async read(cookieValue: string, now = new Date()): Promise<{ accountId: string; csrfToken: string } | null> {
    const sessionId = this.idOf(cookieValue);
    if (!sessionId) return null;
    const text = await readFile(this.fileOf(sessionId), 'utf8').catch(() => null);
    if (!text) return null;
    const record = JSON.parse(text) as SessionRecord;
    if (Date.parse(record.expiresAt) <= now.getTime()) {
      await unlink(this.fileOf(sessionId)).catch(() => undefined);
      return null;
    }
    return { accountId: record.accountId, csrfToken: this.mac('csrf', sessionId) };
  }

  /** Ends the session of a cookie value (sign-out); unknown or forged values are ignored. */
  async destroy(cookieValue: string): Promise<void> {
    const sessionId = this.idOf(cookieValue);
    if (sessionId) await unlink(this.fileOf(sessionId)).catch(() => undefined);
  }

  /** A CSRF token for the sign-in form, bound to the pre-session cookie value `nonce`. */
  loginCsrfToken(nonce: string): string {
    return this.mac('login-csrf', nonce);
  }
}
