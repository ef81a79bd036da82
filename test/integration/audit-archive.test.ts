import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { amendDirective, cancelDirective } from '../../api/directives/amend-directive';
import { HistoryArchive, type HistoryEntry } from '../../audit/archive';
import { archivedDirective, exportToArchive } from '../../audit/history-source';
import { replayHistories } from '../../audit/replay';
import { unitStateAt } from '../../audit/state-at';
import { buildTimeline, type TimelineEntry } from '../../audit/timeline';
import { runAudit } from '../../scripts/audit';
import { findTemporalCli } from '../../worker/temporal-server';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  directiveWorkflowId,
  extendDeadlineUpdate,
  submitReportUpdate,
  unitWorkflowId,
} from '../../workflows/contract';
import type { UnitState } from '../../workflows/unit-state';
import { directiveBody, issueViaApi, officeActor, unitActor } from '../support/directives';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ archiver: true });
});
afterAll(async () => {
  await stack?.stop();
});

/** Runs `farman-audit` in-process against the stack's archive; returns the exit code and what it printed. */
async function audit(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const args = argv.includes('--archive') ? argv : [...argv, '--archive', stack.archive.dir];
  const code = await runAudit(
    args,
    { out: (t) => (out += t), err: new PassThrough() },
    {
      TEMPORAL_ADDRESS: process.env.FARMAN_TEST_TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: process.env.FARMAN_TEST_TEMPORAL_NAMESPACE,
    },
  );
  return { code, out };
}

/** Waits until the archiver has archived every workflow of the directive as closed. */
async function archivedClosed(id: string, workflows: number): Promise<HistoryEntry[]> {
  return eventually(
    async () => {
      const entries = (await stack.archive.entries()).filter(
        (e): e is HistoryEntry =>
          e.kind === 'history' && e.workflowId.startsWith(directiveWorkflowId(id)) && e.status !== 'Running',
      );
      return entries.length === workflows ? entries : undefined;
    },
    30_000,
    `the archive to hold ${workflows} closed workflows of ${id}`,
  );
}

/** A compact form of a timeline entry for comparing sequences: kind, unit and the message's purpose. */
const step = (e: TimelineEntry) =>
  `${e.kind}${e.unit ? ` ${e.unit}` : ''}${e.details.purpose ? ` ${e.details.purpose}` : ''}`;

const silentButLate = 'THR-SHM-MRK';

