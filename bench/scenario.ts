import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildRegistry } from '../domain/registry';
import { generateRegistry } from '../scripts/generate-registry';
import { startDevServer } from '../worker/temporal-server';
import { defaultShardSize, directiveWorkflowId } from '../workflows/contract';
import type { DirectiveStatus } from '../workflows/types';
import { BareFanOut, type FanOutTiming } from './b0';
import { benchSigningKeys, FarmanUnderTest } from './b1';
import {
  fetchHistories,
  historyFacts,
  profiled,
  replayAll,
  summarizeProfile,
  type CpuProfileSummary,
  type HistoryFacts,
} from './histories';
import {
  cpuDuring,
  loadAverage,
  persistenceDelta,
  settledPersistenceOps,
  type CpuSeconds,
  type PersistenceOps,
} from './machine';
import {
  burstOffsets,
  openLoop,
  poissonOffsets,
  seededRandom,
  slope,
  spread,
  summarizeLatency,
  type LatencySummary,
  type Spread,
} from './stats';
import { WorkerHost } from './worker-host';
import type { WorkerSpec, WorkerTuning } from './worker-protocol';

/** What one scenario runs: B0 then B1 on one fresh dev server, for one registry size and one tuning. */
export interface ScenarioOptions {
  units: number;
  /** Fan-out runs per variant (each a fresh parent or directive of `units` units). */
  runs: number;
  /**
   * `alternate` (the default): run r of B0 and run r of B1 back to back, B0 first in even runs and B1 first in
   * odd ones (B0 B1 B1 B0 B0 B1 …), so both variants meet the server in the same states on average: every run
   * leaves its units open, and a run on a server holding more open workflows is slower. `grouped`: every B0
   * run, then every B1 run (how results before 2026-11-28T14 were measured).
   */
  fanOutOrder: 'alternate' | 'grouped';
  /** Open-loop Poisson rates (req/s) of the click → recorded points; empty skips them. */
  rates: number[];
  /** Replies per latency point (each point gets a fresh fan-out of this many units). */
  samples: number;
  /** Rates also measured with the unit workflows evicted (the worker restarted after the fan-out). */
  evictedRates: number[];
  /** One burst where every unit of a fresh fan-out of `units` replies within `burstWindowMs`. */
  burst: boolean;
  burstWindowMs: number;
  /** Before the fan-out runs, open this many units, measure memory, and close them again (0: skip). */
  memoryProbe: number;
  /** Close the first B1 directive, wait for it to complete, and inspect every history of it. */
  complete: boolean;
  /** Replay runs of the first B1 directive's histories (0: skip). Needs `complete`. */
  replayRuns: number;
  /** Replay processes at once (audit/replay.ts, as the audit CLI's `--jobs`). */
  replayProcesses: number;
  /** Run every worker under V8's CPU profiler and summarise each thread's profile in the results. */
  profileWorkers: boolean;
  /** Server dynamic config, e.g. lowered per-workflow limits. */
  dynamicConfig: Record<string, unknown>;
  /** A control directive that is not sharded enough for the lowered limits, to show the limit bites. */
  limitControl: number;
  tuning: WorkerTuning;
  /** Both workers' sandbox (WorkerSpec.sandbox): `untimed` only to measure what the SDK's sandbox costs. */
  sandbox: 'sdk' | 'untimed';
  mailRatePerSecond: number;
  cli: string;
  bundles: { b0: string; b1: string };
  seed: number;
  log: (line: string) => void;
}

