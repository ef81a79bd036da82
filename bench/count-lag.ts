import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, Runtime } from '@temporalio/worker';
import { Rejected } from '../api/errors';
import { buildRegistry } from '../domain/registry';
import { whenBusyRetry } from '../reliability/harness/busy-retry';
import { unitActor } from '../reliability/harness/directive-bodies';
import { eventually } from '../reliability/harness/wait';
import { generateRegistry } from '../scripts/generate-registry';
import { loadWorkerConfig } from '../worker/config';
import { workflowsPath } from '../worker/create-worker';
import { ensureTemporalCli, startDevServer } from '../worker/temporal-server';
import { acknowledgeUpdate, defaultShardSize, submitReportUpdate } from '../workflows/contract';
import { flushIntervalMs } from '../workflows/shard-workflow';
import type { DirectiveStatus } from '../workflows/types';
import { benchSigningKeys, FarmanUnderTest } from './b1';
import { inPool } from './histories';
import { loadAverage, machineInfo } from './machine';
import type { BenchResults } from './report';
import { summarizeLatency, type LatencySummary } from './stats';
import { WorkerHost } from './worker-host';

/**
 * `npm run bench:count-lag -- --runs 3`: how long a reply is recorded before the directive's counts show it
 * (issue 22). One fresh dev server and one Farman worker (deployed defaults) serve two variants, run in
 * turns (U S, S U, U S …): `unsharded`, a directive whose units hang off it directly, and `sharded`, one
 * whose units report through shards that batch their changes once per `flushIntervalMs`. In each run a
 * directive is issued through the API; once every unit is notified, `--heads` heads (spread over the
 * directive's units, so every shard has some) acknowledge and then report back to back, `--concurrency` at a
 * time, through the gateway. Meanwhile the directive's status query is polled every `--poll-ms`.
 *
 * The lag of a reply: from the update's answer (the reply is recorded) to the first status answer whose
 * counts include it. The counts are totals, so replies are matched to them in order: the k-th recorded
 * acknowledgement is counted when, for the first time, k units show as past `notified`; the k-th report when
 * k units show as past `acknowledged`. Out-of-order counting inside a batch can make the matched maximum a
 * little lower than the true one; `settleMs` (from the last reply recorded until the counts show all of them)
 * is exact and bounds the lag of the last replies. Lags include the poll interval and the query's own time.
 *
 *   --unsharded 100   --sharded 1100   --shard-size 500 (the default)   --heads 100   --concurrency 16
 *   --runs 3   --poll-ms 50   --label count-lag   --out bench/results
 */

interface Variant {
  name: 'unsharded' | 'sharded';
  units: number;
  shardSize: number;
}

/** One answer of the directive's status query, reduced to what the lag needs. */
export interface Poll {
  /** ms since the run's origin when the status answer arrived. */
  at: number;
  /** Units past `notified`: acknowledged, reported or later. */
  acknowledged: number;
  /** Units past `acknowledged`: reported, returned, accepted or later. */
  reported: number;
}

/** One run of one variant: one directive, its replies and the status polls around them. */
export interface LagRun {
  variant: Variant['name'];
  units: number;
  shardSize: number;
  shards: number;
  /** The shards' flush interval for this directive (0 when the units hang off the directive). */
  flushIntervalMs: number;
  heads: number;
  directiveId: string;
  /** Load average (1/5/15 min) at the run's start and end: the machine is shared. */
  loadAverage: { start: number[]; end: number[] };
  replyMs: LatencySummary;
  polls: number;
  pollMs: LatencySummary;
  lagMs: { acknowledge: LatencySummary; report: LatencySummary; all: LatencySummary };
  /** Replies whose count was seen before their update's answer reached the client (lag below 0). */
  countedBeforeAnswer: number;
  /** From the last reply recorded until the counts showed every reply. */
  settleMs: number;
  errors: string[];
}

/** A results file: the harness's header (where, when, with what), then the runs and their totals. */
export interface CountLagResults extends Omit<BenchResults, 'harness' | 'scenarios'> {
  harness: 'farman-bench/count-lag/1';
  options: { heads: number; concurrency: number; pollMs: number; runs: number; variants: Variant[] };
  runs: LagRun[];
  /** Every run's lags of a variant together. */
  byVariant: Record<
    Variant['name'],
    { runs: number; lagMs: LatencySummary; settleMs: LatencySummary; countedBeforeAnswer: number }
  >;
}

