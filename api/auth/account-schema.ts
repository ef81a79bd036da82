import { z } from 'zod';
import { persianText } from '../../lib/persian-text';

/**
 * Accounts of the governor's office staff: the schemas of the stored file and of the inputs that create
 * accounts and tokens. The single source of their types.
 *
 * Roles: `office` issues directives and acts on them; `auditor` reads everything and uses the audit tools
 * but changes nothing; `admin` manages accounts and, so that a small office can work with one account,
 * may also do everything office and auditor staff may (see `roleAllows`).
 */
export const roles = ['office', 'auditor', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Whether an account of `role` may use an endpoint open to `allowed`. Admin may use every endpoint. */
export function roleAllows(role: Role, allowed: readonly Role[]): boolean {
  return role === 'admin' || allowed.includes(role);
}

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9._-]{2,39}$/, 'a username is 3-40 latin letters, digits, . _ or -, starting with a letter');

export const passwordSchema = z.string().min(10, 'a password has at least 10 characters').max(200);

export const tokenNameSchema = z.string().trim().min(1).max(100);

const tokenRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

const accountRecordSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: roleSchema,
  /** `scrypt$…` (api/auth/password.ts), or null for an account that signs in only with tokens. */
  passwordHash: z.string().nullable(),
  disabled: z.boolean(),
  /**
   * Raised by a password change and by disabling: a session is valid only while it carries the account's
   * current generation, so both end every open session at once. Files written before it existed read as 0.
   */
  sessionGeneration: z.number().int().min(0).default(0),
  createdAt: z.string(),
  tokens: z.array(tokenRecordSchema),
});
export type AccountRecord = z.infer<typeof accountRecordSchema>;

export const accountsFileSchema = z.object({ version: z.literal(1), accounts: z.array(accountRecordSchema) });
export type AccountsFile = z.infer<typeof accountsFileSchema>;

/** The body of `POST /api/v1/accounts` and the input of `farman users add`. */
export const newAccountSchema = z
  .object({
    username: usernameSchema,
    name: persianText(1, 100),
    role: roleSchema,
    password: passwordSchema.optional(),
  })
  .strict();
export type NewAccount = z.infer<typeof newAccountSchema>;

/** The body of `POST /api/v1/accounts/{username}/tokens`. */
export const newTokenSchema = z.object({ name: tokenNameSchema }).strict();

/** What the API and the CLI show of an account: never a hash. */
export interface AccountView {
  id: string;
  username: string;
  name: string;
  role: Role;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
  tokens: { id: string; name: string; createdAt: string; revokedAt: string | null }[];
}

export function viewAccount(a: AccountRecord): AccountView {
  return {
    id: a.id,
    username: a.username,
    name: a.name,
    role: a.role,
    disabled: a.disabled,
    hasPassword: a.passwordHash !== null,
    createdAt: a.createdAt,
    tokens: a.tokens.map(({ id, name, createdAt, revokedAt }) => ({ id, name, createdAt, revokedAt })),
  };
}
