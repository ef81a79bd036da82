import { isIP } from 'node:net';
import { z } from 'zod';
import { dataFields, envBoolean, linkFields, parseConfig, temporalFields } from '../lib/config';

/** `VAR=` in an env file (docker-compose passes it as an empty string) means unset. */
const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);

/** One trusted hop: one of Express's names, or an IPv4/IPv6 address with an optional prefix length. */
function isTrustedHop(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export const apiConfigSchema = z.object({
  ...temporalFields,
  ...dataFields,
  ...linkFields,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /**
   * The reverse proxies whose `X-Forwarded-For` is believed (comma-separated addresses, subnets, or
   * `loopback`, `linklocal`, `uniquelocal`). The client address of a request (sign-in limits, audit records)
   * is the nearest address that is not one of them. In the compose deployment the proxy reaches the API
   * through the Docker network's gateway: list that network (e.g. `172.16.0.0/12`), never a public range.
   */
  TRUST_PROXY: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .default('loopback')
      .transform((v) =>
        v
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
      )
      .refine(
        (list) => list.length > 0 && list.every(isTrustedHop),
        'a comma-separated list of addresses, subnets (172.16.0.0/12) or loopback, linklocal, uniquelocal',
      ),
  ),
  /** The Temporal Web UI, for links from the dashboard. */
  TEMPORAL_UI_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Bearer token Prometheus sends to `GET /metrics`. Unset: /metrics answers only requests made from the
   * API's own host straight to the process (not through a proxy).
   */
  METRICS_TOKEN: z
    .union([z.literal(''), z.string().min(16, 'must have at least 16 characters')])
    .optional()
    .transform((v) => v || undefined),
  /**
   * Signs session cookies and CSRF tokens (at least 32 characters). Unset: a random secret kept in
   * DATA_DIR/session-secret; set it when several API processes serve the same users.
   */
  SESSION_SECRET: z.preprocess(emptyAsUnset, z.string().min(32, 'must have at least 32 characters').optional()),
  /**
   * Whether cookies are `Secure`. Unset: true, unless PUBLIC_URL is plain http on localhost/127.0.0.1
   * (development). Set it to false explicitly for any other plain-http setup, where browsers would drop them.
   */
  COOKIE_SECURE: z.preprocess(emptyAsUnset, envBoolean.optional()),
});
export type ApiConfig = Omit<z.infer<typeof apiConfigSchema>, 'COOKIE_SECURE'> & { COOKIE_SECURE: boolean };

/** The default of COOKIE_SECURE: off only for plain-http development on this machine. */
export function defaultCookieSecure(publicUrl: string): boolean {
  return !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(publicUrl);
}

/** Reads the API's configuration from the environment; throws a ConfigError naming each bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const config = parseConfig(apiConfigSchema, env);
  return { ...config, COOKIE_SECURE: config.COOKIE_SECURE ?? defaultCookieSecure(config.PUBLIC_URL) };
}
