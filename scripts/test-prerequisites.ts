import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defaultChromiumPath } from '../api/exports/pdf-renderer';
import {
  ensureTemporalCli,
  findTemporalCli,
  goBinDir,
  onPath,
  temporalCliInstallCommand,
} from '../worker/temporal-server';

/**
 * `npm test`'s pretest step: brings what the suite needs and is not an npm package (Debian's Chromium, the
 * Persian-capable Noto fonts, `pdftotext` from poppler-utils, the temporal CLI). It installs what is missing
 * when it can (apt-get as root; `go install` when Go is there), and otherwise stops at once, printing the
 * one command to run, rather than letting tests fail or skip minutes later.
 */

/** The Debian packages the browser and PDF tests need. */
export const debianPackages = ['chromium', 'fonts-noto-core', 'poppler-utils'] as const;
export type DebianPackage = (typeof debianPackages)[number];

/** Where each need is looked for; the defaults are the real paths, tests point them elsewhere. */
export interface PrerequisitePaths {
  chromium: string;
  fontsDir: string;
  /** The PATH searched for `pdftotext` and `apt-get`. */
  path: string;
}

export function defaultPaths(env: NodeJS.ProcessEnv = process.env): PrerequisitePaths {
  return {
    chromium: env.CHROMIUM_PATH || env.PLAYWRIGHT_CHROMIUM_PATH || defaultChromiumPath,
    fontsDir: '/usr/share/fonts/truetype/noto',
    path: env.PATH ?? '',
  };
}

/** What is missing: Debian packages by name, and whether the temporal CLI is absent. */
export interface Missing {
  packages: DebianPackage[];
  temporalCli: boolean;
}

export function findMissing(paths: PrerequisitePaths, env: NodeJS.ProcessEnv = process.env): Missing {
  const present: Record<DebianPackage, boolean> = {
    chromium: existsSync(paths.chromium),
    'fonts-noto-core': existsSync(paths.fontsDir),
    'poppler-utils': onPath('pdftotext', { PATH: paths.path }) !== null,
  };
  return {
    packages: debianPackages.filter((p) => !present[p]),
    temporalCli: findTemporalCli({ ...env, PATH: paths.path }) === null,
  };
}

/** The one command a user runs to bring everything that is missing, or null when nothing is. */
export function fixCommand(missing: Missing, asRoot: boolean): string | null {
  const steps: string[] = [];
  const sudo = asRoot ? '' : 'sudo ';
  if (missing.packages.length > 0) {
    steps.push(
      `${sudo}apt-get update`,
      `${sudo}apt-get install -y --no-install-recommends ${missing.packages.join(' ')}`,
    );
  }
  if (missing.temporalCli) steps.push(temporalCliInstallCommand);
  return steps.length > 0 ? steps.join(' && ') : null;
}

/**
 * Checks, installs what it can, and returns the exit status: 0 when everything is there now, 1 after
 * printing the one command to run. `canApt` and `canGo` say whether this process may install.
 */
export async function ensurePrerequisites(options: {
  paths: PrerequisitePaths;
  env?: NodeJS.ProcessEnv;
  canApt: boolean;
  canGo: boolean;
  asRoot: boolean;
  say?: (line: string) => void;
  complain?: (line: string) => void;
}): Promise<number> {
  const {
    paths,
    env = process.env,
    say = (l) => console.log(`[pretest] ${l}`),
    complain = (l) => console.error(`[pretest] ${l}`),
  } = options;
  const missing = findMissing(paths, env);
  const cannot: Missing = {
    packages: options.canApt ? [] : missing.packages,
    temporalCli: missing.temporalCli && !options.canGo,
  };
  const command = fixCommand(cannot, options.asRoot);
  if (command) {
    const what = [...cannot.packages, ...(cannot.temporalCli ? ['the temporal CLI'] : [])].join(', ');
    complain(`npm test needs ${what}, which this process cannot install. Run:`);
    complain(`  ${command}`);
    // Debian's golang-go (1.19 on this machine's release) is too old for the CLI (Go 1.25), so Go is not in the command.
    if (cannot.temporalCli)
      complain(
        'with Go 1.25 or later installed first (https://go.dev/dl/), or set TEMPORAL_CLI to a temporal CLI you have;',
      );
    complain('then npm test again.');
    return 1;
  }
  if (missing.packages.length > 0) {
    say(`installing ${missing.packages.join(', ')} from Debian`);
    const aptEnv = { ...env, PATH: paths.path, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [
      ['update', '-qq'],
      ['install', '-y', '-qq', '--no-install-recommends', ...missing.packages],
    ]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env: aptEnv });
      if (r.status !== 0) {
        complain(
          `apt-get ${args[0]} failed (${r.error?.message ?? `exit code ${r.status}`}); run: ${fixCommand({ packages: missing.packages, temporalCli: false }, options.asRoot)}`,
        );
        return 1;
      }
    }
  }
  if (missing.temporalCli) {
    try {
      await ensureTemporalCli(say, { ...env, PATH: paths.path });
    } catch (err) {
      complain((err as Error).message);
      return 1;
    }
  }
  const still = findMissing(paths, env);
  if (still.packages.length > 0 || still.temporalCli) {
    complain(
      `still missing after installing: ${[...still.packages, ...(still.temporalCli ? ['the temporal CLI'] : [])].join(', ')}`,
    );
    return 1;
  }
  return 0;
}

if (require.main === module) {
  const paths = defaultPaths();
  const asRoot = process.getuid?.() === 0;
  ensurePrerequisites({
    paths,
    asRoot,
    canApt: asRoot && onPath('apt-get', { PATH: paths.path }) !== null,
    canGo: goBinDir() !== null,
  }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`[pretest] ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
