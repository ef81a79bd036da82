import { spawnSync } from 'node:child_process';
import { findTemporalCli, goMissingAdvice, temporalCliInstallCommand } from '../worker/temporal-server';

/**
 * `npm run temporal -- <args>`: the temporal CLI that `npm start` installed (in `$(go env GOPATH)/bin`, which
 * is not on PATH by default, or TEMPORAL_CLI), pointed at the dev server `npm start` runs (TEMPORAL_ADDRESS,
 * else 127.0.0.1:TEMPORAL_PORT, 7233 by default); an `--address` argument still wins.
 */

/** The CLI's environment: TEMPORAL_ADDRESS (which the CLI reads) set to `npm start`'s server unless given. */
export function temporalEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS || `127.0.0.1:${env.TEMPORAL_PORT || 7233}` };
}

if (require.main === module) {
  const cli = findTemporalCli();
  if (!cli) {
    console.error(
      process.env.TEMPORAL_CLI
        ? `TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not exist`
        : `the temporal CLI is not installed: \`npm start\` builds it, or run \`${temporalCliInstallCommand}\`\n${goMissingAdvice}`,
    );
    process.exit(2);
  }
  const r = spawnSync(cli, process.argv.slice(2), { stdio: 'inherit', env: temporalEnv() });
  process.exit(r.status ?? 1);
}
