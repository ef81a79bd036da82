import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitCodes } from '../../scripts/cli-conventions';

const root = path.join(__dirname, '../..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

/** Runs one of the package's bin entries as a user would. */
function run(bin: 'farman' | 'farman-audit', ...args: string[]) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'farman-cli-'));
  const r = spawnSync(process.execPath, [path.join(root, 'bin', `${bin}.js`), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, FARMAN_URL: 'http://127.0.0.1:1', FARMAN_TOKEN: 'farman_x' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.each(['farman', 'farman-audit'] as const)('The %s command line', (bin) => {
  it('When asked for --version, then it prints the package version on stdout and exits 0', () => {
    expect(run(bin, '--version')).toEqual({ code: exitCodes.ok, out: `${version}\n`, err: '' });
  });

  it('When asked for --help, then it prints usage with the exit statuses on stdout and exits 0', () => {
    const { code, out, err } = run(bin, '--help');
    expect([code, err]).toEqual([exitCodes.ok, '']);
    expect(out).toMatch(/^Usage: /);
    expect(out).toMatch(/Exit status: 0 .*, 1 .*, 2 bad usage/s);
  });

  it('When a command is unknown, then the error goes to stderr, nothing to stdout, and it exits 2', () => {
    const { code, out, err } = run(bin, 'no-such-command');
    expect([code, out]).toEqual([exitCodes.usage, '']);
    expect(err).toContain("unknown command 'no-such-command'");
  });
});

describe('Failures', () => {
  it('When farman cannot reach the API, then it says so on stderr and exits 1', () => {
    const { code, out, err } = run('farman', 'status', '1405-000001', '--json');
    expect([code, out]).toEqual([exitCodes.failure, '']);
    expect(err).toContain('farman: cannot reach http://127.0.0.1:1');
  });

  it('When farman-audit is given a bad option value or a missing archive, then it exits 2 with the reason on stderr', () => {
    expect(run('farman-audit', 'verify', '--format', 'xml').code).toBe(exitCodes.usage);
    const missing = run('farman-audit', 'verify', '--json');
    expect([missing.code, missing.out]).toEqual([exitCodes.usage, '']);
    expect(missing.err).toMatch(/^farman-audit: there is no archive at /);
  });
});
