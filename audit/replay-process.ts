import { Runtime } from '@temporalio/worker';
import { replayInThisProcess, type ReplayJob, type ReplayJobMessage } from './replay';
import { tuneProcessForReplay } from './replay-tuning';

/**
 * A replay process (forked by `replayHistories` when it is given a number of processes): receives one job (a
 * bundle and its share of the histories) over IPC, replays them in one replay worker, and sends each
 * history's result back as it finishes, then exits. The SDK's replayer runs workflows on the process's main
 * thread, so a second replayer in the same process would only share that thread; processes use the cores.
 * The process only replays, so it drops the sandbox's per-call costs that replay has no use for
 * (replay-tuning.ts); its parent stops it if a history takes longer than its deadline.
 */
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
Runtime.install({ logger: quiet });

const send = (message: ReplayJobMessage) =>
  new Promise<void>((resolve, reject) =>
    process.send!(message, (err: Error | null) => (err ? reject(err) : resolve())),
  );

process.once('message', (job: ReplayJob) => {
  if (job.tune) tuneProcessForReplay();
  replayInThisProcess(job.code, job.targets, (index, errorName, error) =>
    send({ type: 'result', index, errorName, error }),
  ).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `replay process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
});
