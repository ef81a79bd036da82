import { Runtime } from '@temporalio/worker';
import { replayInThisProcess, type ReplayJob, type ReplayJobMessage } from './replay';

/**
 * A replay process (forked by `replayHistories` when it replays in more than one process): receives one job
 * (a bundle and its share of the histories) over IPC, replays them in one replay worker, and sends each
 * history's result back as it finishes, then exits. The SDK's replayer runs workflows on the process's main
 * thread, so a second replayer in the same process would only share that thread; processes use the cores.
 */
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
Runtime.install({ logger: quiet });

const send = (message: ReplayJobMessage) => new Promise<void>((resolve, reject) => process.send!(message, (err: Error | null) => (err ? reject(err) : resolve())));

process.once('message', (job: ReplayJob) => {
  replayInThisProcess(job.code, job.targets, (index, errorName, error) => send({ type: 'result', index, errorName, error })).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`replay process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
});
