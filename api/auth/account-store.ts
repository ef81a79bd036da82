import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFound, Rejected } from '../errors';
import {
  accountsFileSchema,
  type AccountRecord,
  type AccountsFile,
  type NewAccount,
  type Role,
} from './account-schema';
import { hashPassword, verifyPassword } from './password';

/** The signed-in person, as the middleware puts it on `res.locals.user`. */
export interface AuthUser {
  id: string;
  username: string;
  name: string;
  role: Role;
  /** The account's session generation (`AccountRecord.sessionGeneration`): a new session carries it. */
  sessionGeneration: number;
}

/** Prefix of every API token, so a leaked one is recognisable (and greppable) as Farman's. */
const tokenPrefix = 'farman_';

/** SHA-256 (hex) of an API token: what the store keeps and looks tokens up by. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function userOf(a: AccountRecord): AuthUser {
  return { id: a.id, username: a.username, name: a.name, role: a.role, sessionGeneration: a.sessionGeneration };
}

/**
 * The office's accounts in one JSON file (`DATA_DIR/accounts.json`): scrypt password hashes, roles and
 * API tokens stored as SHA-256 digests.
 *
 * Writes are serialized in-process and atomic (temporary file, then rename), so a reader never sees a
 * half-written file. Reads are cached and reloaded when the file changes, so a token created by the CLI
 * works in a running API at once. Hazard: the CLI and the API writing at the same instant can lose one of
 * the two changes (there is no cross-process lock); account changes are rare admin actions.
 */
export class AccountStore {
  readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();
  private cache: { key: string; data: AccountsFile } | null = null;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'accounts.json');
  }

  private async load(): Promise<AccountsFile> {
    const info = await stat(this.file).catch(() => null);
    if (!info) return { version: 1, accounts: [] };
    const key = `${info.mtimeMs}:${info.size}:${info.ino}`;
    if (this.cache?.key === key) return this.cache.data;
    const data = accountsFileSchema.parse(JSON.parse(await readFile(this.file, 'utf8')));
    this.cache = { key, data };
    return data;
  }

  /** Runs a read-modify-write of the file, one at a time. */
  private mutate<R>(change: (data: AccountsFile) => R | Promise<R>): Promise<R> {
    const result = this.chain.then(async () => {
      const data = structuredClone(await this.load());
      const value = await change(data);
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${randomUUID()}.tmp`;
      await writeFile(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
      await rename(tmp, this.file);
      this.cache = null;
      return value;
    });
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Every account, for the admin. */
  async list(): Promise<AccountRecord[]> {
    return (await this.load()).accounts;
  }

  async findByUsername(username: string): Promise<AccountRecord | null> {
    const wanted = username.trim().toLowerCase();
    return (await this.load()).accounts.find((a) => a.username === wanted) ?? null;
  }

  async findById(id: string): Promise<AccountRecord | null> {
    return (await this.load()).accounts.find((a) => a.id === id) ?? null;
  }

  /** Creates an account; a taken username is a conflict and changes nothing. */
  async create(input: NewAccount, now = new Date()): Promise<AccountRecord> {
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return this.mutate((data) => {
      if (data.accounts.some((a) => a.username === input.username)) {
        throw new Rejected('conflict', `the username ${input.username} is taken`, [
          { path: 'username', message: 'is taken' },
        ]);
      }
      const account: AccountRecord = {
        id: `u_${randomBytes(8).toString('hex')}`,
        username: input.username,
        name: input.name,
        role: input.role,
        passwordHash,
        disabled: false,
        sessionGeneration: 0,
        createdAt: now.toISOString(),
        tokens: [],
      };
      data.accounts.push(account);
      return account;
    });
  }

  /** Sets an account's password and ends its open sessions (a new generation); its API tokens stay valid. */
  async setPassword(username: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.mutate((data) => {
      const account = this.mustFind(data, username);
      account.passwordHash = passwordHash;
      account.sessionGeneration++;
    });
  }

  /**
   * Disables (or re-enables) an account: while disabled, its sessions and tokens stop working at once, and
   * its sessions stay ended after re-enabling (a new generation). Returns what the account looks like now.
   */
  async setDisabled(username: string, disabled: boolean): Promise<AccountRecord> {
    return this.mutate((data) => {
      const account = this.mustFind(data, username);
      if (disabled && !account.disabled) account.sessionGeneration++;
      account.disabled = disabled;
      return account;
    });
  }

  /**
   * Checks a username and password. Returns the user, or null for a wrong password, an unknown or disabled
   * account, or one without a password; the time taken does not depend on which.
   */
  async authenticatePassword(username: string, password: string): Promise<AuthUser | null> {
    const account = await this.findByUsername(username);
    const ok = await verifyPassword(password, account?.passwordHash ?? null);
    return ok && account && !account.disabled ? userOf(account) : null;
  }

  /**
   * Creates an API token for the account. The token (32 random bytes) is returned once; only its SHA-256 is
   * stored. The token acts with the account's role, as it is at each request.
   */
  async createToken(username: string, name: string, now = new Date()): Promise<{ id: string; token: string }> {
    const token = tokenPrefix + randomBytes(32).toString('base64url');
    const id = `t_${randomBytes(6).toString('hex')}`;
    await this.mutate((data) => {
      this.mustFind(data, username).tokens.push({
        id,
        name,
        sha256: tokenDigest(token),
        createdAt: now.toISOString(),
        revokedAt: null,
      });
    });
    return { id, token };
  }

  /** Revokes a token by id; revoking a revoked token is a no-op. */
  async revokeToken(username: string, tokenId: string, now = new Date()): Promise<void> {
    await this.mutate((data) => {
      const token = this.mustFind(data, username).tokens.find((t) => t.id === tokenId);
      if (!token) throw new NotFound(`no token ${tokenId} on ${username}`);
      token.revokedAt ??= now.toISOString();
    });
  }

  /** The user a bearer token belongs to, or null for an unknown, revoked or disabled one. */
  async authenticateToken(token: string): Promise<AuthUser | null> {
    if (!token.startsWith(tokenPrefix)) return null;
    const digest = tokenDigest(token);
    for (const account of (await this.load()).accounts) {
      if (account.disabled) continue;
      if (account.tokens.some((t) => t.sha256 === digest && t.revokedAt === null)) return userOf(account);
    }
    return null;
  }

  /**
   * The current user of a session's owner, or null when the account is gone or disabled, or when the
   * session belongs to an earlier generation (the password changed or the account was disabled since).
   */
  async userOfSession(session: { accountId: string; generation: number }): Promise<AuthUser | null> {
    const account = await this.findById(session.accountId);
    return account && !account.disabled && account.sessionGeneration === session.generation ? userOf(account) : null;
  }

  private mustFind(data: AccountsFile, username: string): AccountRecord {
    const wanted = username.trim().toLowerCase();
    const account = data.accounts.find((a) => a.username === wanted);
    if (!account) throw new NotFound(`no account ${wanted}`);
    return account;
  }
}
