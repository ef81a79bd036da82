import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchResults } from '../../bench/report';

// The benchmark harness is not part of the suite's pass or fail; this tiny run only keeps it from rotting.
// It starts its own dev server, so it does not touch the suite's server. No figure is asserted: only that
// every phase ran and the results file has the shape bench/README.md reads from.

const root = path.join(__dirname, '..', '..');

function runHarness(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'bench/run.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

test('When the benchmark harness runs a 20-unit smoke, then it writes a results file with every phase of B0 and B1', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'farman-bench-smoke-'));
  const { code, output } = await runHarness([
    '--units',
    '20',
    '--runs',
    '1',
    '--rates',
    '20',
    '--samples',
    '20',
    '--no-burst',
    '--replay-runs',
    '1',
    '--label',
    'smoke',
    '--out',
    out,
  ]);
  expect({ code, tail: output.slice(-2_000) }).toEqual({ code: 0, tail: expect.any(String) });

  const files = readdirSync(out).sort();
  expect(files).toEqual([expect.stringMatching(/-smoke\.json$/), expect.stringMatching(/-smoke\.md$/)]);
  const results = JSON.parse(readFileSync(path.join(out, files[0]), 'utf8')) as BenchResults;
  expect(results.harness).toBe('farman-bench/1');
  expect(results.machine).toEqual(
    expect.objectContaining({
      cpus: expect.any(Number),
      node: process.version,
      sqlitePragmas: ['journal_mode=WAL', 'synchronous=NORMAL'],
    }),
  );
  expect(results.loadAverage.start).toHaveLength(3);
  expect(results.scenarios).toHaveLength(1);

  const [scenario] = results.scenarios;
  expect(scenario.units).toBe(20);
  for (const variant of [scenario.b0, scenario.b1]) {
    expect(variant.fanOut.runs).toEqual([
      expect.objectContaining({
        units: 20,
        fanOutMs: expect.any(Number),
        allStartedMs: expect.any(Number),
        position: expect.any(Number),
      }),
    ]);
    // The server's persistence counters were read around the run: at least one execution created per unit.
    expect(variant.fanOut.runs[0].persistence.CreateWorkflowExecution?.count).toBeGreaterThanOrEqual(20);
    // The worker's sandbox calls were counted in its workflow thread: every unit's first task enters it at
    // least to create the workflow and to activate it, each with the SDK's deadlock timeout.
    const calls = variant.fanOut.runs[0].sandboxCallsPerUnit!;
    expect(calls.calls).toBeGreaterThanOrEqual(2);
    expect(calls.timed).toBe(calls.calls);
    // CPU was accounted per reply for each process; the server works on every reply.
    for (const p of variant.latency)
      expect(p.cpuMsPerReply).toEqual(
        expect.objectContaining({ server: expect.any(Number), total: expect.any(Number) }),
      );
    expect(
      variant.latency.every((p) => p.cpuMsPerReply!.server > 0 && p.cpuMsPerReply!.total >= p.cpuMsPerReply!.server),
    ).toBe(true);
    // Every reply of both points (cached, then evicted by a worker restart) was recorded.
    expect(variant.latency.map((p) => [p.name, p.latencyMs.samples, p.errors])).toEqual([
      ['poisson-20/s-cached', 20, 0],
      ['poisson-20/s-evicted', 20, 0],
    ]);
    expect(variant.memory[0]).toEqual(
      expect.objectContaining({ openUnits: 0, rssMB: expect.any(Number), heapUsedMB: expect.any(Number) }),
    );
  }
  // The first directive was closed, completed with every unit, and its histories replay without failure.
  expect(scenario.completion?.status).toEqual(expect.objectContaining({ state: 'closed', total: 20, started: 20 }));
  expect(scenario.completion?.histories.fetched).toBe(21);
  expect(scenario.completion?.histories.workflowTaskFailures).toEqual([]);
  expect(scenario.replay).toEqual(expect.objectContaining({ histories: 21, failures: [] }));
  // The replay's CPU includes its replay processes' (reaped children count into the harness's /proc entry).
  expect(scenario.replay?.replayCpuSeconds?.median).toBeGreaterThan(0);
  expect(readFileSync(path.join(out, files[1]), 'utf8')).toContain('| fan-out, request → end (ms)');
}, 600_000);
