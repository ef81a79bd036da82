import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HistoryArchive } from '../../audit/archive';
import type { JsonHistory } from '../../audit/history-json';
import { entryHash, type ManifestEntry } from '../../audit/manifest';
import { verifyArchive } from '../../audit/verify-archive';

/** A small closed history as the server writes it: start, one workflow task by `build`, completion. */
function history(workflowId: string, build = 'b'.repeat(64)): JsonHistory {
  const at = (s: number) => `2026-11-28T10:00:0${s}.123456789Z`;
  return {
    events: [
      {
        eventId: '1',
        eventTime: at(0),
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        workflowExecutionStartedEventAttributes: { workflowType: { name: 'unitWorkflow' }, workflowId },
      },
      {
        eventId: '2',
        eventTime: at(1),
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        workflowTaskCompletedEventAttributes: { workerVersion: { buildId: build } },
      },
      {
        eventId: '3',
        eventTime: at(2),
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
        workflowExecutionCompletedEventAttributes: {},
      },
    ],
  };
}

let dir: string;
let archive: HistoryArchive;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'farman-archive-'));
  archive = new HistoryArchive(dir);
  await archive.addBundle('// workflow code');
  for (const code of ['A', 'B', 'C'])
    await archive.addHistory(history(`directive:1405-000001/unit:${code}`), {
      workflowId: `directive:1405-000001/unit:${code}`,
      runId: `run-${code}`,
      namespace: 'default',
    });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const manifestLines = () => readFileSync(archive.manifestPath, 'utf8').trimEnd().split('\n');
const writeLines = (lines: string[]) => writeFileSync(archive.manifestPath, `${lines.join('\n')}\n`);

test('When runs are archived, then each entry records the run, its build and its hash, and archiving a run again adds nothing', async () => {
  const entries = await archive.entries();
  expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  expect(entries[1]).toMatchObject({
    kind: 'history',
    workflowId: 'directive:1405-000001/unit:A',
    runId: 'run-A',
    namespace: 'default',
    status: 'Completed',
    events: 3,
    buildIds: ['b'.repeat(64)],
  });
  expect(entries[1].prevHash).toBe(entries[0].hash);
  const again = await archive.addHistory(history('directive:1405-000001/unit:A'), {
    workflowId: 'directive:1405-000001/unit:A',
    runId: 'run-A',
    namespace: 'default',
  });
  expect(again).toBeNull();
  expect(await archive.addBundle('// workflow code')).toBe(entries[0].kind === 'bundle' ? entries[0].buildId : '');
  expect(await archive.entries()).toHaveLength(4);
  expect((await verifyArchive(archive)).ok).toBe(true);
});

test('When one byte of an archived history changes, then verify reports the file as modified at its position', async () => {
  const file = archive.resolve(HistoryArchive.historyFile('directive:1405-000001/unit:B', 'run-B'));
  const bytes = readFileSync(file);
  bytes[bytes.indexOf('unitWorkflow')] = 'D'.charCodeAt(0);
  writeFileSync(file, bytes);
  const report = await verifyArchive(archive);
  expect(report.ok).toBe(false);
  expect(report.problems).toEqual([expect.objectContaining({ position: 3, kind: 'file-modified' })]);
  await expect(archive.readHistory((await archive.historiesOf('directive:1405-000001/unit:B'))[0])).rejects.toThrow(
    'does not match its recorded SHA-256',
  );
});

test('When a manifest entry is removed, then verify reports the break at the position where it was', async () => {
  const lines = manifestLines();
  writeLines([lines[0], lines[1], lines[3]]);
  const report = await verifyArchive(archive);
  expect(report.ok).toBe(false);
  expect(report.problems.filter((p) => p.position !== null).map((p) => [p.position, p.kind])).toEqual([
    [3, 'out-of-order'],
    [3, 'broken-link'],
  ]);
  expect(report.problems).toContainEqual(
    expect.objectContaining({
      position: null,
      kind: 'unlisted-file',
      file: HistoryArchive.historyFile('directive:1405-000001/unit:B', 'run-B'),
    }),
  );
});

test('When two manifest entries swap places, then verify reports both positions', async () => {
  const lines = manifestLines();
  writeLines([lines[0], lines[2], lines[1], lines[3]]);
  const report = await verifyArchive(archive);
  expect([...new Set(report.problems.map((p) => p.position))]).toEqual([2, 3, 4]);
  expect(report.problems.filter((p) => p.position === 2).map((p) => p.kind)).toEqual(['out-of-order', 'broken-link']);
});

test('When an entry is edited, then verify reports it; and when its hash is recomputed too, the next entry shows the break', async () => {
  const lines = manifestLines();
  writeLines([lines[0], lines[1].replace('run-A', 'run-X'), lines[2], lines[3]]);
  expect((await verifyArchive(archive)).problems).toContainEqual(
    expect.objectContaining({ position: 2, kind: 'entry-modified' }),
  );
  const forged = { ...(JSON.parse(lines[1]) as ManifestEntry), runId: 'run-X' } as ManifestEntry;
  forged.hash = entryHash(forged);
  writeLines([lines[0], JSON.stringify(forged), lines[2], lines[3]]);
  expect((await verifyArchive(archive)).problems.map((p) => [p.position, p.kind])).toEqual([[3, 'broken-link']]);
});

test('When the last manifest entry is cut off, then verify still reports the file no entry names', async () => {
  writeLines(manifestLines().slice(0, 3));
  const report = await verifyArchive(archive);
  expect(report.problems).toEqual([expect.objectContaining({ position: null, kind: 'unlisted-file' })]);
});

test('When a crash left a history file without its manifest line and a torn line, then reconcile adopts the file and drops the torn line', async () => {
  const lines = manifestLines();
  writeLines(lines.slice(0, 3));
  appendFileSync(archive.manifestPath, lines[3].slice(0, 40));
  writeFileSync(
    `${archive.resolve(HistoryArchive.historyFile('directive:1405-000001/unit:C', 'run-C'))}.123.tmp`,
    'partial',
  );
  const repaired = await archive.reconcile('default');
  expect(repaired).toEqual({
    tornLineDropped: true,
    adopted: [HistoryArchive.historyFile('directive:1405-000001/unit:C', 'run-C')],
    temporaryRemoved: 1,
  });
  const report = await verifyArchive(archive);
  expect(report).toMatchObject({ ok: true, entries: 4 });
  expect((await archive.reconcile('default')).adopted).toEqual([]);
});
