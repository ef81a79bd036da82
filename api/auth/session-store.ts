import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** How long a browser session lasts from sign-in; staff sign in again each working day. */
export const sessionLifetimeMs = 12 * 3_600_000;

/** A session unused this long ends: a browser left open in an empty office does not stay signed in. */
export const sessionIdleMs = 30 * 60_000;

/** Use is written to the session's file at most this often, not on every request. */
const touchIntervalMs = 60_000;

interface SessionRecord {
  accountId: string;
  /** The account's session generation at sign-in (`AccountRecord.sessionGeneration`); absent in old files. */
  generation?: number;
  createdAt: string;
  expiresAt: string;
  /** Last use, to the minute; absent in old files (then `createdAt`). */
  lastSeenAt?: string;
}

/** A live session: its owner, the generation it was made in, and its CSRF token. */
export interface Session {
  accountId: string;
  generation: number;
  csrfToken: string;
}

/**
 * Server-side browser sessions, one small file per session under `DATA_DIR/sessions`, named by the SHA-256
 * of the session id (a stolen directory listing reveals no usable id). The cookie carries the id and an
 * HMAC of it under SESSION_SECRET, so a forged cookie is refused without touching the disk. Signing out
 * deletes the file: the cookie stops working everywhere at once.
 *
 * A session ends 12 hours after sign-in, after 30 minutes unused, or when its account's generation moves
 * on (a password change, disabling). Ended sessions are deleted when read and by `sweep()`.
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

  private async write(file: string, record: SessionRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `${randomUUID()}.tmp`);
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, file);
  }

  /** Starts a session for an account in its current session generation; returns the cookie value. */
  async create(accountId: string, generation: number, now = new Date()): Promise<string> {
    const sessionId = randomBytes(32).toString('base64url');
    const at = now.toISOString();
    await this.write(this.fileOf(sessionId), {
      accountId,
      generation,
      createdAt: at,
      expiresAt: new Date(now.getTime() + sessionLifetimeMs).toISOString(),
      lastSeenAt: at,
    });
    return `${sessionId}.${this.mac('session', sessionId)}`;
  }

  /** Whether a session has ended by time: its lifetime is over or it was idle too long. */
  private ended(record: SessionRecord, now: Date): boolean {
    return (
      Date.parse(record.expiresAt) <= now.getTime() ||
      Date.parse(record.lastSeenAt ?? record.createdAt) + sessionIdleMs <= now.getTime()
    );
  }

  /** The session id of a cookie value whose signature is right, or null. */
  private idOf(cookieValue: string): string | null {
    const [sessionId, signature, extra] = cookieValue.split('.');
    if (!sessionId || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.mac('session', sessionId));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? sessionId : null;
  }

  /**
   * The live session of a cookie value, and a use of it (which keeps it from idling out). Ended sessions
   * are deleted. The caller still checks the generation against the account's.
   */
  async read(cookieValue: string, now = new Date()): Promise<Session | null> {
    const sessionId = this.idOf(cookieValue);
    if (!sessionId) return null;
    const file = this.fileOf(sessionId);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (!text) return null;
    const record = JSON.parse(text) as SessionRecord;
    if (this.ended(record, now)) {
      await unlink(file).catch(() => undefined);
      return null;
    }
    if (Date.parse(record.lastSeenAt ?? record.createdAt) + touchIntervalMs <= now.getTime())
      await this.write(file, { ...record, lastSeenAt: now.toISOString() });
    return { accountId: record.accountId, generation: record.generation ?? 0, csrfToken: this.mac('csrf', sessionId) };
  }

  /** Deletes every ended session; returns how many. Run it periodically (`api/main.ts`). */
  async sweep(now = new Date()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      // Temporary files are a session being written right now.
      if (name.endsWith('.tmp')) continue;
      const file = path.join(this.dir, name);
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text !== null && this.ended(JSON.parse(text) as SessionRecord, now)) {
        await unlink(file).catch(() => undefined);
        removed++;
      }
    }
    return removed;
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
