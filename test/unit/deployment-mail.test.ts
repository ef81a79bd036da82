import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.join(__dirname, '..', '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { profiles?: string[]; depends_on?: Record<string, unknown> }>;
};
const envExample = Object.fromEntries(
  readFileSync(path.join(root, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('Mail in the production deployment', () => {
  test('When the compose deployment starts without a profile, then Mailpit does not run and nothing waits for it', () => {
    expect(compose.services.mailpit.profiles).toEqual(['trial']);
    for (const [name, service] of Object.entries(compose.services))
      expect({ name, mailpit: Object.keys(service.depends_on ?? {}).includes('mailpit') }).toEqual({
        name,
        mailpit: false,
      });
  });

  test('When .env.example is copied as it is, then mail goes to a real relay over TLS, not to the trial inbox', () => {
    expect(envExample.SMTP_URL).toMatch(/^smtps:\/\//);
    expect(envExample.SMTP_URL).not.toContain('mailpit');
    expect(envExample.COMPOSE_PROFILES).toBeUndefined();
  });
});