export interface LatencyPoint {
  name: string;
  kind: 'poisson' | 'burst';
  ratePerSecond: number;
  cache: 'cached' | 'evicted';
  latencyMs: LatencySummary;
  errors: number;
  firstErrors: string[];
  maxLatenessMs: number;
  durationMs: number;
  /** Load average (1/5/15 min) when the point ended: the machine may be shared. */
  loadAverage: number[];
  /** B1 only: the GET of the unit page before each POST (query + render), for the breakdown. */
  pageGetMs?: LatencySummary;
  /**
   * CPU milliseconds per reply each process spent during the point (its CPU seconds over its samples; for
   * B1 a reply is the page GET and the POST). On 2 cores, a rate r can be kept up only while the total
   * stays under 2,000 / r ms (100 ms at 20/s). Absent in results before 2026-11-28T19.
   */
  cpuMsPerReply?: CpuSeconds & { total: number };
}

export interface MemoryPoint {
  openUnits: number;
  when: string;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
}

/**
 * What the harness measures around one fan-out run besides its timing. `position`: the run's place among
 * all fan-out runs of the scenario, both variants, from 1. `persistence`: the server's persistence operations
 * during the run (its Prometheus counters). `sandboxCallsPerUnit`: the worker's calls into its workflow
 * sandbox per unit, those with a timeout apart (bench/sandbox-calls.ts; absent before 2026-11-28T19).
 */
export interface RunFacts {
  cpu: CpuSeconds;
  position: number;
  persistence: PersistenceOps;
  sandboxCallsPerUnit?: { calls: number; timed: number };
}

export interface VariantResult {
  fanOut: {
    runs: (FanOutTiming & RunFacts)[];
    fanOutMs: Spread;
    allStartedMs: Spread;
    unitsPerSecond: Spread;
    /** CPU seconds per process during each fan-out run (from /proc): where the machine's time went. */
    cpuSeconds: { server: Spread; worker: Spread; harness: Spread };
    /** The worker's calls into its workflow sandbox per unit during each run (RunFacts), all and with a timeout. */
    sandboxCallsPerUnit?: { calls: Spread; timed: Spread };
  };
  latency: LatencyPoint[];
  memory: MemoryPoint[];
  /** Least-squares slope of RSS and heap over open units, in MB per 1,000 units. */
  memorySlopeMBPer1000: { rss: number; heapUsed: number };
  /** With `profileWorkers`: where each worker process's threads spent their CPU, over the whole variant. */
  workerProfile?: { pid: number; thread: 'main' | 'workflow'; profile: CpuProfileSummary }[];
}

export interface ScenarioResult {
  units: number;
  options: Omit<ScenarioOptions, 'cli' | 'bundles' | 'log'>;
  loadAverage: { start: number[]; end: number[] };
  startedAt: string;
  durationS: number;
  b0: VariantResult;
  b1: VariantResult;
  /** B1/B0 of each phase's median. */
  ratios: Record<string, number>;
  completion?: { closeToCompletedMs: number; status: DirectiveStatus; histories: HistoryFacts; fetchMs: number };
  replay?: {
    histories: number;
    /** Replay processes at once (older results: `workers`, replay workers in one process). */
    processes: number;
    fetchMs: Spread;
    replayMs: Spread;
    replayOverFetch: Spread;
    failures: string[];
    /** The same replays in processes that keep the SDK's sandbox settings (older results: absent). */
    untunedReplayMs?: Spread;
    /**
     * CPU seconds of the tuned replays (this process and its replay processes), and the cores they kept busy
     * on average (CPU seconds over the replay's time): near the machine's cores, replay is bound by CPU.
     * Absent before 2026-11-28T19.
     */
    replayCpuSeconds?: Spread;
    replayCoresBusy?: Spread;
    /** One more replay, in this process (SDK settings), under the CPU profiler: where a replay's time goes. */
    profile: CpuProfileSummary & { ms: number; processes: 1 };
  };
  limitControl?: {
    units: number;
    shardSize: number;
    started: number;
    workflowTaskFailures: HistoryFacts['workflowTaskFailures'];
  };
}

const MB = 2 ** 20;
const fanOutTimeout = (units: number) => 120_000 + units * 100;

