import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, Runtime } from '@temporalio/worker';
import { workflowsPath } from '../worker/create-worker';
import { loadWorkerConfig } from '../worker/config';
import { ensureTemporalCli } from '../worker/temporal-server';
import { benchSigningKeys } from './b1';
import { loadAverage, machineInfo } from './machine';
import { toMarkdown, type BenchResults } from './report';
import { runScenario, type ScenarioOptions, type ScenarioResult } from './scenario';
import type { WorkerTuning } from './worker-protocol';

/**
 * `npm run bench -- --units 40,1100 --runs 3 …`: runs one scenario per unit count (and per worker tuning
 * in `--tuning`), each on a fresh dev server running B0 and B1, and writes `<out>/<stamp>-<label>.json` and
 * `.md`. Not part of the test suite's pass/fail; test/integration/bench-smoke.test.ts runs a tiny one.
 *
 *   --units 40,1100         registry sizes (synthetic, scripts/generate-registry.ts)
 *   --runs 3                fan-out runs per variant
 *   --fan-out-order alternate   B0 and B1 runs alternate (B0 B1 B1 B0 …); `grouped`: every B0 run, then every B1 run
 *   --rates 5,20            Poisson rates of the click → recorded points ("" for none)
 *   --samples 1000          replies per latency point
 *   --evicted-rates 5,20    rates also measured evicted (default: all of --rates; "" for none)
 *   --no-burst              skip the burst
 *   --burst-window 60       seconds in which every unit of the burst replies
 *   --memory-probe 1000     open this many units first, measure memory, close them (0: skip)
 *   --no-complete           do not close and inspect the first directive
 *   --replay-runs 3         replays of the first directive's histories (0: skip)
 *   --replay-processes 2    replay processes at once (default: the cores), as `farman-audit replay --jobs`; one more
 *                           replay runs in this process under the profiler
 *   --lowered-limits 600    pending children / activities / signals limits lowered by dynamic config
 *   --dynamic-config k=v    more server dynamic config, comma-separated KEY=JSON pairs (over the embedded defaults);
 *                           a JSON value may hold commas, e.g. k={"a":1,"b":2}
 *   --limit-control 1100    with lowered limits: one unsharded directive of this many units must hit them
 *   --profile-workers       run the workers under V8's CPU profiler; each thread's top frames go in the results
 *   --sandbox untimed       a diagnosis, not a setting: both workers run their workflow sandbox without the
 *                           deadlock timeout's watchdog and the stack-trace hook (default: sdk, as deployed)
 *   --tuning 2000:100:100:1 maxCachedWorkflows:workflow task slots:activity slots[:workflow threads], comma-separated
 *                           for a sweep; both variants' workers run with it
 *   --label name  --out bench/results
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      units: { type: 'string', default: '40' },
      runs: { type: 'string', default: '3' },
      'fan-out-order': { type: 'string', default: 'alternate' },
      rates: { type: 'string', default: '5,20' },
      samples: { type: 'string', default: '1000' },
      'evicted-rates': { type: 'string' },
      'no-burst': { type: 'boolean', default: false },
      'burst-window': { type: 'string', default: '60' },
      'memory-probe': { type: 'string', default: '0' },
      'no-complete': { type: 'boolean', default: false },
      'replay-runs': { type: 'string', default: '3' },
      'replay-processes': { type: 'string', default: String(availableParallelism()) },
      'profile-workers': { type: 'boolean', default: false },
      sandbox: { type: 'string', default: 'sdk' },
      'lowered-limits': { type: 'string', default: '0' },
      'limit-control': { type: 'string', default: '0' },
      'dynamic-config': { type: 'string', default: '' },
      tuning: { type: 'string' },
      seed: { type: 'string', default: '7' },
      label: { type: 'string', default: 'run' },
      out: { type: 'string', default: path.join(__dirname, 'results') },
    },
  });
  const list = (text: string) =>
    text
      .split(',')
      .filter((x) => x.trim() !== '')
      .map(Number);
  // The worker's own defaults (worker/config.ts), so B1 runs as deployed unless a sweep says otherwise.
  const defaults = loadWorkerConfig({ SMTP_URL: 'smtp://127.0.0.1:25', LINK_SIGNING_KEYS: benchSigningKeys });
  const tunings: WorkerTuning[] = values.tuning
    ? values.tuning.split(',').map((t) => {
        const [cache, wft, act, threads] = t.split(':').map(Number);
        return {
          maxCachedWorkflows: cache,
          maxConcurrentWorkflowTaskExecutions: wft || defaults.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          maxConcurrentActivityTaskExecutions: act || defaults.WORKER_MAX_CONCURRENT_ACTIVITIES,
          workflowThreadPoolSize: threads || defaults.WORKER_WORKFLOW_THREADS,
        };
      })
    : [
        {
          maxCachedWorkflows: defaults.WORKER_MAX_CACHED_WORKFLOWS,
          maxConcurrentWorkflowTaskExecutions: defaults.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          maxConcurrentActivityTaskExecutions: defaults.WORKER_MAX_CONCURRENT_ACTIVITIES,
          workflowThreadPoolSize: defaults.WORKER_WORKFLOW_THREADS,
        },
      ];
  const lowered = Number(values['lowered-limits']);
  const dynamicConfig: Record<string, unknown> = {
    ...(lowered
      ? {
          'limit.numPendingChildExecutions.error': lowered,
          'limit.numPendingActivities.error': lowered,
          'limit.numPendingSignals.error': lowered,
        }
      : {}),
    ...Object.fromEntries(
      values['dynamic-config']
        // A comma separates pairs only where a key follows, so a JSON value may hold commas of its own.
        .split(/,(?=[A-Za-z][\w.-]*=)/)
        .filter((pair) => pair.includes('='))
        .map((pair) => {
          const key = pair.slice(0, pair.indexOf('='));
          return [key, parseConfigValue(key, pair.slice(key.length + 1))];
        }),
    ),
  };

  const quiet = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: console.error,
    log: () => undefined,
  };
  // The replayer runs in this process; its worker's state changes are not the benchmark's output.
  Runtime.install({ logger: quiet });
  const cli = await ensureTemporalCli();
  const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const startedAt = new Date().toISOString();
  const loadStart = loadAverage();
  const machine = machineInfo(cli);
  log(`load average ${loadStart.join(' ')}; ${machine.cpus} cpus; ${machine.temporalCli}`);

  // Both workflow bundles are built once, outside any timing, and shared by every worker and the replayer.
  const bundleDir = mkdtempSync(path.join(tmpdir(), 'farman-bench-bundles-'));
  const bundles = { b0: path.join(bundleDir, 'b0.js'), b1: path.join(bundleDir, 'b1.js') };
  writeFileSync(
    bundles.b0,
    (await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quiet })).code,
  );
  writeFileSync(
    bundles.b1,
    (await bundleWorkflowCode({ workflowsPath: require.resolve(workflowsPath), logger: quiet })).code,
  );

  const scenarios: ScenarioResult[] = [];
  try {
    for (const units of list(values.units)) {
      for (const tuning of tunings) {
        scenarios.push(
          await runScenario({
            units,
            runs: Number(values.runs),
            fanOutOrder: fanOutOrder(values['fan-out-order']),
            rates: list(values.rates),
            samples: Math.min(Number(values.samples), units),
            evictedRates: list(values['evicted-rates'] ?? values.rates),
            burst: !values['no-burst'],
            burstWindowMs: Number(values['burst-window']) * 1000,
            memoryProbe: Math.min(Number(values['memory-probe']), units),
            complete: !values['no-complete'],
            replayRuns: Number(values['replay-runs']),
            replayProcesses: Number(values['replay-processes']),
            profileWorkers: values['profile-workers'],
            sandbox: sandbox(values.sandbox),
            dynamicConfig,
            limitControl: Math.min(Number(values['limit-control']), units),
            tuning,
            mailRatePerSecond: defaults.MAIL_RATE_PER_SECOND,
            cli,
            bundles,
            seed: Number(values.seed),
            log,
          }),
        );
      }
    }
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
  const results: BenchResults = {
    harness: 'farman-bench/1',
    label: values.label,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    loadAverage: { start: loadStart, end: loadAverage() },
    scenarios,
  };
  mkdirSync(values.out, { recursive: true });
  const stem = path.join(values.out, `${startedAt.replace(/[:.]/g, '-')}-${values.label}`);
  writeFileSync(`${stem}.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${stem}.md`, toMarkdown(results));
  log(`wrote ${stem}.json and .md`);
}

function sandbox(text: string): ScenarioOptions['sandbox'] {
  if (text === 'sdk' || text === 'untimed') return text;
  throw new Error(`--sandbox must be sdk or untimed, not ${JSON.stringify(text)}`);
}

function fanOutOrder(text: string): ScenarioOptions['fanOutOrder'] {
  if (text === 'alternate' || text === 'grouped') return text;
  throw new Error(`--fan-out-order must be alternate or grouped, not ${JSON.stringify(text)}`);
}

function parseConfigValue(key: string, json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new Error(`--dynamic-config ${key}: the value is not JSON: ${json}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
