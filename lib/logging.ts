import pino, { type Logger } from 'pino';

/**
 * The processes' JSON logging. Redaction is applied to each serialized line rather than to chosen fields,
 * so a token or a secret is removed wherever it hides: a message, an error's message or stack, a URL in an
 * SMTP transport event, a nested object the SDK adds. Field paths alone would miss all of those.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Anything shorter is not treated as a secret: replacing every "x" in every line would hide the logs, not a secret. */
const minSecretLength = 8;

/** Environment variables whose values are secrets, by name. */
const secretName = /(SECRET|PASSWORD|PASSWD|TOKEN|_KEYS?)$/;

/**
 * Collects the secret values of an environment, raw (before any parsing, so a process that fails its config
 * check still redacts): every variable named like a secret (each secret of a `kid:secret,…` list on its own),
 * and the password of every URL that carries credentials (e.g. `SMTP_URL=smtps://user:pass@host`).
 */
export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>();
  const add = (value: string | undefined) => {
    if (value && value.length >= minSecretLength) secrets.add(value);
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (secretName.test(name)) {
      add(value);
      for (const pair of value.split(',')) add(pair.slice(pair.indexOf(':') + 1).trim());
    }
    for (const match of value.matchAll(urlPassword)) {
      add(match[2]);
      add(safeDecode(match[2]));
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A signed link token (`v1.<kid>.<payload>.<mac>`, lib/link-token.ts), also without its MAC. The payload
 * is base64url JSON of about a hundred characters; requiring twelve keeps version strings like `v1.5.1` intact.
 */
const linkToken = /v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{12,4096}(\.[A-Za-z0-9_-]{0,256})?/g;

/**
 * The user and password of a URL (`smtps://user:password@host`). Every quantifier is bounded: with `*` the
 * scheme part alone rescanned a run of letters from each of its characters, so a request line of 16,000
 * letters blocked the event loop for 285 ms (quadratic). Bounded, the work per start position is at most
 * a few hundred steps: linear in the text.
 */
const urlPassword = /([a-z][a-z0-9+.-]{0,31}:\/\/[^:/?#\s"@]{0,256}:)([^@/\s"]{1,256})@/gi;

/** The patterns the redactor runs over every log line, for the test that all of their quantifiers are bounded. */
export const redactionPatterns: readonly RegExp[] = [
  linkToken,
  /\/u\/[^/?#\s"\\]{1,4096}/g,
  /([?&](token|t|access_token)=)[^&#\s"\\]{1,4096}/gi,
  /(bearer\s{1,16})[^\s"\\]{1,4096}/gi,
  urlPassword,
];
const [, replyPath, tokenParameter, bearer] = redactionPatterns;

/**
 * Returns a function that removes link tokens, reply-link paths, token query parameters, bearer credentials,
 * URL passwords and the given secret values from a text. It works on plain text and on serialized JSON
 * (a secret is also looked for in its JSON-escaped form).
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const literals = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].filter(
    (s) => s.length >= minSecretLength,
  );
  return (text) => {
    let out = text
      .replace(linkToken, '[token]')
      .replace(replyPath, '/u/[token]')
      .replace(tokenParameter, '$1[redacted]')
      .replace(bearer, '$1[redacted]')
      .replace(urlPassword, '$1[redacted]@');
    for (const secret of literals) out = out.split(secret).join('[redacted]');
    return out;
  };
}

/** Replaces link tokens in a URL or path with `[token]`: tokens are credentials and never reach a log. */
export const redactUrl = createRedactor([]);

/** How much of a request URL is logged: a request line can be as long as the server accepts (16 KB and more). */
export const loggedUrlLength = 2048;

/**
 * A request URL as logged: cut to `loggedUrlLength` characters (marked `…[cut]`), then redacted. Cutting
 * first bounds the redactor's work per request whatever the client sends.
 */
export function logUrl(url: string): string {
  return redactUrl(url.length > loggedUrlLength ? `${url.slice(0, loggedUrlLength)}…[cut]` : url);
}

export interface JsonLoggerOptions {
  /** `service` field of every line, e.g. `farman-api`. */
  service: string;
  level: LogLevel;
  /** Secret values to remove from every line (see `secretsFromEnv`). */
  secrets: readonly string[];
  /** Where lines go; standard output by default. Tests pass a collector. */
  destination?: { write(line: string): unknown };
}

/**
 * The JSON logger of a process: one line per event, `level` as a label, an ISO `time`, errors serialized
 * with their stack (under `err` or `error`), and every line passed through the redactor before it is
 * written.
 */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const redact = createRedactor(options.secrets);
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    { write: (line: string) => out.write(redact(line)) },
  );
}

/**
 * The first step of a process: a JSON logger that already redacts the environment's secrets, then the
 * configuration parsed by `load`. When the configuration is invalid, logs the ConfigError (variable names
 * and rules, never values) as `fatal` and exits 1; otherwise sets the logger to the configured `LOG_LEVEL`.
 */
export function startProcess<C extends { LOG_LEVEL: LogLevel }>(
  service: string,
  load: () => C,
): { logger: Logger; config: C } {
  const logger = createJsonLogger({ service, level: 'info', secrets: secretsFromEnv(process.env) });
  let config: C;
  try {
    config = load();
  } catch (err) {
    logger.fatal({ err }, 'cannot start');
    process.exit(1);
  }
  logger.level = config.LOG_LEVEL;
  return { logger, config };
}