/** Runs one scenario end to end and returns its figures; the server, workers and sink are stopped after. */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const startedAt = new Date();
  const loadStart = loadAverage();
  const dir = mkdtempSync(path.join(tmpdir(), `farman-bench-${o.units}-`));
  o.log(`scenario ${o.units} units in ${dir}; load ${loadStart.join(' ')}`);
  const server = await startDevServer({
    cli: o.cli,
    dbFile: path.join(dir, 'temporal.db'),
    uiPort: null,
    logLevel: 'error',
    dynamicConfig: o.dynamicConfig,
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const registryFile = generateRegistry(o.units, o.seed);
  const registryPath = path.join(dir, 'registry.json');
  writeFileSync(registryPath, JSON.stringify(registryFile));
  const registry = buildRegistry(registryFile);
  const codes = registry.recipients().map((u) => u.code);
  const baseSpec = { address: server.address, namespace: server.namespace, tuning: o.tuning, sandbox: o.sandbox };
  try {
    const serverPid = server.process.pid ?? -1;
    const profileDir = (variant: string) => (o.profileWorkers ? path.join(dir, `profile-${variant}`) : undefined);
    const bare = new BareFanOut(client, defaultShardSize);
    const farman = await FarmanUnderTest.start(client, registry, path.join(dir, 'data'));
    const b1Spec: WorkerSpec = {
      ...baseSpec,
      variant: 'b1',
      bundlePath: o.bundles.b1,
      registryFile: registryPath,
      dataDir: path.join(dir, 'data'),
      smtpUrl: farman.sink.url,
      mailRatePerSecond: o.mailRatePerSecond,
      signingKeys: benchSigningKeys,
      publicUrl: farman.baseUrl,
    };
    let b0Result: VariantResult;
    let b1: Awaited<ReturnType<typeof runB1>>;
    let b0Side: Side<FanOutTiming> | undefined;
    try {
      const b0 = (b0Side = await Side.start(
        'B0',
        { ...baseSpec, variant: 'b0', bundlePath: o.bundles.b0 },
        profileDir('b0'),
        (r) => bare.fanOut(`fanout-${r}`, o.units, fanOutTimeout(o.units)),
      ));
      const b1Side = await Side.start('B1', b1Spec, profileDir('b1'), () =>
        farman.fanOut(codes, fanOutTimeout(o.units)),
      );
      try {
        if (o.memoryProbe > 0) await memoryProbe(b1Side, farman, codes.slice(0, o.memoryProbe));
        const schedule =
          o.fanOutOrder === 'grouped'
            ? [
                ...Array.from({ length: o.runs }, (_, r) => [b0, r] as const),
                ...Array.from({ length: o.runs }, (_, r) => [b1Side, r] as const),
              ]
            : Array.from({ length: o.runs }, (_, r) =>
                r % 2 === 0 ? [[b0, r] as const, [b1Side, r] as const] : [[b1Side, r] as const, [b0, r] as const],
              ).flat();
        for (const [position, [side, r]] of schedule.entries())
          await side.fanOutRun(o, { pid: serverPid, metricsUrl: server.metricsUrl }, r, position + 1);
        b0Result = variantResult(b0.runs, await runB0Latency(o, serverPid, bare, b0), b0.memory);
        // Stopped before B1's points (its profile is written on exit); the outer `finally` covers a failure.
        await b0.host.stop();
        b0Result.workerProfile = workerProfiles(profileDir('b0'));
        b1 = await runB1(o, serverPid, client, farman, b1Side, codes);
      } finally {
        await b1Side.host.stop();
      }
      b1.variant.workerProfile = workerProfiles(profileDir('b1'));
    } finally {
      await b0Side?.host.stop();
      await farman.stop();
    }
    const b0Fan = b0Result.fanOut;
    const ratios: Record<string, number> = {
      fanOut: b1.variant.fanOut.fanOutMs.median / b0Fan.fanOutMs.median,
      allStarted: b1.variant.fanOut.allStartedMs.median / b0Fan.allStartedMs.median,
    };
    for (const p of b1.variant.latency) {
      const q = b0Result.latency.find((x) => x.name === p.name);
      if (q) {
        ratios[`${p.name}.p50`] = p.latencyMs.p50 / q.latencyMs.p50;
        ratios[`${p.name}.p99`] = p.latencyMs.p99 / q.latencyMs.p99;
      }
    }
    const { cli: _cli, bundles: _bundles, log: _log, ...options } = o;
    return {
      units: o.units,
      options,
      loadAverage: { start: loadStart, end: loadAverage() },
      startedAt: startedAt.toISOString(),
      durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
      b0: b0Result,
      b1: b1.variant,
      ratios,
      completion: b1.completion,
      replay: b1.replay,
      limitControl: b1.limitControl,
    };
  } finally {
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The CPU profiles the variant's worker processes wrote when they exited, one summary per thread. V8 names
 * them `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`; thread 0 is the main thread (core bridge,
 * activities, mail), the other the SDK's workflow thread.
 */
function workerProfiles(dir: string | undefined): VariantResult['workerProfile'] {
  if (!dir || !existsSync(dir)) return undefined;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) => {
      const [pid, thread] = f.split('.').slice(3, 5).map(Number);
      return {
        pid,
        thread: thread === 0 ? ('main' as const) : ('workflow' as const),
        profile: summarizeProfile(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))),
      };
    });
}

