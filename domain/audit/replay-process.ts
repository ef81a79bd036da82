import { Runtime, Worker } from '@temporalio/worker';
import { historyFromJson } from './history-json';
import type { ReplayJob, ReplayJobMessage } from './replay';

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
  void (async () => {
    const histories = job.targets.map((t) => ({ workflowId: t.workflowId, history: historyFromJson(t.history) }));
    let index = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { code: job.code }, replayName: 'farman-audit' }, histories)) {
      const error = result.error;
      await send({ type: 'result', index: job.targets[index++].index, errorName: error ? error.name || error.constructor.name : null, error: error ? error.message : null });
    }
    process.exit(0);
  })().catch((err: unknown) => {
    process.stderr.write(`replay process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
});
