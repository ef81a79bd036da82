import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CommanderError, type Command } from 'commander';

/**
 * The one convention of Farman's two command lines, `farman` and `farman-audit` (both on commander):
 * `--help` and `--version` on every command, `--json` (and, where tables are printed, `--format`) for
 * machine-readable output on stdout, messages and errors on stderr, and these exit statuses (README, CLI).
 */
export const exitCodes = {
  /** Done; for audit commands, nothing wrong found. */
  ok: 0,
  /** The command ran and failed (the API refused, a request failed), or an audit found a problem (tampering, non-determinism). */
  failure: 1,
  /** Bad usage: an unknown command or option, a missing or malformed argument, an unreadable input. */
  usage: 2,
  /** An audit answer would be partial: histories it needs are neither in the archive nor on the server. */
  incomplete: 3,
} as const;

/** The package's version, from the package.json above this file (a checkout, or `dist/` in an image). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/**
 * Applies the convention to a program and all its commands: version, help after a usage error, output to
 * the given writers, and commander's own exits turned into {@link CommanderError}s for {@link usageExit}.
 */
export function withConventions(
  program: Command,
  io: { out: (text: string) => void; err: (text: string) => void },
): Command {
  program
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  return program;
}

/** The exit status for an error commander threw: 0 after `--help` or `--version`, 2 for a usage error. */
export function usageExit(err: unknown): number | null {
  if (!(err instanceof CommanderError)) return null;
  return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
}