async function memoryPoint(host: WorkerHost, openUnits: number, when: string): Promise<MemoryPoint> {
  const m = await host.memory();
  return {
    openUnits,
    when,
    rssMB: m.rss / MB,
    heapUsedMB: m.heapUsed / MB,
    heapTotalMB: m.heapTotal / MB,
    externalMB: m.external / MB,
  };
}

function variantResult(
  runs: VariantResult['fanOut']['runs'],
  latency: LatencyPoint[],
  memory: MemoryPoint[],
): VariantResult {
  const per1000 = (key: 'rssMB' | 'heapUsedMB') => slope(memory.map((m) => ({ x: m.openUnits / 1000, y: m[key] })));
  return {
    fanOut: {
      runs,
      fanOutMs: spread(runs.map((r) => r.fanOutMs)),
      allStartedMs: spread(runs.map((r) => r.allStartedMs)),
      unitsPerSecond: spread(runs.map((r) => r.unitsPerSecond)),
      cpuSeconds: {
        server: spread(runs.map((r) => r.cpu.server)),
        worker: spread(runs.map((r) => r.cpu.worker)),
        harness: spread(runs.map((r) => r.cpu.harness)),
      },
      sandboxCallsPerUnit: runs.every((r) => r.sandboxCallsPerUnit)
        ? {
            calls: spread(runs.map((r) => r.sandboxCallsPerUnit!.calls)),
            timed: spread(runs.map((r) => r.sandboxCallsPerUnit!.timed)),
          }
        : undefined,
    },
    latency,
    memory,
    memorySlopeMBPer1000: { rss: per1000('rssMB'), heapUsed: per1000('heapUsedMB') },
  };
}

/** The latency points to measure: each rate cached (and evicted), then the burst. */
function latencyPlan(o: ScenarioOptions): {
  name: string;
  kind: 'poisson' | 'burst';
  rate: number;
  cache: 'cached' | 'evicted';
  units: number;
  offsets: number[];
}[] {
  const plan: ReturnType<typeof latencyPlan> = [];
  let seed = o.seed * 1000;
  for (const rate of o.rates) {
    for (const cache of o.evictedRates.includes(rate) ? (['cached', 'evicted'] as const) : (['cached'] as const)) {
      plan.push({
        name: `poisson-${rate}/s-${cache}`,
        kind: 'poisson',
        rate,
        cache,
        units: o.samples,
        offsets: poissonOffsets(o.samples, rate, seededRandom(++seed)),
      });
    }
  }
  if (o.burst) {
    plan.push({
      name: `burst-${o.units}-in-${o.burstWindowMs / 1000}s-cached`,
      kind: 'burst',
      rate: o.units / (o.burstWindowMs / 1000),
      cache: 'cached',
      units: o.units,
      offsets: burstOffsets(o.units, o.burstWindowMs, seededRandom(++seed)),
    });
  }
  return plan;
}