describe('A directive run through a reminder, an escalation, an extension and a report, then archived', () => {
  let id: string;
  let unitState: () => Promise<UnitState>;
  /** Live states recorded during the run, each with the instants just before and after the query. */
  const snapshots: { name: string; before: number; live: UnitState; after: number }[] = [];
  const snapshot = async (name: string) => {
    const before = Date.now();
    const live = await unitState();
    snapshots.push({ name, before, live, after: Date.now() });
  };
  const waitFor = (what: string, ok: (s: UnitState) => boolean) =>
    eventually(
      async () => {
        const s = await unitState();
        return ok(s) ? s : undefined;
      },
      30_000,
      what,
    );
  let entries: HistoryEntry[];

  beforeAll(async () => {
    ({ id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: [silentButLate] },
        acknowledgeBy: inSeconds(4),
        reportBy: inSeconds(60),
        reminders: { acknowledge: [2], report: [] },
        escalation: [{ after: 1, notify: 'deputy' }],
      }),
    ));
    unitState = () => stack.gateway.unitState(id, silentButLate);
    await waitFor('the notice to be recorded', (s) => s.mailSent === 1);
    await snapshot('notified');
    await waitFor('the escalation e-mail to be recorded', (s) => s.escalationLevel === 1 && s.mailSent === 3);
    await snapshot('escalated');
    await stack.gateway.unitUpdate(
      id,
      silentButLate,
      extendDeadlineUpdate,
      { acknowledgeBy: inSeconds(30), reason: 'عذر موجه بخشدار', by: officeActor },
      `audit-extend-${id}`,
    );
    await waitFor('the extension e-mail to be recorded', (s) => s.mailSent === 4);
    await snapshot('extended');
    await stack.gateway.unitUpdate(
      id,
      silentButLate,
      acknowledgeUpdate,
      {
        name: 'رضا احمدی',
        position: 'بخشدار',
        by: unitActor(silentButLate),
        meta: { submissionId: `audit-ack-${id}` },
      },
      `audit-ack-${id}`,
    );
    await snapshot('acknowledged');
    await stack.gateway.unitUpdate(
      id,
      silentButLate,
      submitReportUpdate,
      {
        name: 'رضا احمدی',
        position: 'بخشدار',
        values: { stations: 14, inspected: true },
        by: unitActor(silentButLate),
        meta: { submissionId: `audit-rep-${id}` },
      },
      `audit-rep-${id}`,
    );
    await snapshot('reported');
    await stack.gateway.unitUpdate(id, silentButLate, acceptReportUpdate, { by: officeActor }, `audit-accept-${id}`);
    await stack.client.workflow.getHandle(directiveWorkflowId(id)).result();
    entries = await archivedClosed(id, 2);
  });

  test('then the archive holds the closed directive and unit histories, stamped with the build whose bundle it also holds', async () => {
    const bundles = (await stack.archive.entries()).filter((e) => e.kind === 'bundle');
    expect(bundles).toHaveLength(1);
    const buildId = bundles[0].kind === 'bundle' ? bundles[0].buildId : '';
    expect(entries.map((e) => [e.workflowId, e.workflowType, e.status, e.namespace]).sort()).toEqual([
      [directiveWorkflowId(id), 'directiveWorkflow', 'Completed', process.env.FARMAN_TEST_TEMPORAL_NAMESPACE],
      [unitWorkflowId(id, silentButLate), 'unitWorkflow', 'Completed', process.env.FARMAN_TEST_TEMPORAL_NAMESPACE],
    ]);
    for (const e of entries) expect(e.buildIds).toEqual([buildId]);
    expect(await stack.archive.bundleCode(buildId)).toBe(
      readFileSync(process.env.FARMAN_TEST_WORKFLOW_BUNDLE!, 'utf8'),
    );
    // Archiving is idempotent: another pass finds the same runs and adds nothing.
    const before = (await stack.archive.entries()).length;
    await stack.archiver.runOnce();
    expect(await stack.archive.entries()).toHaveLength(before);
    expect(await audit('verify')).toEqual({ code: 0, out: '' });
  });

  test('then the timeline read from the archived histories is the scripted sequence, with Message-IDs, recipients and who acted', async () => {
    const { code, out } = await audit('timeline', id, '--format', 'json');
    expect(code).toBe(0);
    const timeline = JSON.parse(out) as TimelineEntry[];
    // Transitions come in the scripted order; each e-mail is recorded after its cause, but an e-mail runs
    // beside the timeline, so a slow relay may record it after the next timer event (seen under load).
    const steps = timeline.map(step);
    expect(steps.filter((s) => !s.startsWith('mail-sent'))).toEqual([
      'directive-issued',
      `unit-issued ${silentButLate}`,
      `reminder-due ${silentButLate}`,
      `deadline-missed ${silentButLate}`,
      `escalation ${silentButLate}`,
      `deadline-extended ${silentButLate}`,
      `acknowledged ${silentButLate}`,
      `report-submitted ${silentButLate}`,
      `report-accepted ${silentButLate}`,
      'directive-completed',
    ]);
    const mailSteps = steps.filter((s) => s.startsWith('mail-sent'));
    expect(mailSteps).toEqual([
      `mail-sent ${silentButLate} notice`,
      `mail-sent ${silentButLate} reminder-1`,
      `mail-sent ${silentButLate} escalation-1-1`,
      expect.stringMatching(new RegExp(`^mail-sent ${silentButLate} deadline-extended-\\d+$`)),
      `mail-sent ${silentButLate} report-accepted`,
    ]);
    const after = (mail: string, cause: string) => expect(steps.indexOf(mail)).toBeGreaterThan(steps.indexOf(cause));
    after(`mail-sent ${silentButLate} notice`, `unit-issued ${silentButLate}`);
    after(`mail-sent ${silentButLate} reminder-1`, `reminder-due ${silentButLate}`);
    after(`mail-sent ${silentButLate} escalation-1-1`, `escalation ${silentButLate}`);
    after(`mail-sent ${silentButLate} report-accepted`, `report-accepted ${silentButLate}`);
    const unit = stack.registry.get(silentButLate)!;
    const byKind = (kind: string) => timeline.find((e) => e.kind === kind)!;
    expect(byKind('directive-issued').actor).toBe(
      `office:${stack.accounts.office.user.id} (${stack.accounts.office.user.name})`,
    );
    expect(byKind('escalation').details).toMatchObject({
      level: 1,
      notify: 'deputy',
      recipients: `${unit.escalation.deputy.name} <${unit.escalation.deputy.email}>`,
    });
    expect(byKind('acknowledged')).toMatchObject({
      actor: `unit:${silentButLate}`,
      details: { name: 'رضا احمدی', position: 'بخشدار', submissionId: `audit-ack-${id}` },
    });
    expect(byKind('report-submitted').details).toMatchObject({ submissionId: `audit-rep-${id}` });
    expect(byKind('deadline-extended').actor).toBe('office:tester (کارشناس آزمون)');
    // Every Message-ID in the timeline is one the mail relay really received, for the recipient it names.
    const mails = timeline.filter((e) => e.kind === 'mail-sent');
    const received = stack.sink.withHeader('x-farman-unit', silentButLate);
    expect(mails.map((m) => m.details.messageId).sort()).toEqual(received.map((m) => m.messageId).sort());
    expect(mails.find((m) => m.details.purpose === 'escalation-1-1')!.details.recipient).toBe(
      `${unit.escalation.deputy.name} <${unit.escalation.deputy.email}>`,
    );
    for (const e of timeline)
      expect(e.jalali).toMatch(/^[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} ساعت [۰-۹]{2}:[۰-۹]{2}:[۰-۹]{2}$/);
    // The unit filter keeps the directive's own entries and that unit's.
    const table = await audit('timeline', id, '--unit', 'THR-NONE');
    expect(
      table.out
        .trim()
        .split('\n')
        .slice(2)
        .map((l) => l.includes('directive-')),
    ).toEqual([true, true]);
  });

  test('then the state rebuilt from the archived history at each recorded instant equals the live state then, and shows the unit overdue when the escalation went out', async () => {
    const [unit] = (await archivedDirective(stack.archive, id)).filter(
      (h) => h.workflowId === unitWorkflowId(id, silentButLate),
    );
    expect(snapshots.map((s) => s.name)).toEqual(['notified', 'escalated', 'extended', 'acknowledged', 'reported']);
    for (const s of snapshots) {
      expect({ name: s.name, state: unitStateAt(unit.workflowId, unit.history, s.after) }).toEqual({
        name: s.name,
        state: s.live,
      });
    }
    const timeline = buildTimeline([unit]);
    const escalationMail = timeline.find((e) => e.details.purpose === 'escalation-1-1')!;
    const then = await audit('state', unit.workflowId, '--at', escalationMail.at, '--format', 'json');
    expect(JSON.parse(then.out)).toMatchObject({ overdue: 'acknowledge', escalationLevel: 1, state: 'notified' });
    const afterExtension = unitStateAt(
      unit.workflowId,
      unit.history,
      Date.parse(timeline.find((e) => e.kind === 'deadline-extended')!.at),
    );
    expect(afterExtension).toMatchObject({ overdue: null, escalationLevel: 0 });
  });

  test('then every archived history replays deterministically with the archived bundle, and a changed unit workflow fails with DeterminismViolationError', async () => {
    const ok = await audit('replay', id, '--format', 'json');
    expect(ok.code).toBe(0);
    expect(
      (JSON.parse(ok.out) as { workflowId: string; deterministic: string }[])
        .map((r) => [r.workflowId, r.deterministic])
        .sort(),
    ).toEqual([
      [directiveWorkflowId(id), 'yes'],
      [unitWorkflowId(id, silentButLate), 'yes'],
    ]);
    const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
    const changed = await bundleWorkflowCode({
      workflowsPath: require.resolve(path.join(__dirname, '..', 'fixtures', 'changed-workflows')),
      logger: quiet,
    });
    const targets = (await archivedDirective(stack.archive, id)).map((h) => ({ ...h, source: h.entry.file }));
    const outcomes = await replayHistories(targets, async () => changed.code);
    expect(outcomes.map((o) => [o.workflowId, o.deterministic, o.errorName]).sort()).toEqual([
      [directiveWorkflowId(id), true, null],
      [unitWorkflowId(id, silentButLate), false, 'DeterminismViolationError'],
    ]);
    const bundleFile = path.join(mkdtempSync(path.join(tmpdir(), 'farman-bundle-')), 'changed.js');
    writeFileSync(bundleFile, changed.code);
    expect((await audit('replay', unitWorkflowId(id, silentButLate), '--bundle', bundleFile)).code).toBe(1);
    // Replay in processes is asked with --jobs; a count that is not one is refused before anything runs.
    expect((await audit('replay', id, '--jobs', '2', '--format', 'json')).code).toBe(0);
    for (const jobs of ['0', 'two', '1.5'])
      expect([jobs, (await audit('replay', id, '--jobs', jobs)).code]).toEqual([jobs, 2]);
  });

  test('When one byte of an archived history changes, or a manifest entry is removed or moved, then audit verify exits 1 naming the position', async () => {
    const copy = (name: string) => {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), `farman-tamper-${name}-`)), 'archive');
      cpSync(stack.archive.dir, dir, { recursive: true });
      return new HistoryArchive(dir);
    };
    const unitEntry = entries.find((e) => e.workflowType === 'unitWorkflow')!;

    const flipped = copy('byte');
    const file = flipped.resolve(unitEntry.file);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(file, bytes);
    const byte = await audit('verify', '--archive', flipped.dir, '--format', 'csv');
    expect(byte.code).toBe(1);
    expect(byte.out).toContain(`${unitEntry.seq},file-modified,${unitEntry.file}`);

    const lines = readFileSync(stack.archive.manifestPath, 'utf8').trimEnd().split('\n');
    const removed = copy('removed');
    writeFileSync(removed.manifestPath, `${lines.filter((_, i) => i !== 1).join('\n')}\n`);
    const removal = JSON.parse((await audit('verify', '--archive', removed.dir, '--format', 'json')).out) as {
      ok: boolean;
      problems: { position: number; kind: string }[];
    };
    expect(removal.ok).toBe(false);
    expect(removal.problems).toContainEqual(expect.objectContaining({ position: 2, kind: 'broken-link' }));

    const moved = copy('moved');
    writeFileSync(moved.manifestPath, `${[lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n')}\n`);
    const reorder = await audit('verify', '--archive', moved.dir);
    expect(reorder.code).toBe(1);
    expect(reorder.out).toMatch(/^2\s+out-of-order/m);
  });

  test('When the real temporal CLI exports a unit history, then replay and timeline accept the file', async () => {
    const cli = findTemporalCli();
    expect(cli).not.toBeNull();
    const workflowId = unitWorkflowId(id, silentButLate);
    const shown = spawnSync(
      cli!,
      [
        'workflow',
        'show',
        '-w',
        workflowId,
        '--output',
        'json',
        '--address',
        process.env.FARMAN_TEST_TEMPORAL_ADDRESS!,
        '--namespace',
        process.env.FARMAN_TEST_TEMPORAL_NAMESPACE!,
      ],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(shown.status).toBe(0);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'farman-cli-')), 'unit.json');
    writeFileSync(file, shown.stdout);
    const replay = await audit('replay', file, '--format', 'json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out)).toEqual([expect.objectContaining({ workflowId, deterministic: 'yes' })]);
    const fromCli = JSON.parse((await audit('timeline', file, '--format', 'json')).out) as TimelineEntry[];
    const fromArchive = buildTimeline(
      (await archivedDirective(stack.archive, id)).filter((h) => h.workflowId === workflowId),
    );
    expect(fromCli).toEqual(fromArchive);
  });
});

