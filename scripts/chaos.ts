import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../worker/create-worker';
import { apiCrashMidPost } from '../reliability/api-crash';
import { Cluster } from '../reliability/cluster';
import { concurrentDuplicates } from '../reliability/duplicate-replies';
import { relayOutage } from '../reliability/relay-outage';
import { mergeResults, type ScenarioResult } from '../reliability/scenario-result';
import { serverCrashMidRun } from '../reliability/server-crash';
import { smscOutage } from '../reliability/smsc-outage';
import { workerCrashDuringFanOut } from '../reliability/worker-crash';
import { acceptUnitReport, fuzzDeployment, type FuzzCounts } from '../reliability/fuzz/fuzz-runner';
import { validDirective } from '../reliability/fuzz/hostile-requests';
import { linkFrom } from '../reliability/harness/unit-links';
import { eventually } from '../reliability/harness/wait';

/**
 * `npm run chaos`: the long versions of the fault scenarios and the fuzz run, against one cluster of real
 * processes (reliability/cluster.ts), and the report in reliability/results.md. `--quick` runs each
 * once at CI size, to check the script itself. Exits 1 when anything was lost or duplicated, or any
 * hostile request got a 5xx, an unclear answer or changed something.
 */

const quick = process.argv.includes('--quick');
const scale = quick
  ? {
      units: 40,
      fanOutRuns: 1,
      kills: 2,
      serverRuns: 1,
      relayRuns: 1,
      relayAttempts: 4,
      smscDownMs: 20_000,
      apiCrashes: 3,
      duplicates: 1,
      fuzz: { issue: 350, actions: 250, pages: 450 },
    }
  : {
      units: 200,
      fanOutRuns: 3,
      kills: 4,
      serverRuns: 3,
      relayRuns: 2,
      relayAttempts: 6,
      smscDownMs: 120_000,
      apiCrashes: 10,
      duplicates: 5,
      fuzz: { issue: 1_000, actions: 700, pages: 1_300 },
    };

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'farman-chaos-'));
  say(`chaos${quick ? ' (quick)' : ''}: working in ${dir}`);
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(workflowsPath), logger: quietLogger });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  // District heads of the generated registry are told by SMS too, so every scenario also sends texts.
  const cluster = await Cluster.start({
    dir: path.join(dir, 'cluster'),
    units: scale.units,
    workflowBundle: bundlePath,
    sms: true,
  });
  const results: ScenarioResult[] = [];
  let fuzz: FuzzCounts | null = null;
  const codes = cluster.recipients();
  let next = 0;
  const take = (n: number) => {
    const slice = codes.slice(next, next + n);
    next += n;
    return slice;
  };
  try {
    const run = async (label: string, times: number, once: () => Promise<ScenarioResult>) => {
      const runs: ScenarioResult[] = [];
      for (let i = 0; i < times; i++) {
        say(`${label}: run ${i + 1} of ${times}`);
        const r = await once();
        say(
          `  lost ${r.lost}, duplicated ${r.duplicated}, miscounted ${r.miscounted}, delivery copies ${r.deliveryCopies} (${Math.round(r.durationMs / 1000)} s)`,
        );
        runs.push(r);
      }
      results.push(mergeResults(runs));
    };
    await run('worker SIGKILL during fan-out', scale.fanOutRuns, () =>
      workerCrashDuringFanOut(cluster, { kills: scale.kills, recoveryTimeoutMs: 600_000 }),
    );
    await run('dev server SIGKILL', scale.serverRuns, () => serverCrashMidRun(cluster, { codes: take(6) }));
    await run('relay outage', scale.relayRuns, () =>
      relayOutage(cluster, { codes: take(5), attempts: scale.relayAttempts }),
    );
    await run('SMSC outage', 1, () =>
      smscOutage(cluster, { codes: take(12).filter((c) => /-D\d+$/.test(c)), downMs: scale.smscDownMs }),
    );
    await run('API SIGKILL mid-POST', 1, () => apiCrashMidPost(cluster, { codes: take(scale.apiCrashes) }));
    await run('concurrent duplicates', 1, () =>
      concurrentDuplicates(cluster, { codes: take(scale.duplicates), copies: 5 }),
    );

    say('fuzz: issuing the target directive');
    const [acceptedCode, ...fuzzCodes] = take(3);
    const { id } = await cluster.issue(validDirective([...fuzzCodes, acceptedCode]));
    const links: Record<string, string> = {};
    for (const code of [...fuzzCodes, acceptedCode]) {
      const mail = await eventually(
        () => cluster.mails(id, 'notice').find((m) => m.headers.get('x-farman-unit') === code),
        120_000,
        `notice to ${code}`,
      );
      links[code] = new URL(linkFrom(mail)).pathname;
    }
    // A unit whose report is accepted: the run's uploads to it must be refused and leave nothing behind.
    const accepted = await acceptUnitReport(
      { baseUrl: cluster.baseUrl, officeToken: cluster.officeToken, directiveId: id },
      acceptedCode,
      links[acceptedCode],
    );
    delete links[acceptedCode];
    fuzz = await fuzzDeployment(
      {
        baseUrl: cluster.baseUrl,
        origin: cluster.baseUrl,
        dataDir: path.join(dir, 'cluster', 'data'),
        officeToken: cluster.officeToken,
        directiveId: id,
        unitCodes: fuzzCodes,
        links,
        accepted,
        unitState: (code) => cluster.unitState(id, code),
      },
      { ...scale.fuzz, oversizedUploads: true },
    );
    say(
      `fuzz: ${fuzz.requests} requests, ${fuzz.fourXX} 4xx, ${fuzz.fiveXX} 5xx, ${fuzz.failures.length} failures, ${fuzz.stateChanges.length} state changes`,
    );
  } finally {
    await cluster.stop();
  }
  const report = renderReport(results, fuzz, { kills: cluster.kills, durationMs: Date.now() - started });
  mkdirSync(path.join(__dirname, '..', 'reliability'), { recursive: true });
  const file = path.join(__dirname, '..', 'reliability', 'results.md');
  writeFileSync(file, report);
  say(`wrote ${path.relative(process.cwd(), file)}`);
  const bad =
    results.some((r) => r.lost > 0 || r.duplicated > 0 || r.miscounted > 0) ||
    !fuzz ||
    fuzz.fiveXX > 0 ||
    fuzz.failures.length > 0 ||
    fuzz.stateChanges.length > 0;
  process.exit(bad ? 1 : 0);
}

