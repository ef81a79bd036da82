import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AccountStore } from './account-store';
import { LoginLimiter } from './login-limiter';
import { SessionStore } from './session-store';

/** Everything authentication needs, built once per process and passed to the app in `AppDeps.auth`. */
export interface AuthServices {
  accounts: AccountStore;
  sessions: SessionStore;
  limiter: LoginLimiter;
  /** Whether cookies carry `Secure` (and the `__Host-` name prefix). */
  cookieSecure: boolean;
}

export interface AuthOptions {
  dataDir: string;
  /** SESSION_SECRET; when absent, a random secret is made once and kept in `DATA_DIR/session-secret`. */
  sessionSecret?: string;
  cookieSecure: boolean;
  limiter?: LoginLimiter;
}

/**
 * The secret that signs session cookies and CSRF tokens. Sessions live server-side, so a secret kept in
 * DATA_DIR (mode 0600) is as good as one from the environment; SESSION_SECRET lets several API processes
 * share one.
 */
function loadSecret(dataDir: string, given?: string): Buffer {
  if (given) return Buffer.from(given, 'utf8');
  const file = path.join(dataDir, 'session-secret');
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}

export function createAuthServices(options: AuthOptions): AuthServices {
  return {
    accounts: new AccountStore(options.dataDir),
    sessions: new SessionStore(options.dataDir, loadSecret(options.dataDir, options.sessionSecret)),
    limiter: options.limiter ?? new LoginLimiter(),
    cookieSecure: options.cookieSecure,
  };
}