/** Runs one latency point's open loop, with the CPU each process spent on it. */
async function timedLoop(
  pids: { server: number; worker: number },
  offsets: number[],
  reply: Parameters<typeof openLoop>[1],
) {
  const { result, cpu } = await cpuDuring(pids, () => openLoop(offsets, reply));
  const per = (seconds: number) => (seconds * 1_000) / offsets.length;
  const cpuMsPerReply = {
    server: per(cpu.server),
    worker: per(cpu.worker),
    harness: per(cpu.harness),
    total: per(cpu.server + cpu.worker + cpu.harness),
  };
  return { result, cpuMsPerReply };
}

function latencyPoint(
  step: ReturnType<typeof latencyPlan>[number],
  r: Awaited<ReturnType<typeof openLoop>>,
  cpuMsPerReply: LatencyPoint['cpuMsPerReply'],
): LatencyPoint {
  return {
    name: step.name,
    kind: step.kind,
    ratePerSecond: step.rate,
    cache: step.cache,
    latencyMs: summarizeLatency(r.latencies),
    errors: r.errors.length,
    firstErrors: [...new Set(r.errors)].slice(0, 5),
    maxLatenessMs: r.maxLatenessMs,
    durationMs: r.durationMs,
    loadAverage: loadAverage(),
    cpuMsPerReply,
  };
}

/**
 * One variant's worker process and what it has measured so far. Its fan-out runs are taken one at a time by
 * the scenario, in the order `fanOutOrder` says.
 */
class Side<R extends FanOutTiming> {
  readonly memory: MemoryPoint[] = [];
  readonly runs: (R & RunFacts)[] = [];
  open = 0;

  private constructor(
    readonly name: 'B0' | 'B1',
    public host: WorkerHost,
    readonly spec: WorkerSpec,
    readonly profileDir: string | undefined,
    private readonly fanOut: (run: number) => Promise<R>,
  ) {}

  static async start<R extends FanOutTiming>(
    name: 'B0' | 'B1',
    spec: WorkerSpec,
    profileDir: string | undefined,
    fanOut: (run: number) => Promise<R>,
  ): Promise<Side<R>> {
    const side = new Side(name, await WorkerHost.start(spec, { profileDir }), spec, profileDir, fanOut);
    side.memory.push(await memoryPoint(side.host, 0, 'worker started'));
    return side;
  }

  /** One fan-out of the scenario's units, with the CPU each process spent on it and the memory after. */
  async fanOutRun(
    o: ScenarioOptions,
    server: { pid: number; metricsUrl: string },
    run: number,
    position: number,
  ): Promise<void> {
    const before = await settledPersistenceOps(server.metricsUrl);
    const callsBefore = await this.host.sandboxCalls();
    const { result, cpu } = await cpuDuring({ server: server.pid, worker: this.host.pid }, () => this.fanOut(run));
    // Once the server's counters stop moving, the worker has also finished the fan-out's last tasks.
    const persistence = persistenceDelta(await settledPersistenceOps(server.metricsUrl), before);
    const callsAfter = await this.host.sandboxCalls();
    const sandboxCallsPerUnit = {
      calls: (callsAfter.calls - callsBefore.calls) / o.units,
      timed: (callsAfter.timed - callsBefore.timed) / o.units,
    };
    this.runs.push({ ...result, cpu, position, persistence, sandboxCallsPerUnit });
    this.open += o.units;
    await this.measure(`after ${this.name} fan-out ${this.runs.length}`);
    o.log(
      `${this.name} fan-out ${this.runs.length}/${o.units}: ${result.fanOutMs} ms (all started ${result.allStartedMs} ms)`,
    );
  }

