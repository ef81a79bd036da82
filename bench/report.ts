import type { MachineInfo } from './machine';
import type { ScenarioResult, VariantResult } from './scenario';
import { spread, type Spread } from './stats';

/** A results file: where, when, with what, and every scenario's figures. */
export interface BenchResults {
  harness: 'farman-bench/1';
  label: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  loadAverage: { start: number[]; end: number[] };
  scenarios: ScenarioResult[];
}

const n = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const s = (x: Spread, digits = 0) =>
  x.runs.length > 1 ? `${n(x.median, digits)} (${n(x.min, digits)}–${n(x.max, digits)})` : n(x.median, digits);
const r = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${n(v, 2)}×`);

/**
 * The server's persistence operations per unit during the fan-out runs (medians over the runs), the
 * operations B1 asks most of first: what each variant costs the store, which on SQLite is one writer.
 */
function persistenceTable(sc: ScenarioResult): string[] {
  // Results files from before the counters existed have no `persistence` in their runs.
  const ops = [
    ...new Set([sc.b0, sc.b1].flatMap((v) => v.fanOut.runs.flatMap((x) => Object.keys(x.persistence ?? {})))),
  ];
  if (ops.length === 0) return [];
  /** Each operation's median per unit over a variant's runs: [count, ms]. */
  const perUnit = (v: VariantResult) => {
    const runs = v.fanOut.runs.filter((x) => x.persistence);
    const median = (op: string, key: 'count' | 'seconds') =>
      spread(runs.map((x) => (x.persistence[op]?.[key] ?? 0) / x.units)).median;
    return new Map(ops.map((op) => [op, [median(op, 'count'), median(op, 'seconds') * 1000] as const]));
  };
  const [b0, b1] = [perUnit(sc.b0), perUnit(sc.b1)];
  const cell = ([count, ms]: readonly [number, number]) => `${n(count, 2)} / ${n(ms, 2)}`;
  const total = (table: typeof b0) =>
    [...table.values()].reduce(([c, m], [count, ms]) => [c + count, m + ms] as const, [0, 0] as const);
  return [
    '',
    '| server persistence per unit during the fan-out (operations / ms) | B0 | B1 |',
    '|---|---|---|',
    ...ops
      .filter((op) => Math.max(b0.get(op)![0], b1.get(op)![0]) >= 0.05)
      .sort((a, b) => b1.get(b)![0] - b1.get(a)![0])
      .map((op) => `| ${op} | ${cell(b0.get(op)!)} | ${cell(b1.get(op)!)} |`),
    `| all operations | ${cell(total(b0))} | ${cell(total(b1))} |`,
  ];
}

/** Where a replay ran: its processes, or (results files before processes) its replay workers in one process. */
function replayedIn(replay: NonNullable<ScenarioResult['replay']> & { workers?: number }): string {
  return replay.processes
    ? `${replay.processes} replay process(es)`
    : `one process, ${replay.workers} replay worker(s)`;
}

/** The Markdown twin of a results file: the same numbers, as tables a reader can compare at a glance. */
export function toMarkdown(res: BenchResults): string {
  const m = res.machine;
  const lines = [
    `# Benchmark ${res.label}`,
    '',
    `\`${res.command}\` — ${res.startedAt} to ${res.finishedAt}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; ${m.temporalCli}; SDK ${m.temporalSdk}; SQLite pragmas ${m.sqlitePragmas.join(', ')}; a call into a vm context ${m.sandboxCallMicros ? `${m.sandboxCallMicros.withTimeout} µs with a timeout (as the SDK calls its workflow sandbox), ${m.sandboxCallMicros.withoutTimeout} µs without` : 'not measured'}.`,
    `Load average (1/5/15 min) at start ${res.loadAverage.start.join(' / ')}, at end ${res.loadAverage.end.join(' / ')}${Math.max(res.loadAverage.start[0], res.loadAverage.end[0]) > 1.5 ? ' — **above 1.5: the machine was shared, figures are noisy**' : ''}.`,
    '',
    'Medians of the runs, with (min–max) when there was more than one run.',
  ];
  for (const sc of res.scenarios) {
    const o = sc.options;
    lines.push(
      '',
      `## ${n(sc.units)} units${Object.keys(o.dynamicConfig).length ? `, dynamic config ${JSON.stringify(o.dynamicConfig)}` : ''}`,
      '',
      `Worker tuning ${JSON.stringify(o.tuning)}${o.sandbox === 'untimed' ? ', **sandbox untimed** (no deadlock watchdog, no stack-trace hook: a diagnosis)' : ''}, mail rate ${o.mailRatePerSecond}/s, ${o.runs} fan-out run(s) per variant (${o.fanOutOrder === 'alternate' ? 'alternating: B0 B1 B1 B0 …' : 'grouped: every B0 run, then every B1 run'}), load ${sc.loadAverage.start.join(' / ')} → ${sc.loadAverage.end.join(' / ')}, ${sc.durationS} s.`,
      '',
      '| phase | B0 bare Temporal | B1 Farman | B1/B0 |',
      '|---|---|---|---|',
      `| fan-out, request → end (ms) (B0: last child started; B1: last notice at the sink) | ${s(sc.b0.fanOut.fanOutMs)} | ${s(sc.b1.fanOut.fanOutMs)} | ${r(sc.ratios.fanOut)} |`,
      `| request → last unit workflow started (ms) | ${s(sc.b0.fanOut.allStartedMs)} | ${s(sc.b1.fanOut.allStartedMs)} | ${r(sc.ratios.allStarted)} |`,
      `| units per second (fan-out) | ${s(sc.b0.fanOut.unitsPerSecond, 1)} | ${s(sc.b1.fanOut.unitsPerSecond, 1)} | |`,
      ...(['server', 'worker', 'harness'] as const).map(
        (p) =>
          `| CPU seconds during the fan-out: ${p === 'harness' ? 'harness (API, SMTP sink, clients)' : p} | ${s(sc.b0.fanOut.cpuSeconds[p], 1)} | ${s(sc.b1.fanOut.cpuSeconds[p], 1)} | ${r(sc.b1.fanOut.cpuSeconds[p].median / sc.b0.fanOut.cpuSeconds[p].median)} |`,
      ),
    );
    const [calls0, calls1] = [sc.b0.fanOut.sandboxCallsPerUnit, sc.b1.fanOut.sandboxCallsPerUnit];
    if (calls0 && calls1) {
      lines.push(
        `| worker calls into its workflow sandbox per unit; median of those with a timeout | ${s(calls0.calls, 2)}; ${n(calls0.timed.median, 2)} | ${s(calls1.calls, 2)}; ${n(calls1.timed.median, 2)} | ${r(calls1.calls.median / calls0.calls.median)} |`,
      );
    }
    lines.push(
      '',
      '| fan-out run | B0: position, ms, CPU s server + worker + harness | B1: position, ms, CPU s server + worker + harness | B1/B0 |',
      '|---|---|---|---|',
    );
    const runCell = (x: VariantResult['fanOut']['runs'][number] | undefined) =>
      x
        ? `${x.position ?? '–'}: ${n(x.fanOutMs)}, ${n(x.cpu.server, 1)} + ${n(x.cpu.worker, 1)} + ${n(x.cpu.harness, 1)}`
        : '–';
    for (let i = 0; i < Math.max(sc.b0.fanOut.runs.length, sc.b1.fanOut.runs.length); i++) {
      const [a, b] = [sc.b0.fanOut.runs[i], sc.b1.fanOut.runs[i]];
      lines.push(`| ${i + 1} | ${runCell(a)} | ${runCell(b)} | ${a && b ? r(b.fanOutMs / a.fanOutMs) : '–'} |`);
    }
    lines.push(...persistenceTable(sc));
    for (const [variant, v] of [
      ['B0', sc.b0],
      ['B1', sc.b1],
    ] as const) {
      for (const t of v.workerProfile ?? []) {
        lines.push(
          '',
          `${variant} worker ${t.pid}, ${t.thread} thread, ${n(t.profile.sampledMs)} ms busy: ${t.profile.top
            .slice(0, 8)
            .map((f) => `${f.frame} ${(f.share * 100).toFixed(1)}%`)
            .join('; ')}.`,
        );
        if (t.profile.byOwner)
          lines.push(
            `By owner: ${t.profile.byOwner
              .slice(0, 8)
              .map((o) => `${o.owner} ${n(o.ms)} ms (${(o.share * 100).toFixed(1)}%)`)
              .join('; ')}.`,
          );
      }
    }
    if (sc.b1.latency.length > 0) {
      lines.push(
        '',
        '| click → recorded (ms) | B0 p50 / p95 / p99 / max | B1 p50 / p95 / p99 / max | B1/B0 p50, p99 | samples (errors) B0, B1 | B1 page GET before it, p50 / p99 | CPU ms per reply, server / worker / harness = total, B0; B1 | load at the end, B0 / B1 |',
        '|---|---|---|---|---|---|---|---|',
      );
      for (const p of sc.b1.latency) {
        const q = sc.b0.latency.find((x) => x.name === p.name);
        const fmt = (x: typeof p | undefined) =>
          x
            ? `${n(x.latencyMs.p50, 1)} / ${n(x.latencyMs.p95, 1)} / ${n(x.latencyMs.p99, 1)} / ${n(x.latencyMs.max, 1)}`
            : '–';
        const cpu = (x: typeof p | undefined) =>
          x?.cpuMsPerReply
            ? `${n(x.cpuMsPerReply.server, 1)} / ${n(x.cpuMsPerReply.worker, 1)} / ${n(x.cpuMsPerReply.harness, 1)} = ${n(x.cpuMsPerReply.total, 1)}`
            : '–';
        lines.push(
          `| ${p.name} (${n(p.ratePerSecond, 1)}/s) | ${fmt(q)} | ${fmt(p)} | ${r(sc.ratios[`${p.name}.p50`])}, ${r(sc.ratios[`${p.name}.p99`])} | ${q ? `${q.latencyMs.samples} (${q.errors})` : '–'}, ${p.latencyMs.samples} (${p.errors}) | ${p.pageGetMs ? `${n(p.pageGetMs.p50, 1)} / ${n(p.pageGetMs.p99, 1)}` : '–'} | ${cpu(q)}; ${cpu(p)} | ${q?.loadAverage?.[0] ?? '–'} / ${p.loadAverage?.[0] ?? '–'} |`,
        );
      }
    }
    lines.push('', '| worker memory after forced GC | open units | RSS MB | heap used MB |', '|---|---|---|---|');
    for (const [variant, v] of [
      ['B0', sc.b0],
      ['B1', sc.b1],
    ] as const) {
      for (const p of v.memory)
        lines.push(`| ${variant}: ${p.when} | ${n(p.openUnits)} | ${n(p.rssMB, 1)} | ${n(p.heapUsedMB, 1)} |`);
      lines.push(
        `| ${variant}: slope per 1,000 open units | | ${n(v.memorySlopeMBPer1000.rss, 1)} | ${n(v.memorySlopeMBPer1000.heapUsed, 1)} |`,
      );
    }
    if (sc.completion) {
      const c = sc.completion;
      const byKind = Object.entries(c.histories.largestByKind)
        .map(([k, v]) => `${k} ${n(v.events)}`)
        .join(', ');
      lines.push(
        '',
        `Completion: closed → completed in ${n(c.closeToCompletedMs)} ms; final state ${c.status.state}, ${n(c.status.started)} of ${n(c.status.total)} started, counts ${JSON.stringify(Object.fromEntries(Object.entries(c.status.counts).filter(([, v]) => v > 0)))}.`,
        `Histories: all ${n(c.histories.fetched)} fetched in ${n(c.fetchMs)} ms; largest ${n(c.histories.largest.events)} events (${c.histories.largest.workflowId}); largest by kind: ${byKind}; failed workflow tasks: ${c.histories.workflowTaskFailures.length}${c.histories.workflowTaskFailures.length ? ` (${[...new Set(c.histories.workflowTaskFailures.map((f) => f.cause))].join(', ')})` : ''}.`,
      );
    }
    if (sc.replay) {
      lines.push(
        '',
        `Replay of all ${n(sc.replay.histories)} histories of one directive: fetch ${s(sc.replay.fetchMs)} ms, replay ${s(sc.replay.replayMs)} ms in ${replayedIn(sc.replay)}, replay/fetch ${s(sc.replay.replayOverFetch, 2)}; replay failures ${sc.replay.failures.length}.${sc.replay.untunedReplayMs ? ` The same processes with the SDK's sandbox settings (no replay tuning): ${s(sc.replay.untunedReplayMs)} ms.` : ''}${sc.replay.replayCpuSeconds ? ` CPU of the tuned replays (harness and replay processes): ${s(sc.replay.replayCpuSeconds, 1)} s, ${s(sc.replay.replayCoresBusy!, 2)} cores busy on average.` : ''}`,
        `One replay in one worker under the CPU profiler${sc.replay.untunedReplayMs ? ' (in the harness process, SDK settings)' : ''}: ${n(sc.replay.profile.ms)} ms; self time: ${sc.replay.profile.top
          .slice(0, 6)
          .map((f) => `${f.frame} ${(f.share * 100).toFixed(1)}%`)
          .join('; ')}.`,
      );
    }
    if (sc.limitControl) {
      const l = sc.limitControl;
      lines.push(
        '',
        `Limit control: a directive of ${n(l.units)} units with shard size ${n(l.shardSize)} (unsharded) started ${n(l.started)}; failed workflow tasks: ${l.workflowTaskFailures.map((f) => f.cause).join(', ') || 'none'}.`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
