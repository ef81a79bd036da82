import { readFile } from 'node:fs/promises';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { sha256Hex } from '../audit/canonical-json';

/**
 * The workflow code a worker runs, bundled explicitly so that the exact bytes can be hashed and archived:
 * the bundle's SHA-256 is the build id, and an auditor replays a history years later with the bundle of the
 * build that ran it (`archive/bundles/<sha256>.js`).
 *
 * How the build id reaches the history: the worker runs with `workerDeploymentOptions` (deployment
 * `farman`, build id = bundle hash, `useWorkerVersioning: false`), and the server then stamps every
 * WorkflowTaskCompleted event with `workerVersion.buildId`. That is the non-deprecated way in SDK 1.24
 * (the `buildId` worker option is deprecated with the old versioning API), it needs no change to workflow
 * code, and it records the build per workflow task, so a run that spanned an upgrade names every build
 * that ran it. Versioning stays off: tasks are routed as before, this only labels them.
 */

export const deploymentName = 'farman';

export interface WorkflowBuild {
  /** The bundle's JavaScript. */
  code: string;
  /** SHA-256 (hex) of `code`: the build id stamped into histories. */
  buildId: string;
}

/** The build of an already bundled code string. */
export function buildOf(code: string): WorkflowBuild {
  return { code, buildId: sha256Hex(code) };
}

/**
 * Loads or makes the bundle: a prebuilt one (`{ code }` or `{ codePath }`), else bundles `workflowsPath`.
 * Source maps are not kept: the archive needs the code that ran, and a map would change the hash with
 * nothing but paths.
 */
export async function loadWorkflowBuild(
  prebuilt: WorkerOptions['workflowBundle'] | undefined,
  workflowsPath: string,
): Promise<WorkflowBuild> {
  if (prebuilt && 'code' in prebuilt) return buildOf(prebuilt.code);
  if (prebuilt && 'codePath' in prebuilt) return buildOf(await readFile(prebuilt.codePath, 'utf8'));
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietBundler });
  return buildOf(bundle.code);
}

/** Worker options that stamp the build id into every workflow task the worker completes. */
export function buildStamp(build: WorkflowBuild): Pick<WorkerOptions, 'workflowBundle' | 'workerDeploymentOptions'> {
  return {
    workflowBundle: { code: build.code },
    workerDeploymentOptions: { version: { deploymentName, buildId: build.buildId }, useWorkerVersioning: false },
  };
}

const noop = () => undefined;
const quietBundler = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: (message: string) => console.error(message),
  log: noop,
};