const quiet = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: console.error,
  log: () => undefined,
};
const log = (line: string) => console.log(`[count-lag ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const heads = { name: 'مریم احمدی', position: 'بخشدار' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      unsharded: { type: 'string', default: '100' },
      sharded: { type: 'string', default: '1100' },
      'shard-size': { type: 'string', default: String(defaultShardSize) },
      heads: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '16' },
      runs: { type: 'string', default: '3' },
      'poll-ms': { type: 'string', default: '50' },
      seed: { type: 'string', default: '7' },
      label: { type: 'string', default: 'count-lag' },
      out: { type: 'string', default: path.join(__dirname, 'results') },
    },
  });
  const shardSize = Number(values['shard-size']);
  const variants: Variant[] = [
    // Shard size above the unit count: the directive tracks its units itself.
    {
      name: 'unsharded',
      units: Number(values.unsharded),
      shardSize: Math.max(shardSize, Number(values.unsharded) + 1),
    },
    { name: 'sharded', units: Number(values.sharded), shardSize },
  ];
  if (variants[1].units <= shardSize)
    throw new Error(`--sharded ${variants[1].units} must be above --shard-size ${shardSize}`);
  const options = {
    heads: Number(values.heads),
    concurrency: Number(values.concurrency),
    pollMs: Number(values['poll-ms']),
    runs: Number(values.runs),
    variants,
  };

  Runtime.install({ logger: quiet });
  const cli = await ensureTemporalCli();
  const startedAt = new Date().toISOString();
  const loadStart = loadAverage();
  const machine = machineInfo(cli);
  log(`load average ${loadStart.join(' ')}; ${machine.cpus} cpus; ${machine.temporalCli}`);

  const dir = mkdtempSync(path.join(tmpdir(), 'farman-count-lag-'));
  const runs: (LagRun & { lagSamples: number[] })[] = [];
  try {
    const bundlePath = path.join(dir, 'workflows.js');
    writeFileSync(
      bundlePath,
      (await bundleWorkflowCode({ workflowsPath: require.resolve(workflowsPath), logger: quiet })).code,
    );
    const server = await startDevServer({
      cli,
      dbFile: path.join(dir, 'temporal.db'),
      uiPort: null,
      logLevel: 'error',
    });
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: server.namespace });
      const registryFile = generateRegistry(Math.max(...variants.map((v) => v.units)), Number(values.seed));
      const registryPath = path.join(dir, 'registry.json');
      writeFileSync(registryPath, JSON.stringify(registryFile));
      const registry = buildRegistry(registryFile);
      const codes = registry.recipients().map((u) => u.code);
      const farman = await FarmanUnderTest.start(client, registry, path.join(dir, 'data'));
      // The worker's own defaults (worker/config.ts): the lag as deployed.
      const defaults = loadWorkerConfig({ SMTP_URL: 'smtp://127.0.0.1:25', LINK_SIGNING_KEYS: benchSigningKeys });
      const worker = await WorkerHost.start({
        variant: 'b1',
        address: server.address,
        namespace: server.namespace,
        bundlePath,
        tuning: {
          maxCachedWorkflows: defaults.WORKER_MAX_CACHED_WORKFLOWS,
          maxConcurrentWorkflowTaskExecutions: defaults.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          maxConcurrentActivityTaskExecutions: defaults.WORKER_MAX_CONCURRENT_ACTIVITIES,
          workflowThreadPoolSize: defaults.WORKER_WORKFLOW_THREADS,
        },
        registryFile: registryPath,
        dataDir: path.join(dir, 'data'),
        smtpUrl: farman.sink.url,
        mailRatePerSecond: defaults.MAIL_RATE_PER_SECOND,
        signingKeys: benchSigningKeys,
        publicUrl: farman.baseUrl,
      });
      try {
        for (let r = 0; r < options.runs; r++) {
          for (const variant of r % 2 === 0 ? variants : [...variants].reverse()) {
            const run = await lagRun(farman, codes.slice(0, variant.units), variant, options);
            runs.push(run);
            const all = run.lagMs.all;
            log(
              `${variant.name} run ${r + 1}: lag p50 ${all.p50.toFixed(0)} p95 ${all.p95.toFixed(0)} max ${all.max.toFixed(0)} ms; settle ${run.settleMs.toFixed(0)} ms; load ${run.loadAverage.end.join(' ')}`,
            );
          }
        }
      } finally {
        await worker.stop();
        await farman.stop();
      }
    } finally {
      await connection.close();
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const byVariant = Object.fromEntries(
    variants.map((v) => {
      const mine = runs.filter((x) => x.variant === v.name);
      return [
        v.name,
        {
          runs: mine.length,
          lagMs: summarizeLatency(mine.flatMap((x) => x.lagSamples)),
          settleMs: summarizeLatency(mine.map((x) => x.settleMs)),
          countedBeforeAnswer: mine.reduce((a, x) => a + x.countedBeforeAnswer, 0),
        },
      ];
    }),
  ) as CountLagResults['byVariant'];
  const results: CountLagResults = {
    harness: 'farman-bench/count-lag/1',
    label: values.label,
    command: `npm run bench:count-lag -- ${process.argv.slice(2).join(' ')}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    loadAverage: { start: loadStart, end: loadAverage() },
    options,
    runs: runs.map(({ lagSamples: _samples, ...run }) => run),
    byVariant,
  };
  mkdirSync(values.out, { recursive: true });
  const stem = path.join(values.out, `${startedAt.replace(/[:.]/g, '-')}-${values.label}`);
  writeFileSync(`${stem}.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${stem}.md`, toMarkdown(results));
  log(`wrote ${stem}.json and .md`);
}