describe('A directive amended and then cancelled', () => {
  test('When a directive is amended and cancelled, then its timeline shows both with who decided, and a running unit can be exported on demand first', async () => {
    const code = 'THR-REY-KHR';
    const original = directiveBody({ targets: { mode: 'list', codes: [code] } });
    const { id } = await issueViaApi(stack, original);
    const state = () => stack.gateway.unitState(id, code);
    await eventually(async () => ((await state()).mailSent === 1 ? true : undefined), 20_000, 'the notice');

    // On demand, a running unit is archived as a snapshot up to its last event; the same snapshot is not archived twice.
    const snapshot = await exportToArchive(stack.client, stack.archive, unitWorkflowId(id, code));
    expect(snapshot).toMatchObject({ status: 'Running', workflowId: unitWorkflowId(id, code) });
    expect(snapshot!.file).toMatch(/@\d+\.json$/);
    expect(await exportToArchive(stack.client, stack.archive, unitWorkflowId(id, code))).toBeNull();

    const { targets: _targets, ...fields } = original;
    await amendDirective(stack, id, { ...fields, title: 'تعیین محل صندوق‌ها (اصلاحیه)' }, officeActor, {
      requestId: 'audit-amend',
    });
    await eventually(async () => ((await state()).mailSent === 2 ? true : undefined), 20_000, 'the amendment e-mail');
    await cancelDirective(stack, id, 'برگزاری انتخابات به تعویق افتاد', officeActor, {});
    await stack.client.workflow.getHandle(directiveWorkflowId(id)).result();
    await archivedClosed(id, 2);

    const timeline = JSON.parse((await audit('timeline', id, '--format', 'json')).out) as TimelineEntry[];
    expect(timeline.map(step)).toEqual([
      'directive-issued',
      `unit-issued ${code}`,
      `mail-sent ${code} notice`,
      'directive-amended',
      `amended ${code}`,
      `mail-sent ${code} amendment-v2`,
      'directive-cancelled',
      `cancelled ${code}`,
      `mail-sent ${code} cancellation`,
      'directive-completed',
    ]);
    expect(timeline.find((e) => e.kind === 'directive-amended')).toMatchObject({
      actor: 'office:tester (کارشناس آزمون)',
      details: { version: 2, changes: 'title', requestId: 'audit-amend' },
    });
    expect(timeline.find((e) => e.kind === 'directive-cancelled')!.details.reason).toBe(
      'برگزاری انتخابات به تعویق افتاد',
    );
    // The closed run supersedes the running snapshot; the live server gives the same timeline as the archive.
    const live = JSON.parse((await audit('timeline', id, '--live', '--format', 'json')).out) as TimelineEntry[];
    expect(live).toEqual(timeline);
  });
});
