import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { UnitState } from '../../workflows/unit-state';
import { directiveBody, issueViaApi, uploadAttachment } from '../support/directives';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

const run = promisify(execFile);

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

interface Page {
  items: { id: string; title: string; state: string; status: { total: number } }[];
  nextCursor: string | null;
}
interface Problem {
  errors?: { path: string; message: string }[];
}

const oneUnit = (code: string, overrides: Parameters<typeof directiveBody>[0] = {}) =>
  directiveBody({
    targets: { mode: 'list', codes: [code] },
    reminders: { acknowledge: [], report: [] },
    escalation: [],
    ...overrides,
  });

describe('Listing directives', () => {
  test('When several directives are issued, then paging through them returns each exactly once, newest first, with filters applied', async () => {
    const issued: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { id, status } = await issueViaApi(
        stack,
        oneUnit('THR-TEH-MRK', {
          title: `دستور آزمون فهرست نوبت ${['اول', 'دوم', 'سوم', 'چهارم', 'پنجم'][i]}`,
          priority: i % 2 ? 'urgent' : 'normal',
        }),
      );
      expect(status).toBe(201);
      issued.push(id);
    }
    // Visibility is eventually consistent: wait until the list sees all five.
    await eventually(
      async () => ((await json<Page>(stack.api('/api/v1/directives?limit=100'))).items.length >= 5 ? true : undefined),
      20_000,
      'visibility',
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await json(stack.api(`/api/v1/directives?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...issued].sort().reverse());
    expect(pages).toBe(3);

    const urgent = await json<Page>(stack.api('/api/v1/directives?priority=urgent'));
    expect(urgent.items.map((d) => d.id).sort()).toEqual([issued[1], issued[3]]);
    const text = await json<Page>(stack.api(`/api/v1/directives?text=${encodeURIComponent('نوبت چهارم')}`));
    expect(text.items.map((d) => d.id)).toEqual([issued[3]]);
    const byId = await json<Page>(stack.api(`/api/v1/directives?text=${issued[2]}`));
    expect(byId.items.map((d) => d.id)).toEqual([issued[2]]);
    const today = await json<Page>(
      stack.api(
        `/api/v1/directives?issuedFrom=${encodeURIComponent(inSeconds(-600))}&issuedTo=${encodeURIComponent(inSeconds(600))}&limit=100`,
      ),
    );
    expect(today.items).toHaveLength(5);
    const future = await json<Page>(stack.api(`/api/v1/directives?issuedFrom=${encodeURIComponent(inSeconds(600))}`));
    expect(future.items).toHaveLength(0);
    expect(urgent.items[0].status.total).toBe(1);

    const bad = await stack.api('/api/v1/directives?limit=0&state=sleeping&issuedFrom=yesterday');
    expect(bad.status).toBe(400);
    expect((await json<Problem>(bad)).errors!.map((e) => e.path).sort()).toEqual(['issuedFrom', 'limit', 'state.0']);

    for (const id of issued)
      await stack.api(`/api/v1/directives/${id}/cancel`, { method: 'POST', json: { reason: 'پایان آزمون' } });
    await eventually(
      async () =>
        (await json<Page>(stack.api('/api/v1/directives?state=cancelled&limit=100'))).items.length >= 5
          ? true
          : undefined,
      20_000,
      'cancelled in visibility',
    );
  });
});

describe('Acting on a directive', () => {
  test('When the office reminds, exempts and extends units, then each action is attributed to the user with the request metadata, and a retried action is recorded once', async () => {
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: ['THR-TEH-MRK', 'THR-TEH-KAN', 'THR-TEH-AFT'] },
        reminders: { acknowledge: [], report: [] },
        escalation: [],
      }),
    );
    const remind = () =>
      stack.api(`/api/v1/directives/${id}/units/THR-TEH-MRK/remind`, {
        method: 'POST',
        json: { note: 'لطفاً پاسخ دهید' },
        headers: { 'idempotency-key': 'remind-once-0001' },
      });
    const first = await json<{ seq: number }>(remind());
    const again = await json<{ seq: number }>(remind());
    expect(again.seq).toBe(first.seq);

    const timeline = await json<UnitState & { name: string }>(
      stack.api(`/api/v1/directives/${id}/units/THR-TEH-MRK`, { as: 'auditor' }),
    );
    const reminded = timeline.log.filter((t) => t.event.type === 'remindRequested');
    expect(reminded).toHaveLength(1);
    expect(reminded[0].by).toEqual({
      kind: 'office',
      id: stack.accounts.office.user.id,
      name: stack.accounts.office.user.name,
      title: 'office',
    });
    expect(reminded[0].meta).toMatchObject({ submissionId: 'remind-once-0001', ip: expect.any(String) });
    expect(timeline.name).toBeTruthy();

    const exempt = await stack.api(`/api/v1/directives/${id}/units/THR-TEH-KAN/exempt`, {
      method: 'POST',
      json: { reason: 'واحد منحل شده است' },
    });
    expect(exempt.status).toBe(200);
    const exemptAgain = await stack.api(`/api/v1/directives/${id}/units/THR-TEH-KAN/exempt`, {
      method: 'POST',
      json: { reason: 'دوباره' },
    });
    expect(exemptAgain.status).toBe(409);

    const newReportBy = inSeconds(3600);
    const extended = await json<{ done: string[]; skipped: unknown[] }>(
      stack.api(`/api/v1/directives/${id}/extend`, {
        method: 'POST',
        json: { reportBy: newReportBy, reason: 'تمدید عمومی' },
      }),
    );
    expect(extended.done).toEqual(['THR-TEH-AFT', 'THR-TEH-MRK']);
    const afterExtend = await json<UnitState>(stack.api(`/api/v1/directives/${id}/units/THR-TEH-AFT`));
    expect(afterExtend.policy.reportBy).toBe(new Date(newReportBy).toISOString());

    const detail = await json<{
      status: { counts: Record<string, number> };
      units: { unitCode: string; state: string }[];
    }>(stack.api(`/api/v1/directives/${id}`, { as: 'auditor' }));
    expect(detail.status.counts.exempted).toBe(1);

    const cancelled = await stack.api(`/api/v1/directives/${id}/cancel`, {
      method: 'POST',
      json: { reason: 'پایان آزمون' },
    });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');
  });

  test('When an action body is invalid, then 400 problem+json names each bad field and nothing is recorded', async () => {
    const { id } = await issueViaApi(stack, oneUnit('THR-TEH-AFT'));
    const cases: [string, unknown, string[]][] = [
      [`/directives/${id}/cancel`, {}, ['reason']],
      [`/directives/${id}/units/THR-TEH-AFT/extend`, { reason: 'بدون تاریخ' }, ['reportBy']],
      [`/directives/${id}/units/THR-TEH-AFT/extend`, { reportBy: '2026-13-01T00:00:00Z', reason: 'x' }, ['reportBy']],
      [`/directives/${id}/units/THR-TEH-AFT/return`, { reason: '', extra: 1 }, ['(body)', 'reason']],
      [`/directives/${id}/units/THR-TEH-AFT/extension-requests/x1/decision`, { approved: 'yes' }, ['approved']],
      [`/directives/${id}/units/THR-TEH-AFT/remind`, { submissionId: 'short' }, ['submissionId']],
    ];
    for (const [urlPath, body, paths] of cases) {
      const res = await stack.api(`/api/v1${urlPath}`, { method: 'POST', json: body });
      expect({ urlPath, status: res.status }).toEqual({ urlPath, status: 400 });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await json<Problem>(res)).errors!.map((e) => e.path).sort()).toEqual(paths);
    }
    const unit = await json<UnitState>(stack.api(`/api/v1/directives/${id}/units/THR-TEH-AFT`));
    expect(unit.log.map((t) => t.event.type).filter((t) => !['issued', 'mailRecorded'].includes(t))).toEqual([]);
    expect((await stack.api(`/api/v1/directives/${id}/units/NOPE-NOPE`)).status).toBe(404);
    expect((await stack.api('/api/v1/directives/not-an-id')).status).toBe(404);
    await stack.api(`/api/v1/directives/${id}/cancel`, { method: 'POST', json: { reason: 'پایان آزمون' } });
  });
});

describe('Attachments', () => {
  test('When a directive carries an attachment, then office and auditor staff download it by hash with its name; other stored hashes are not served', async () => {
    const bytes = Buffer.from('%PDF-1.4 test attachment');
    const ref = await uploadAttachment(stack, bytes, 'دستورالعمل ضمیمه.pdf');
    const { sha256 } = ref;
    const { id } = await issueViaApi(stack, oneUnit('THR-TEH-MRK', { attachments: [ref] }));

    for (const as of ['office', 'auditor'] as const) {
      const res = await stack.api(`/api/v1/files/${sha256}?directive=${id}`, { as });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('دستورالعمل ضمیمه.pdf');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    }
    // The directive's own stored document is in the same store, but it is no attachment.
    const { spec } = await stack.gateway.directiveDocument(id);
    expect(await stack.files.has(spec.specRef)).toBe(true);
    expect((await stack.api(`/api/v1/files/${spec.specRef}?directive=${id}`)).status).toBe(404);
    expect((await stack.api(`/api/v1/files/${sha256}?directive=${id}&unit=THR-TEH-MRK`)).status).toBe(404);
    expect((await stack.api(`/api/v1/files/${sha256}`)).status).toBe(400);
    expect((await stack.api(`/api/v1/files/${sha256}?directive=${id}`, { as: null })).status).toBe(401);
    await stack.api(`/api/v1/directives/${id}/cancel`, { method: 'POST', json: { reason: 'پایان آزمون' } });
  });
});

describe('The farman CLI', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '../../scripts/farman.ts'), ...args], {
      cwd: path.join(__dirname, '../..'),
      env: {
        ...process.env,
        FARMAN_URL: stack.baseUrl,
        FARMAN_TOKEN: stack.officeToken,
        DATA_DIR: stack.dataDir,
        ...env,
      },
    });

  test('When office staff issue a directive from a YAML file with the CLI, then it is listed and its status shows its units', async () => {
    const file = path.join(stack.dataDir, 'directive.yaml');
    writeFileSync(
      file,
      [
        'title: گزارش آمادگی شعب اخذ رأی',
        'body: آمادگی شعب را گزارش کنید.',
        'priority: immediate',
        'targets: { mode: list, codes: [THR-TEH-MRK, THR-TEH-KAN] }',
        `acknowledgeBy: "${inSeconds(3600)}"`,
        `reportBy: "${inSeconds(7200)}"`,
        'escalation: []',
      ].join('\n'),
    );
    const issued = await cli(['issue', file, '--json']);
    const { id, units, created } = JSON.parse(issued.stdout) as { id: string; units: number; created: boolean };
    expect({ units, created }).toEqual({ units: 2, created: true });

    const listed = await eventually(
      async () => {
        const out = JSON.parse((await cli(['list', '--priority', 'immediate', '--json'])).stdout) as { id: string }[];
        return out.some((d) => d.id === id) ? out : undefined;
      },
      20_000,
      'the CLI to list the directive',
    );
    expect(listed.map((d) => d.id)).toContain(id);

    const status = await cli(['status', id]);
    expect(status.stdout).toContain('THR-TEH-MRK');
    expect(status.stdout).toContain('گزارش آمادگی شعب اخذ رأی');

    const reminded = await cli(['remind', id, '--json']);
    expect(JSON.parse(reminded.stdout)).toEqual({ done: ['THR-TEH-MRK', 'THR-TEH-KAN'], skipped: [] });
    expect(reminded.stderr).toContain('reminded 2/2');

    const cancelled = await cli(['cancel', id, '--reason', 'پایان آزمون']);
    expect(cancelled.stdout).toContain('cancelled');
  });

  test('When the CLI creates an account and a token against DATA_DIR, then the running API accepts the token at once', async () => {
    await cli([
      'users',
      'add',
      '--username',
      'cli.user',
      '--name',
      'کاربر خط فرمان',
      '--role',
      'auditor',
      '--no-password',
    ]);
    const { stdout } = await cli(['token', 'create', '--username', 'cli.user', '--name', 'script', '--json']);
    const { token } = JSON.parse(stdout) as { token: string };
    const res = await fetch(`${stack.baseUrl}/api/v1/directives`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const refused = await cli(['issue', path.join(stack.dataDir, 'directive.yaml')], { FARMAN_TOKEN: token }).catch(
      (err: { stderr: string; code: number }) => err,
    );
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('403') });
  });
});
