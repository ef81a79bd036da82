import {
  createJsonLogger,
  createRedactor,
  logUrl,
  loggedUrlLength,
  redactionPatterns,
  secretsFromEnv,
} from '../../lib/logging';
import { signLinkToken } from '../../lib/link-token';
import { routeTemplate } from '../../api/http/metrics';
import { testSigningKeys } from '../support/stack';

const token = signLinkToken(
  {
    directiveId: '1405-000001',
    unitCode: 'THR-TEH-MRK',
    purpose: 'reply',
    generation: 1,
    expiresAt: Date.now() + 60_000,
  },
  testSigningKeys,
);

function captured(secrets: string[]) {
  const lines: string[] = [];
  const logger = createJsonLogger({
    service: 'test',
    level: 'debug',
    secrets,
    destination: { write: (line) => lines.push(line) },
  });
  return { logger, lines, text: () => lines.join('') };
}

describe('Log redaction', () => {
  test('When a token hides in a message, an error stack, a nested field or a URL, then no line carries it and the rest stays readable', () => {
    const { logger, lines, text } = captured([]);
    logger.info(`sent link https://farman.example.org/u/${token} to the head`);
    logger.error(
      { err: new Error(`fetch https://farman.example.org/u/${token}/acknowledge failed`) },
      'request failed',
    );
    logger.warn({ activity: { input: { link: token, note: `cut ${token.slice(0, 40)}` } } }, 'retrying');
    logger.info({ url: `/u/${encodeURIComponent(token)}?token=${token}` }, 'request');
    expect(lines).toHaveLength(4);
    expect(text()).not.toMatch(/v1\.t1\./);
    expect(text()).not.toContain(token.split('.')[3]);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(lines[0]).msg).toBe('sent link https://farman.example.org/u/[token] to the head');
    expect(JSON.parse(lines[1]).err.stack).toContain('/u/[token]');
  });

  test('When secrets of the environment appear anywhere, then they are replaced, in their JSON-escaped form too', () => {
    const env = {
      LINK_SIGNING_KEYS: 'k2:new-secret-0123456789abcdef0123456789,k1:old-secret-0123456789abcdef0123456789',
      SMTP_URL: 'smtps://farman:p%40ss-w0rd-long@smtp.example.org:465',
      METRICS_TOKEN: 'metrics-token-0123456789',
      SESSION_SECRET: 'se"cret\\with-quotes-0123456789',
      LOG_LEVEL: 'debug',
      POSTGRES_PASSWORD: 'x',
    };
    const secrets = secretsFromEnv(env);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'new-secret-0123456789abcdef0123456789',
        'old-secret-0123456789abcdef0123456789',
        'p%40ss-w0rd-long',
        'p@ss-w0rd-long',
        'metrics-token-0123456789',
        env.SESSION_SECRET,
      ]),
    );
    expect(secrets).not.toContain('debug');
    expect(secrets).not.toContain('x');
    const { logger, text } = captured(secrets);
    logger.error({ err: new Error(`cannot log in to ${env.SMTP_URL} with p@ss-w0rd-long`) }, 'smtp failed');
    logger.info(
      { header: 'Bearer metrics-token-0123456789', session: env.SESSION_SECRET, keys: env.LINK_SIGNING_KEYS },
      'config',
    );
    for (const secret of secrets) expect(text()).not.toContain(secret);
    expect(text()).toContain('smtps://farman:[redacted]@smtp.example.org:465');
  });

  test('When the redactor runs over any text, then its work is linear: every quantifier of its patterns is bounded', () => {
    // An unbounded `*` or `+` (or `{n,}`) after a repeated class is what made the URL-password pattern
    // quadratic; escapes and character classes are taken out first, so a `+` inside `[a-z0-9+.-]` is not one.
    for (const pattern of redactionPatterns) {
      const shape = pattern.source.replace(/\\./g, 'e').replace(/\[[^\]]*\]/g, 'c');
      expect({ pattern: pattern.source, unbounded: /[*+]|\{\d+,\}/.test(shape) }).toEqual({
        pattern: pattern.source,
        unbounded: false,
      });
    }
  });

  test('When a request URL is 100 KB long, then it is logged cut to a few KB and still hides a URL password', () => {
    const url = `/?relay=smtps://user:password@host&pad=${'a'.repeat(100_000)}`;
    const logged = logUrl(url);
    expect(logged.length).toBeLessThanOrEqual(loggedUrlLength + 10);
    expect(logged).toContain('smtps://user:[redacted]@host');
    expect(logged).not.toContain('password');
    expect(logged.endsWith('…[cut]')).toBe(true);
    expect(logUrl(`/u/${token}`)).toBe('/u/[token]');
  });

  test('When text only looks like a token, then it is kept: versions and plain words are not redacted', () => {
    const redact = createRedactor([]);
    expect(redact('temporal CLI v1.5.1 on api/v1/directives')).toBe('temporal CLI v1.5.1 on api/v1/directives');
  });
});

describe('Route templates for metrics labels', () => {
  const req = (originalUrl: string, baseUrl: string, path?: string) => ({
    originalUrl,
    baseUrl,
    route: path === undefined ? undefined : { path },
  });

  test('When a route matched, then the label is the template with the router mounts in front of it', () => {
    expect(routeTemplate(req('/api/v1/directives/1405-000042?x=1', '/api/v1/directives', '/:id'))).toBe(
      '/api/v1/directives/:id',
    );
    expect(routeTemplate(req('/api/v1/directives', '/api/v1/directives', '/'))).toBe('/api/v1/directives');
    expect(routeTemplate(req(`/u/${token}/acknowledge`, '/u', '/:token/acknowledge'))).toBe('/u/:token/acknowledge');
    expect(routeTemplate(req('/healthz', '', '/healthz'))).toBe('/healthz');
  });

  test('When a router is mounted on a parameter or nothing matched, then no value reaches the label', () => {
    expect(routeTemplate(req(`/u/${token}/files/abc`, `/u/${token}`, '/files/:sha256'))).toBe(
      '/u/:param/files/:sha256',
    );
    expect(routeTemplate(req(`/u/${token}/nothing`, `/u/${token}`))).toBe('/u/:param/*');
    expect(routeTemplate(req('/wp-login.php', ''))).toBe('unmatched');
    expect(routeTemplate({ originalUrl: '/x', baseUrl: undefined as unknown as string, route: undefined })).toBe(
      'unmatched',
    );
  });
});