  async measure(when: string, openUnits = this.open): Promise<void> {
    this.memory.push(await memoryPoint(this.host, openUnits, when));
  }

  /** Stops the worker and starts a new one: every cached workflow is evicted. */
  async restart(): Promise<void> {
    await this.host.stop();
    this.host = await WorkerHost.start(this.spec, { profileDir: this.profileDir });
  }
}

/** B1's memory probe: open `codes` units, measure, close them, measure again. */
async function memoryProbe(side: Side<FanOutTiming>, farman: FarmanUnderTest, codes: string[]): Promise<void> {
  const probe = await farman.fanOut(codes, fanOutTimeout(codes.length));
  await side.measure('memory probe directive open', codes.length);
  await farman.close(probe.directiveId);
  await side.measure('memory probe directive closed', 0);
}

async function runB0Latency(
  o: ScenarioOptions,
  serverPid: number,
  bare: BareFanOut,
  side: Side<FanOutTiming>,
): Promise<LatencyPoint[]> {
  const latency: LatencyPoint[] = [];
  for (const step of latencyPlan(o)) {
    const runId = `latency-${step.name}`;
    await bare.fanOut(runId, step.units, fanOutTimeout(step.units));
    side.open += step.units;
    if (step.cache === 'evicted') await side.restart();
    const { result, cpuMsPerReply } = await timedLoop({ server: serverPid, worker: side.host.pid }, step.offsets, (i) =>
      bare.reply(runId, i),
    );
    side.open -= step.units - result.errors.length;
    latency.push(latencyPoint(step, result, cpuMsPerReply));
    o.log(
      `B0 ${step.name}: p50 ${latency.at(-1)!.latencyMs.p50.toFixed(1)} p99 ${latency.at(-1)!.latencyMs.p99.toFixed(1)} errors ${result.errors.length}`,
    );
  }
  return latency;
}