/** One directive of `codes`: issue, wait until every unit is notified, reply while polling, match. */
async function lagRun(
  farman: FarmanUnderTest,
  codes: string[],
  variant: Variant,
  o: CountLagResults['options'],
): Promise<LagRun & { lagSamples: number[] }> {
  const loadStart = loadAverage();
  farman.gatewayOptions.shardSize = variant.shardSize;
  const directiveId = await farman.issue(codes);
  const gateway = farman.gateway;
  const settled = await eventually(
    async () => {
      const s = await gateway.directiveStatus(directiveId);
      return s.started === codes.length && s.counts.notified === codes.length ? s : undefined;
    },
    120_000 + codes.length * 100,
    `directive ${directiveId}: every unit notified`,
  );
  // Heads spread evenly over the units, so that every shard has replies.
  const step = codes.length / Math.min(o.heads, codes.length);
  const replying = Array.from({ length: Math.min(o.heads, codes.length) }, (_, i) => codes[Math.floor(i * step)]);

  const origin = performance.now();
  const now = () => performance.now() - origin;
  const polls: Poll[] = [];
  const pollTimes: number[] = [];
  let polling = true;
  const poller = (async () => {
    for (let tick = 0; polling; tick++) {
      const sent = now();
      const status = await gateway.directiveStatus(directiveId).catch(() => null);
      const at = now();
      pollTimes.push(at - sent);
      if (status) polls.push({ at, ...pastCounts(status) });
      const wait = (tick + 1) * o.pollMs - now();
      if (wait > 0) await sleep(wait);
    }
  })();

  const acknowledged: number[] = [];
  const reported: number[] = [];
  const replyMs: number[] = [];
  const errors: string[] = [];
  await inPool(replying, o.concurrency, async (code) => {
    try {
      const by = unitActor(code);
      let t0 = now();
      await whenBusyRetry(() =>
        gateway.unitUpdate(directiveId, code, acknowledgeUpdate, { ...heads, by }, `ack-${code}`),
      );
      acknowledged.push(now());
      replyMs.push(now() - t0);
      t0 = now();
      await whenBusyRetry(() =>
        gateway.unitUpdate(directiveId, code, submitReportUpdate, { ...heads, values: {}, by }, `report-${code}`),
      );
      reported.push(now());
      replyMs.push(now() - t0);
    } catch (err) {
      errors.push(`${code}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const lastReply = Math.max(...acknowledged, ...reported);
  const allCounted = () => {
    const p = polls.at(-1);
    return p && p.acknowledged >= acknowledged.length && p.reported >= reported.length ? p : undefined;
  };
  const counted = await eventually(allCounted, 120_000, `directive ${directiveId}: every reply counted`).finally(
    async () => {
      polling = false;
      await poller;
    },
  );
  // Closed so that the next run meets a server without this run's open units; a directive whose every unit
  // has replied has already completed by itself.
  await farman.close(directiveId).catch((err: unknown) => {
    if (!(err instanceof Rejected && err.code === 'closed')) throw err;
  });

  const ackLags = matchInOrder(acknowledged, polls, 'acknowledged');
  const reportLags = matchInOrder(reported, polls, 'reported');
  const all = [...ackLags, ...reportLags];
  const shards = settled.shards.length;
  return {
    variant: variant.name,
    units: codes.length,
    shardSize: variant.shardSize,
    shards,
    flushIntervalMs: shards > 0 ? flushIntervalMs(shards) : 0,
    heads: replying.length,
    directiveId,
    loadAverage: { start: loadStart, end: loadAverage() },
    replyMs: summarizeLatency(replyMs),
    polls: polls.length,
    pollMs: summarizeLatency(pollTimes),
    lagMs: { acknowledge: summarizeLatency(ackLags), report: summarizeLatency(reportLags), all: summarizeLatency(all) },
    countedBeforeAnswer: all.filter((ms) => ms < 0).length,
    settleMs: counted.at - lastReply,
    errors: errors.slice(0, 10),
    lagSamples: all,
  };
}

/** Units the directive counts as past `notified` and as past `acknowledged`. */
function pastCounts(status: DirectiveStatus): Omit<Poll, 'at'> {
  const c = status.counts;
  const reported = c.reported + c.returned + c.accepted;
  return { acknowledged: c.acknowledged + reported, reported };
}

/**
 * The lag of each recorded reply: the k-th (by the time its answer came) is counted at the first poll that
 * shows at least k. @throws when a reply was never counted (the poller stops only once every one is).
 */
export function matchInOrder(recorded: number[], polls: Poll[], key: 'acknowledged' | 'reported'): number[] {
  const sorted = [...recorded].sort((a, b) => a - b);
  let p = 0;
  return sorted.map((at, i) => {
    while (p < polls.length && polls[p][key] < i + 1) p++;
    if (p === polls.length) throw new Error(`reply ${i + 1} of ${sorted.length} (${key}) was never counted`);
    return polls[p].at - at;
  });
}

const n = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';

/** The Markdown twin of a results file. */
export function toMarkdown(res: CountLagResults): string {
  const m = res.machine;
  const row = (name: string, x: LatencySummary) =>
    `${name} | ${n(x.samples)} | ${n(x.p50)} | ${n(x.p95)} | ${n(x.max)}`;
  return [
    `# Count lag: ${res.label}`,
    '',
    `\`${res.command}\`, ${res.startedAt} to ${res.finishedAt}.`,
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.temporalCli}, SDK ${m.temporalSdk}.`,
    `Load average (1/5/15 min): ${res.loadAverage.start.join(' ')} at the start, ${res.loadAverage.end.join(' ')} at the end.`,
    `${res.options.heads} heads per directive acknowledge then report back to back, ${res.options.concurrency} at a time; status polled every ${res.options.pollMs} ms.`,
    '',
    'Lag: from a reply recorded (the update answered) to the first status answer that counts it, in ms.',
    '',
    '| variant | replies | p50 | p95 | max | settle after last reply (max) | counted before the answer |',
    '|---|---|---|---|---|---|---|',
    ...(['unsharded', 'sharded'] as const).map((v) => {
      const b = res.byVariant[v];
      return `| ${row(v, b.lagMs)} | ${n(b.settleMs.max)} | ${b.countedBeforeAnswer} |`;
    }),
    '',
    "Per run (ms). A status query answers slowly while the directive is busy with its units' signals: the",
    'polls column says how many answers the run had, the status query column how long they took.',
    '',
    '| run | variant | units | shards (flush ms) | load at end | reply p50 | polls | status query p50 / max | lag p50 | p95 | max | settle |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...res.runs.map(
      (x, i) =>
        `| ${i + 1} | ${x.variant} | ${n(x.units)} | ${x.shards} (${x.flushIntervalMs}) | ${x.loadAverage.end.join(' ')} | ${n(x.replyMs.p50)} | ${x.polls} | ${n(x.pollMs.p50)} / ${n(x.pollMs.max)} | ${n(x.lagMs.all.p50)} | ${n(x.lagMs.all.p95)} | ${n(x.lagMs.all.max)} | ${n(x.settleMs)} |`,
    ),
    ...(res.runs.some((x) => x.errors.length)
      ? ['', 'Errors:', ...res.runs.flatMap((x) => x.errors.map((e) => `- ${x.variant}: ${e}`))]
      : []),
    '',
  ].join('\n');
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
