import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensurePrerequisites, findMissing, fixCommand, type PrerequisitePaths } from '../../scripts/test-prerequisites';

/** A machine where nothing the tests need is installed: every path points into an empty directory. */
function freshMachine(): { dir: string; paths: PrerequisitePaths; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(path.join(tmpdir(), 'farman-pretest-'));
  mkdirSync(path.join(dir, 'bin'));
  return {
    dir,
    paths: {
      chromium: path.join(dir, 'usr/bin/chromium'),
      fontsDir: path.join(dir, 'fonts/noto'),
      path: path.join(dir, 'bin'),
    },
    env: { TEMPORAL_CLI: path.join(dir, 'no-temporal') },
  };
}

const lines = () => {
  const said: string[] = [];
  return { said, push: (l: string) => said.push(l) };
};

describe('npm test on a fresh machine', () => {
  it('When nothing is installed, then each missing need is named', () => {
    const { paths, env } = freshMachine();
    expect(findMissing(paths, env)).toEqual({
      packages: ['chromium', 'fonts-noto-core', 'poppler-utils'],
      temporalCli: true,
    });
  });

  it('When it may not install (not root, no Go), then it stops at once with the one command to run', async () => {
    const { paths, env } = freshMachine();
    const out = lines();
    const err = lines();
    const started = Date.now();
    const code = await ensurePrerequisites({
      paths,
      env,
      canApt: false,
      canGo: false,
      asRoot: false,
      say: out.push,
      complain: err.push,
    });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(out.said).toEqual([]);
    expect(err.said.join('\n')).toContain(
      '  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium fonts-noto-core poppler-utils && go install github.com/temporalio/cli/cmd/temporal@v1.5.1',
    );
  });

  it('When only the temporal CLI is missing and Go is not there, then the command is the go install alone', () => {
    expect(fixCommand({ packages: [], temporalCli: true }, false)).toBe(
      'go install github.com/temporalio/cli/cmd/temporal@v1.5.1',
    );
    expect(fixCommand({ packages: ['chromium'], temporalCli: false }, true)).toBe(
      'apt-get update && apt-get install -y --no-install-recommends chromium',
    );
    expect(fixCommand({ packages: [], temporalCli: false }, false)).toBeNull();
  });

  it('When it runs as root with apt-get, then it installs the missing packages and succeeds', async () => {
    const { dir, paths, env } = freshMachine();
    env.TEMPORAL_CLI = process.execPath;
    // apt-get is the boundary: this one records its arguments and lays down what the packages would.
    const calls = path.join(dir, 'apt-calls');
    writeFileSync(
      path.join(dir, 'bin', 'apt-get'),
      `#!/bin/sh\nPATH=/usr/bin:/bin\necho "$*" >> ${calls}\nif [ "$1" = install ]; then\n  mkdir -p ${path.dirname(paths.chromium)} ${paths.fontsDir}\n  touch ${paths.chromium}\n  printf '#!/bin/sh\\n' > ${paths.path}/pdftotext; chmod +x ${paths.path}/pdftotext\nfi\n`,
    );
    chmodSync(path.join(dir, 'bin', 'apt-get'), 0o755);
    const out = lines();
    const code = await ensurePrerequisites({
      paths,
      env,
      canApt: true,
      canGo: false,
      asRoot: true,
      say: out.push,
      complain: out.push,
    });
    expect(code).toBe(0);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      'update -qq',
      'install -y -qq --no-install-recommends chromium fonts-noto-core poppler-utils',
    ]);
    expect(existsSync(paths.chromium)).toBe(true);
  });

  it('When this machine runs npm test, then everything is there and the pretest script exits 0', () => {
    const r = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, '../../scripts/test-prerequisites.ts')],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
