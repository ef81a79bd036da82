import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTemporalCli } from '../worker/temporal-server';
import { Cluster } from '../reliability/cluster';
import { directiveBody, unitActor } from '../reliability/harness/directive-bodies';
import { eventually, inSeconds } from '../reliability/harness/wait';
import { acknowledgeUpdate, submitReportUpdate } from '../workflows/contract';
import { mapBounded } from '../api/dashboard/map-bounded';
import { loadAverage, machineInfo } from './machine';
import { summarizeLatency, type LatencySummary } from './stats';

/**
 * `npm run bench:hq -- --directives 100`: the election HQ's read side under load. On a fresh cluster of real
 * processes (reliability/cluster.ts: dev server on a SQLite file, worker and API; the sample registry's 44
 * recipients), it issues a campaign of `--directives` directives to
 * every unit; in each, a third of the units acknowledge and a third report; every other directive is then
 * closed (its units' histories are read, the rest are queried). It then times `GET /api/v1/scoreboard`
 * (cold, then `--samples` times) and `GET /api/v1/units/<code>/record` (`--samples` units at random), one
 * request at a time, and writes `<out>/<stamp>-hq-<directives>x61.{json,md}`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      directives: { type: 'string', default: '100' },
      samples: { type: 'string', default: '30' },
      out: { type: 'string', default: path.join(__dirname, 'results') },
    },
  });
  const directives = Number(values.directives);
  const samples = Number(values.samples);
  const startedAt = new Date();
  const cluster = await Cluster.start({ dir: mkdtempSync(path.join(tmpdir(), 'farman-bench-hq-')) });
  const say = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  try {
    const campaign = `bench-${randomUUID().slice(0, 8)}`;
    await cluster.api('/api/v1/campaigns', { method: 'POST', json: { id: campaign, title: 'ستاد آزمون سرعت' } });
    const { units } = (await (await cluster.api('/api/v1/units')).json()) as {
      units: { code: string; kind: string }[];
    };
    const codes = units.filter((u) => u.kind === 'district' || u.kind === 'agency').map((u) => u.code);
    const seedStart = Date.now();
    for (let d = 0; d < directives; d++) {
      const res = await cluster.api('/api/v1/directives', {
        method: 'POST',
        json: directiveBody({
          campaign,
          targets: { mode: 'all' },
          acknowledgeBy: inSeconds(30 * 86_400),
          reportBy: inSeconds(31 * 86_400),
        }),
      });
      const { id } = (await res.json()) as { id: string };
      await eventually(
        async () => ((await cluster.gateway.directiveStatus(id)).state !== 'fanning-out' ? true : undefined),
        300_000,
        `fan-out of ${id}`,
      );
      const who = { name: 'کارشناس', position: 'بخشدار' };
      await mapBounded(
        codes.map((c, i) => [c, i] as const),
        8,
        async ([code, i]) => {
          if (i % 3 === 0)
            await cluster.gateway.unitUpdate(
              id,
              code,
              acknowledgeUpdate,
              { ...who, by: unitActor(code) },
              randomUUID(),
            );
          if (i % 3 === 1)
            await cluster.gateway.unitUpdate(
              id,
              code,
              submitReportUpdate,
              { ...who, values: { stations: 3 }, by: unitActor(code) },
              randomUUID(),
            );
        },
      );
      if (d % 2 === 1)
        await cluster.api(`/api/v1/directives/${id}/close`, { method: 'POST', json: { reason: 'پایان' } });
      if (d % 10 === 9) say(`seeded ${d + 1}/${directives} directives`);
    }
    const seedMs = Date.now() - seedStart;
    // Visibility must list every unit before the timings mean anything. The first request of this API
    // process reads every unit (no outcome in memory yet): its time is the cold figure.
    let coldMs = NaN;
    for (;;) {
      const t = performance.now();
      const res = await cluster.api(`/api/v1/scoreboard?campaign=${campaign}`);
      if (Number.isNaN(coldMs)) coldMs = performance.now() - t;
      const board = (await res.json()) as { rows: { figures: { received: { count: number } } }[] };
      if (board.rows.length === codes.length && board.rows.every((r) => r.figures.received.count === directives)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    say('seeded and visible; timing');

    const time = async (url: string) => {
      const t = performance.now();
      const res = await cluster.api(url);
      const body = (await res.json()) as { complete?: boolean };
      if (res.status !== 200 || body.complete === false)
        throw new Error(`${url}: ${res.status} complete=${String(body.complete)}`);
      return performance.now() - t;
    };
    const measure = async (urls: string[]): Promise<LatencySummary> => {
      const ms: number[] = [];
      for (const url of urls) ms.push(await time(url));
      return summarizeLatency(ms);
    };
    const pick = () => codes[Math.floor(Math.random() * codes.length)];
    const results = {
      harness: 'farman-bench-hq/1',
      command: `npm run bench:hq -- ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      machine: machineInfo(await ensureTemporalCli()),
      loadAverage: { start: loadAverage() } as { start: number[]; end?: number[] },
      directives,
      units: codes.length,
      unitWorkflows: directives * codes.length,
      closedDirectives: Math.floor(directives / 2),
      seedMs,
      scoreboardCold: summarizeLatency([coldMs]),
      scoreboard: await measure(Array.from({ length: samples }, () => `/api/v1/scoreboard?campaign=${campaign}`)),
      scoreboardAll: await measure(Array.from({ length: Math.min(10, samples) }, () => '/api/v1/scoreboard')),
      record: await measure(
        Array.from({ length: samples }, () => `/api/v1/units/${pick()}/record?campaign=${campaign}`),
      ),
      target: { p95Ms: 500 },
      finishedAt: '',
    };
    results.loadAverage.end = loadAverage();
    results.finishedAt = new Date().toISOString();
    mkdirSync(values.out, { recursive: true });
    const base = path.join(
      values.out,
      `${startedAt.toISOString().replace(/[:.]/g, '-')}-hq-${directives}x${codes.length}`,
    );
    writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
    const row = (name: string, l: LatencySummary) =>
      `| ${name} | ${l.samples} | ${l.p50.toFixed(0)} | ${l.p95.toFixed(0)} | ${l.max.toFixed(0)} |`;
    writeFileSync(
      `${base}.md`,
      [
        `# HQ read side: ${directives} directives × ${codes.length} units (${results.unitWorkflows} unit workflows, ${results.closedDirectives} directives closed)`,
        '',
        `\`${results.command}\`, ${results.startedAt}; seeding took ${(seedMs / 1000).toFixed(0)} s; load average ${results.loadAverage.start.join(' ')} → ${results.loadAverage.end.join(' ')}.`,
        '',
        '| request (one at a time) | samples | p50 ms | p95 ms | max ms |',
        '| --- | --- | --- | --- | --- |',
        row('scoreboard, the first request of the API process (every unit read)', results.scoreboardCold),
        row('scoreboard of the campaign', results.scoreboard),
        row('scoreboard, no filter', results.scoreboardAll),
        row("a unit's record in the campaign", results.record),
        '',
        `Target (issue 20): p95 ≤ ${results.target.p95Ms} ms for both.`,
        '',
      ].join('\n'),
    );
    say(`wrote ${base}.json`);
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