function renderReport(
  results: ScenarioResult[],
  fuzz: FuzzCounts | null,
  run: { kills: Cluster['kills']; durationMs: number },
): string {
  const lines = [
    '# Reliability results',
    '',
    `Written by \`npm run chaos\`${quick ? ' --quick' : ''} on ${new Date().toISOString()} (${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} at the end; ${Math.round(run.durationMs / 60_000)} minutes).`,
    'Every scenario runs against real processes: `temporal server start-dev` on a SQLite file, the worker and the API',
    'as child processes (SIGKILLed and restarted), an SMTP sink that counts messages by Message-ID, and an SMPP sink',
    '(district heads are told by SMS too).',
    `Processes killed: worker ${run.kills.worker}, Temporal server ${run.kills.server}, API ${run.kills.api}.`,
    '',
    '## Fault scenarios',
    '',
    '| scenario | runs | faults injected | items checked | lost | duplicated | miscounted | extra copies of a Message-ID | time |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.runs} | ${r.faults} | ${r.checked} | ${r.lost} | ${r.duplicated} | ${r.miscounted} | ${r.deliveryCopies} | ${Math.round(r.durationMs / 1000)} s |`,
    ),
    '',
    `Total lost: **${results.reduce((n, r) => n + r.lost, 0)}**; total duplicated: **${results.reduce((n, r) => n + r.duplicated, 0)}**; total miscounted: **${results.reduce((n, r) => n + r.miscounted, 0)}** (target: zero).`,
    '',
    '"Miscounted" compares, after each scenario, the directive\'s counts with an independent count of its units\' own states.',
    '',
    '"Extra copies of a Message-ID" is not a duplicated notice: when the worker dies after the relay accepted a',
    'message but before Temporal recorded the send, Temporal retries it and the relay may see the same message',
    'again, with the same deterministic Message-ID (at-least-once delivery; receiving mail systems can',
    "deduplicate by Message-ID). The worker's sent-mail ledger (activities/sent-ledger.ts) answers such a retry",
    'with the recorded result when the relay had accepted the message before the kill, so copies come only from a',
    'kill inside the last moment of a send. Each unit still has exactly one recorded send per message in its',
    'history, and the sink holds exactly one distinct Message-ID per unit and purpose; the raw copies are counted',
    'here so that nothing is hidden.',
    '',
    '### Notes per scenario',
    '',
    ...results.flatMap((r) => [`**${r.scenario}**`, '', ...r.notes.map((n) => `- ${n}`), '']),
    '## Hostile input (fuzz)',
    '',
  ];
  if (fuzz) {
    lines.push(
      `fast-check seed ${fuzz.seed}. Every request is invalid by construction; each must get a 4xx with a clear message and change nothing.`,
      '',
      '| requests | 4xx | 5xx | unclear or non-4xx answers | state changes |',
      '| ---: | ---: | ---: | ---: | ---: |',
      `| ${fuzz.requests} | ${fuzz.fourXX} | ${fuzz.fiveXX} | ${fuzz.failures.length} | ${fuzz.stateChanges.length} |`,
      '',
      `By status: ${Object.entries(fuzz.byStatus)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')}.`,
      '',
      '| kind of request | count |',
      '| --- | ---: |',
      ...Object.entries(fuzz.byKind)
        .sort()
        .map(([k, n]) => `| ${k} | ${n} |`),
      '',
      ...(fuzz.failures.length ? ['Failures:', '', ...fuzz.failures.slice(0, 50).map((f) => `- ${f}`), ''] : []),
      ...(fuzz.stateChanges.length
        ? ['State changes:', '', ...fuzz.stateChanges.slice(0, 50).map((f) => `- ${f}`), '']
        : []),
    );
  } else {
    lines.push('The fuzz run did not complete.', '');
  }
  lines.push(
    '## Where the short versions live',
    '',
    'CI runs each scenario at a small size: `test/reliability/faults.test.ts`, `test/fuzz/hostile-input.test.ts`;',
    'tokens, mail scanners, script payloads in Chromium and the office side are in `test/security/`.',
    '',
  );
  return lines.join('\n');
}

function say(line: string): void {
  console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
