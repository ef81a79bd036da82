import path from 'node:path';
import { z } from 'zod';
import { parseSigningKeys } from './link-token';

/**
 * Configuration pieces shared by the processes. Each process composes its own schema from these and parses
 * the environment once at start (`loadConfig(env)`), failing fast with every bad variable named.
 */

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `true/false/1/0/yes/no`, never `Boolean('false')`. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const temporalFields = {
  /** When set, connect there and start no embedded server. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
};

export const dataFields = {
  /** Root of everything kept on disk: the SQLite file, stored files, the audit archive. */
  DATA_DIR: z
    .string()
    .default('.data')
    .transform((p) => path.resolve(p)),
  /** The registry of units (JSON or YAML); defaults to the shipped sample registry. */
  REGISTRY_FILE: z.string().optional(),
  /** The audit archive (histories, workflow bundles, hash-chained manifest); defaults to DATA_DIR/archive. */
  ARCHIVE_DIR: z
    .string()
    .optional()
    .transform((p) => (p ? path.resolve(p) : undefined)),
};

/** The audit archive's directory: ARCHIVE_DIR, or `archive` under DATA_DIR. */
export function archiveDirOf(config: { DATA_DIR: string; ARCHIVE_DIR?: string }): string {
  return config.ARCHIVE_DIR ?? path.join(config.DATA_DIR, 'archive');
}

export const linkFields = {
  /** Base of every link in e-mails, e.g. https://farman.example.org */
  PUBLIC_URL: z
    .url()
    .default('http://localhost:3000')
    .transform((u) => u.replace(/\/+$/, '')),
  /** `kid:secret` pairs, comma-separated; the first signs, all verify. */
  LINK_SIGNING_KEYS: z.string().transform((text, ctx) => {
    try {
      return parseSigningKeys(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  /** How long after the report deadline a link keeps working. */
  LINK_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(14),
};

/** Parses `env` with `schema`, or throws a ConfigError naming each bad variable (never its value). */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
}