async function runB1(
  o: ScenarioOptions,
  serverPid: number,
  client: Client,
  farman: FarmanUnderTest,
  side: Side<FanOutTiming & { directiveId: string }>,
  codes: string[],
) {
  const runs = side.runs;
  const latency: LatencyPoint[] = [];
  for (const step of latencyPlan(o)) {
    const directive = await farman.fanOut(codes.slice(0, step.units), fanOutTimeout(step.units));
    side.open += step.units;
    const links = await farman.links(directive.directiveId);
    if (step.cache === 'evicted') await side.restart();
    else await side.measure(`before ${step.name}`);
    const gets: number[] = [];
    const { result, cpuMsPerReply } = await timedLoop({ server: serverPid, worker: side.host.pid }, step.offsets, (i) =>
      farman.acknowledge(links[i], (ms) => gets.push(ms)),
    );
    latency.push({ ...latencyPoint(step, result, cpuMsPerReply), pageGetMs: summarizeLatency(gets) });
    o.log(
      `B1 ${step.name}: p50 ${latency.at(-1)!.latencyMs.p50.toFixed(1)} p99 ${latency.at(-1)!.latencyMs.p99.toFixed(1)} errors ${result.errors.length}; GET p50 ${gets.length ? summarizeLatency(gets).p50.toFixed(1) : '–'}`,
    );
  }
  let completion: ScenarioResult['completion'];
  let replay: ScenarioResult['replay'];
  if (o.complete && runs.length > 0) {
    const id = runs[0].directiveId;
    const t0 = performance.now();
    const status = await farman.close(id);
    const closeToCompletedMs = performance.now() - t0;
    const ids = await farman.workflowIds(id, codes);
    const fetched = await fetchHistories(client, ids);
    completion = { closeToCompletedMs, status, histories: historyFacts(fetched.histories), fetchMs: fetched.ms };
    o.log(
      `B1 directive ${id} closed in ${Math.round(closeToCompletedMs)} ms; largest history ${completion.histories.largest.events} events`,
    );
    if (o.replayRuns > 0) {
      const fetchMs: number[] = [];
      const replayMs: number[] = [];
      const untunedMs: number[] = [];
      const cpuSeconds: number[] = [];
      const failures: string[] = [];
      for (let r = 0; r < o.replayRuns; r++) {
        const again = await fetchHistories(client, ids);
        fetchMs.push(again.ms);
        // The tuned and the untuned replay take turns going first, like the fan-out's variants.
        const order = r % 2 === 0 ? [true, false] : [false, true];
        for (const tune of order) {
          const replayed = await replayAll(o.bundles.b1, again.histories, o.replayProcesses, tune);
          (tune ? replayMs : untunedMs).push(replayed.ms);
          if (tune) cpuSeconds.push(replayed.cpuSeconds);
          failures.push(...replayed.failures);
          o.log(
            `replay ${r + 1}: fetch ${Math.round(again.ms)} ms, replay ${Math.round(replayed.ms)} ms (${o.replayProcesses} processes${tune ? '' : ', untuned'})`,
          );
        }
      }
      // The histories fetched for the completion figures above: nothing has changed them since.
      const { result: single, profile } = await profiled(() => replayAll(o.bundles.b1, fetched.histories));
      o.log(
        `profiled replay in 1 worker: ${Math.round(single.ms)} ms; top: ${profile.top[0]?.frame} ${profile.top[0]?.share}`,
      );
      replay = {
        histories: ids.length,
        processes: o.replayProcesses,
        profile: { ...profile, ms: single.ms, processes: 1 },
        fetchMs: spread(fetchMs),
        replayMs: spread(replayMs),
        replayOverFetch: spread(replayMs.map((ms, i) => ms / fetchMs[i])),
        untunedReplayMs: spread(untunedMs),
        replayCpuSeconds: spread(cpuSeconds),
        replayCoresBusy: spread(cpuSeconds.map((s, i) => (s * 1_000) / replayMs[i])),
        failures: failures.slice(0, 10),
      };
    }
  }
  const limitControl =
    o.limitControl > 0 ? await runLimitControl(o, client, farman, codes.slice(0, o.limitControl)) : undefined;
  return { variant: variantResult(runs, latency, side.memory), completion, replay, limitControl };
}

/**
 * The negative control of the lowered-limits run: a directive whose units all hang off the directive
 * itself (shard size above the unit count) must hit the lowered pending-children limit, which shows that
 * the limit is live and that sharding is what keeps the real directives under it.
 */
async function runLimitControl(
  o: ScenarioOptions,
  client: Client,
  farman: FarmanUnderTest,
  codes: string[],
): Promise<ScenarioResult['limitControl']> {
  const shardSize = codes.length + 1;
  const before = farman.gatewayOptions.shardSize;
  farman.gatewayOptions.shardSize = shardSize;
  try {
    const id = await farman.issue(codes);
    farman.gatewayOptions.shardSize = before;
    const workflowId = directiveWorkflowId(id);
    const deadline = Date.now() + 120_000;
    let facts: HistoryFacts | undefined;
    while (Date.now() < deadline) {
      const { histories } = await fetchHistories(client, [workflowId]);
      facts = historyFacts(histories);
      if (facts.workflowTaskFailures.length > 0) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const status = await farman.gateway.directiveStatus(id).catch(() => null);
    await client.workflow.getHandle(workflowId).terminate('limit control finished');
    o.log(
      `limit control: ${status?.started ?? '?'} of ${codes.length} started; failures ${facts?.workflowTaskFailures.map((f) => f.cause).join(',')}`,
    );
    return {
      units: codes.length,
      shardSize,
      started: status?.started ?? -1,
      workflowTaskFailures: facts?.workflowTaskFailures.slice(0, 5) ?? [],
    };
  } finally {
    farman.gatewayOptions.shardSize = before;
  }
}
