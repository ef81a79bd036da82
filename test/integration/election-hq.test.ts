import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { pdfRenderer } from '../../api/exports/pdf-renderer';
import { readHistoryFacts } from '../../audit/history-facts';
import { historyToJson } from '../../audit/history-json';
import {
  acceptReportUpdate,
  acknowledgeUpdate,
  returnReportUpdate,
  submitReportUpdate,
  unitWorkflowId,
} from '../../workflows/contract';
import type { Transition, UnitEvent } from '../../workflows/unit-state';
import { directiveBody, issueViaApi, officeActor, unitActor } from '../support/directives';
import { linkFrom, mailsFor } from '../../reliability/harness/unit-links';
import { eventually, inSeconds, startStack, type TestStack } from '../support/stack';

/**
 * The election HQ's story: a campaign of three directives to five units, each unit behaving as units do
 * (on time, late, silent, returned for correction), then the HQ asks for each unit's record and the
 * scoreboard, and checks both against its own count of what the unit workflows recorded.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await pdfRenderer.close();
  await stack?.stop();
});

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  if (r.status >= 400) throw new Error(`${r.url} answered ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
}

const onTime = 'THR-TEH-MRK';
const agency = 'THR-TEH-AG-EDU';
const late = 'THR-TEH-KAN';
const silent = 'THR-REY-FSH';
const returned = 'THR-REY-KHR';
const units = [onTime, agency, late, silent, returned];

interface Figure {
  count: number;
  directives: string[];
}
interface RecordAnswer {
  unitCode: string;
  complete: boolean;
  unreadable: unknown[];
  figures: Record<string, Figure>;
  onTimePercent: number | null;
  highestEscalation: { level: number; directives: string[] };
  timeToAcknowledge: { medianMs: number | null; worstMs: number | null };
  open: { directiveId: string; due: { deadline: string } | null }[];
}
interface ScoreboardAnswer {
  complete: boolean;
  rows: {
    code: string;
    rank: number;
    worst: boolean;
    county: string;
    kind: string;
    onTimePercent: number | null;
    figures: Record<string, Figure>;
  }[];
  counties: { county: string; units: number; figures: Record<string, number> }[];
}

const reply = { name: 'علی رضایی', position: 'بخشدار' };
const values = { stations: 12, inspected: true };
const update = (
  id: string,
  code: string,
  def: Parameters<TestStack['gateway']['unitUpdate']>[2],
  args: Record<string, unknown>,
) =>
  stack.gateway.unitUpdate(
    id,
    code,
    def,
    { by: code === 'office' ? officeActor : unitActor(code), ...args },
    randomUUID(),
  );

/**
 * The test's own count, independent of the code under test: straight from each unit workflow's history
 * (its recorded transitions), with the definitions the HQ agreed on: on time means the first fulfilment came
 * at or before the deadline as issued (this story extends no deadline).
 */
async function independentCount(code: string, directiveIds: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {
    received: [],
    acknowledgedOnTime: [],
    acknowledgedLate: [],
    neverAcknowledged: [],
    reportedOnTime: [],
    reportedLate: [],
    reportMissing: [],
    returned: [],
    escalated: [],
    openNow: [],
  };
  for (const id of directiveIds) {
    const history = historyToJson(await stack.client.workflow.getHandle(unitWorkflowId(id, code)).fetchHistory());
    const transitions = readHistoryFacts(history).transitions.map((t) => t.value as Transition);
    const events = transitions.map((t) => t.event);
    const issued = events.find((e): e is Extract<UnitEvent, { type: 'issued' }> => e.type === 'issued')!;
    const firstAck = transitions.find((t) => t.event.type === 'acknowledged' || t.event.type === 'reportSubmitted');
    const firstReport = transitions.find((t) => t.event.type === 'reportSubmitted');
    out.received.push(id);
    if (firstAck)
      out[
        Date.parse(firstAck.at) <= Date.parse(issued.policy.acknowledgeBy) ? 'acknowledgedOnTime' : 'acknowledgedLate'
      ].push(id);
    else out.neverAcknowledged.push(id);
    if (firstReport)
      out[Date.parse(firstReport.at) <= Date.parse(issued.policy.reportBy) ? 'reportedOnTime' : 'reportedLate'].push(
        id,
      );
    else out.reportMissing.push(id);
    if (events.some((e) => e.type === 'reportReturned')) out.returned.push(id);
    if (events.some((e) => e.type === 'escalationDue')) out.escalated.push(id);
    if (
      !events.some(
        (e) => e.type === 'reportAccepted' || e.type === 'exempted' || e.type === 'cancelled' || e.type === 'closed',
      )
    )
      out.openNow.push(id);
  }
  for (const k of Object.keys(out)) out[k].sort().reverse();
  return out;
}

describe('The election HQ', () => {
  const campaign = `election-${randomUUID().slice(0, 8)}`;
  const inCampaign: string[] = [];
  let outside = '';

  test('When the office creates a campaign, then it is listed, can be read, and refuses a second campaign with its id', async () => {
    const created = await stack.api('/api/v1/campaigns', {
      method: 'POST',
      json: { id: campaign, title: 'انتخابات شوراهای اسلامی شهر و روستا ۱۴۰۵' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/campaigns/${campaign}`);
    const again = await stack.api('/api/v1/campaigns', { method: 'POST', json: { id: campaign, title: 'تکراری است' } });
    expect(again.status).toBe(409);
    const bad = await stack.api('/api/v1/campaigns', { method: 'POST', json: { id: 'Not An Id', title: 'ستاد' } });
    expect(bad.status).toBe(400);
    const read = await json<{ id: string; title: string; directives: string[] }>(
      stack.api(`/api/v1/campaigns/${campaign}`),
    );
    expect(read).toMatchObject({ id: campaign, title: 'انتخابات شوراهای اسلامی شهر و روستا ۱۴۰۵', directives: [] });
    expect((await stack.api('/api/v1/campaigns/no-such-campaign')).status).toBe(404);
    const listed = await eventually(
      async () => {
        const { campaigns } = await json<{ campaigns: { id: string }[] }>(stack.api('/api/v1/campaigns'));
        return campaigns.some((c) => c.id === campaign) ? campaigns : undefined;
      },
      20_000,
      'the campaign in the list',
    );
    expect(listed.find((c) => c.id === campaign)).toBeDefined();
    const unknown = await stack.api('/api/v1/directives', {
      method: 'POST',
      json: directiveBody({ campaign: 'no-such-campaign' }),
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['campaign']);
  });

  test('When units answer a campaign on time, late, not at all, or after a return, then their records and the scoreboard say exactly what their histories say', async () => {
    const body = (title: string, withCampaign: boolean) =>
      directiveBody({
        title,
        targets: { mode: 'list', codes: units },
        acknowledgeBy: inSeconds(10),
        reportBy: inSeconds(16),
        escalation: [{ after: 1, notify: 'deputy' }],
        ...(withCampaign ? { campaign } : {}),
      });
    for (const title of ['تعیین محل استقرار صندوق‌ها', 'ترکیب نیروهای اجرایی', 'تجهیزات انتخابات تمام‌الکترونیک']) {
      const issued = await issueViaApi(stack, body(title, true));
      expect(issued.status).toBe(201);
      inCampaign.push(issued.id);
    }
    // A directive of no campaign, to the unit that is otherwise always on time: it stays open.
    outside = (
      await issueViaApi(
        stack,
        directiveBody({
          targets: { mode: 'list', codes: [onTime] },
          acknowledgeBy: inSeconds(600),
          reportBy: inSeconds(1200),
        }),
      )
    ).id;

    for (const id of inCampaign) {
      for (const code of [onTime, agency, returned]) {
        await update(id, code, acknowledgeUpdate, reply);
        await update(id, code, submitReportUpdate, { ...reply, values });
      }
      await update(id, late, acknowledgeUpdate, reply);
      await update(id, onTime, acceptReportUpdate, { by: officeActor });
      await update(id, returned, returnReportUpdate, {
        by: officeActor,
        reason: 'تعداد شعب با فهرست پیوست نمی‌خواند.',
      });
      await update(id, returned, submitReportUpdate, { ...reply, values: { stations: 13, inspected: true } });
      await update(id, returned, acceptReportUpdate, { by: officeActor });
    }
    // The late unit reports once its report deadline has been recorded as missed; the silent one says nothing.
    for (const id of inCampaign) {
      await eventually(
        async () => ((await stack.gateway.unitState(id, late)).overdue === 'report' ? true : undefined),
        30_000,
        `${late} overdue on ${id}`,
      );
      await update(id, late, submitReportUpdate, { ...reply, values });
      await eventually(
        async () => ((await stack.gateway.unitState(id, silent)).escalationLevel === 1 ? true : undefined),
        30_000,
        `${silent} escalated on ${id}`,
      );
    }
    // Visibility lists what the record reads: wait until it sees every unit workflow.
    await eventually(
      async () => {
        const r = await json<RecordAnswer>(stack.api(`/api/v1/units/${silent}/record?campaign=${campaign}`));
        return r.figures.received.count === 3 ? true : undefined;
      },
      20_000,
      'visibility of the campaign',
    );

    const expected: Record<string, number> = {};
    for (const code of units) {
      const record = await json<RecordAnswer>(stack.api(`/api/v1/units/${code}/record?campaign=${campaign}`));
      const counted = await independentCount(code, inCampaign);
      expect(record.complete).toBe(true);
      expect(record.unreadable).toEqual([]);
      for (const [figure, directives] of Object.entries(counted)) {
        expect({ code, figure, directives: record.figures[figure].directives }).toEqual({ code, figure, directives });
        expect(record.figures[figure].count).toBe(directives.length);
      }
      expected[code] = record.onTimePercent ?? -1;
    }
    // The story's outcome, in the HQ's words.
    const silentRecord = await json<RecordAnswer>(stack.api(`/api/v1/units/${silent}/record?campaign=${campaign}`));
    expect(silentRecord.figures.neverAcknowledged.count).toBe(3);
    expect(silentRecord.figures.reportMissing.count).toBe(3);
    expect(silentRecord.highestEscalation).toEqual({ level: 1, directives: [...inCampaign].sort().reverse() });
    expect(silentRecord.onTimePercent).toBe(0);
    expect(silentRecord.open.map((o) => o.directiveId).sort()).toEqual([...inCampaign].sort());
    const returnedRecord = await json<RecordAnswer>(stack.api(`/api/v1/units/${returned}/record?campaign=${campaign}`));
    expect(returnedRecord.figures.returned.count).toBe(3);
    expect(returnedRecord.figures.reportedOnTime.count).toBe(3);
    expect(expected[late]).toBe(50);
    expect(expected[onTime]).toBe(100);

    // Without the campaign the record also counts the directive outside it, open now.
    const whole = await json<RecordAnswer>(stack.api(`/api/v1/units/${onTime}/record`));
    expect(whole.figures.received.directives).toEqual([...inCampaign, outside].sort().reverse());
    expect(whole.figures.openNow.directives).toEqual([outside]);
    expect(whole.open.map((o) => o.directiveId)).toEqual([outside]);
    expect(whole.timeToAcknowledge.medianMs).toBeGreaterThanOrEqual(0);
    // A Jalali date range that ends before the campaign leaves nothing.
    const before = await json<RecordAnswer>(
      stack.api(`/api/v1/units/${onTime}/record?to=${encodeURIComponent('1400/01/01')}`),
    );
    expect(before.figures.received.count).toBe(0);

    const board = await json<ScoreboardAnswer>(stack.api(`/api/v1/scoreboard?campaign=${campaign}`));
    expect(board.complete).toBe(true);
    expect(board.rows.map((r) => r.code).sort()).toEqual([...units].sort());
    for (const row of board.rows) expect(row.onTimePercent ?? -1).toBe(expected[row.code]);
    expect(board.rows.filter((r) => r.worst).map((r) => r.code)).toEqual([silent]);
    expect(board.rows.at(-1)!.code).toBe(silent);
    expect(board.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    const rey = board.counties.find((c) => c.county === 'THR-REY')!;
    expect(rey.units).toBe(2);
    expect(rey.figures.reportMissing).toBe(3);
    expect(rey.figures.returned).toBe(3);
    const teh = board.counties.find((c) => c.county === 'THR-TEH')!;
    expect(teh.units).toBe(3);
    expect(teh.figures.reportedLate).toBe(3);

    const agencies = await json<ScoreboardAnswer>(stack.api(`/api/v1/scoreboard?campaign=${campaign}&kind=agency`));
    expect(agencies.rows.map((r) => r.code)).toEqual([agency]);
    const reyOnly = await json<ScoreboardAnswer>(stack.api(`/api/v1/scoreboard?campaign=${campaign}&county=THR-REY`));
    expect(reyOnly.rows.map((r) => r.code).sort()).toEqual([returned, silent].sort());
    const byMissing = await json<ScoreboardAnswer>(
      stack.api(`/api/v1/scoreboard?campaign=${campaign}&sort=reportMissing&order=desc`),
    );
    expect(byMissing.rows[0].code).toBe(silent);

    // The pages say the same, and every figure links to the directives behind it.
    const { cookie } = await stack.session('auditor');
    const page = async (path: string) => {
      const res = await fetch(`${stack.baseUrl}${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const boardPage = await page(`/scoreboard?campaign=${campaign}`);
    expect(boardPage).toMatch(new RegExp(`<tr class="worst" data-unit="${silent}">`));
    expect((boardPage.match(/<tr class="worst"/g) ?? []).length).toBe(1);
    expect(boardPage).toContain(`href="/units/${silent}?campaign=${campaign}&amp;figure=reportMissing#directives"`);
    expect(boardPage).toContain('جمع هر شهرستان');
    const recordPage = await page(`/units/${silent}?campaign=${campaign}&figure=neverAcknowledged`);
    for (const id of inCampaign) expect(recordPage).toContain(`data-directive="${id}"`);
    expect(recordPage).not.toContain('این پاسخ کامل نیست');
    const onTimePage = await page(`/units/${onTime}?figure=openNow`);
    expect(onTimePage).toContain(`data-directive="${outside}"`);
    for (const id of inCampaign) expect(onTimePage).not.toContain(`data-directive="${id}"`);
    expect((await fetch(`${stack.baseUrl}/scoreboard?from=yesterday`, { headers: { cookie } })).status).toBe(400);

    // The HQ meeting's paper, read back: the cover names the campaign and the silent unit as overdue.
    const pdf = await stack.api(`/api/v1/campaigns/${campaign}/report.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: Buffer.from(await pdf.arrayBuffer()) })
      .toString('utf8')
      .replace(/[\u200e\u200f\u202a-\u202e]/g, '');
    const [cover, ...rest] = text.split('\f').filter((p) => p.trim());
    for (const words of [
      'گزارش جلسه ستاد',
      'شوراهای',
      'روستا ۱۴۰۵',
      'واحدهای تأخیردار اکنون',
      'فشاپویه',
      'معاون فرماندار',
    ])
      expect(cover).toContain(words);
    expect(cover).toMatch(/[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2}/);
    const tables = rest.join('\n');
    for (const words of ['هر شهرستان', 'هر واحد', 'هر دستورالعمل', 'کهریزک', 'ضعیف‌ترین'])
      expect(tables).toContain(words);
    const xlsx = await stack.api(`/api/v1/campaigns/${campaign}/report.xlsx`);
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const unitsSheet = book.getWorksheet('واحدها')!;
    expect(unitsSheet.rowCount).toBe(1 + units.length);
    const silentRow = unitsSheet.getRows(2, units.length)!.find((r) => r.getCell(2).value === silent)!;
    expect(silentRow.getCell(5).value).toBe('بله');
    expect(book.getWorksheet('دستورالعمل‌ها')!.rowCount).toBe(1 + inCampaign.length);
    expect(book.getWorksheet('تأخیرها')!.rowCount).toBe(1 + 3);

    // The directive list and the campaign know which directives are the campaign's.
    const listed = await json<{ items: { id: string; campaign: string | null }[] }>(
      stack.api(`/api/v1/directives?campaign=${campaign}&limit=100`),
    );
    expect(listed.items.map((d) => d.id)).toEqual([...inCampaign].sort().reverse());
    expect(listed.items.every((d) => d.campaign === campaign)).toBe(true);
    const read = await json<{ directives: string[] }>(stack.api(`/api/v1/campaigns/${campaign}`));
    expect(read.directives).toEqual([...inCampaign].sort().reverse());
  });
});

describe('A partial answer', () => {
  test('When the worker is down, then a record of running units says it is incomplete and names the directives it could not read', async () => {
    const { id } = await issueViaApi(
      stack,
      directiveBody({
        targets: { mode: 'list', codes: ['THR-SHM-LVS'] },
        acknowledgeBy: inSeconds(600),
        reportBy: inSeconds(1200),
      }),
    );
    await eventually(
      async () =>
        (await json<RecordAnswer>(stack.api('/api/v1/units/THR-SHM-LVS/record'))).figures.received.count === 1
          ? true
          : undefined,
      20_000,
      'visibility',
    );
    // A unit nobody has read yet: the scoreboard has nothing to fall back on for it.
    const unread = (
      await issueViaApi(
        stack,
        directiveBody({
          targets: { mode: 'list', codes: ['THR-ESL-CHD'] },
          acknowledgeBy: inSeconds(600),
          reportBy: inSeconds(1200),
        }),
      )
    ).id;
    await eventually(
      async () =>
        (await stack.gateway.listWorkflows(`UnitCode = 'THR-ESL-CHD' AND DirectiveId = '${unread}'`, 'test')).length ===
        1
          ? true
          : undefined,
      20_000,
      'visibility',
    );
    await stack.stopWorker();
    try {
      const record = await json<RecordAnswer>(stack.api('/api/v1/units/THR-SHM-LVS/record'));
      expect(record.complete).toBe(false);
      expect(record.unreadable).toEqual([{ directiveId: id, reason: expect.any(String) }]);
      expect(record.figures.received.count).toBe(0);
      // The scoreboard reuses what it read of a unit whose history has not grown since; it cannot for the other.
      const board = await json<{ complete: boolean; rows: { code: string; complete: boolean }[] }>(
        stack.api('/api/v1/scoreboard'),
      );
      expect(board.complete).toBe(false);
      expect(board.rows.filter((r) => !r.complete).map((r) => r.code)).toEqual(['THR-ESL-CHD']);
      const { cookie } = await stack.session('office');
      const page = await (await fetch(`${stack.baseUrl}/units/THR-SHM-LVS`, { headers: { cookie } })).text();
      expect(page).toContain('این پاسخ کامل نیست');
      expect(page).toContain(id);
    } finally {
      await stack.startWorker();
    }
  });
});

/** The inbox link (`/k/<token>`) in a message's plain text, or throws. */
function inboxLinkFrom(text: string): string {
  const m = /https?:\/\/[^\s/]+\/k\/[A-Za-z0-9._-]+/.exec(text);
  if (!m) throw new Error('no inbox link in the message');
  return m[0];
}
const expiryOf = (link: string) =>
  (JSON.parse(Buffer.from(link.split('/k/')[1].split('.')[2], 'base64url').toString()) as { e: number }).e;
const listedIn = (page: string) => [...page.matchAll(/data-directive="([^"]+)"/g)].map((m) => m[1]);

describe("The head's inbox", () => {
  const code = 'THR-SHM-RQS';
  const oneUnit = (overrides: Parameters<typeof directiveBody>[0]) =>
    directiveBody({ targets: { mode: 'list', codes: [code] }, ...overrides });

  test('When a unit has several directives, then the inbox link in its messages lists exactly the open ones, most urgent first, each linking to its page, and reading it changes nothing', async () => {
    const later = (
      await issueViaApi(
        stack,
        oneUnit({
          title: 'آگاهی‌بخشی عمومی',
          priority: 'normal',
          acknowledgeBy: inSeconds(900),
          reportBy: inSeconds(1800),
        }),
      )
    ).id;
    const sooner = (
      await issueViaApi(
        stack,
        oneUnit({
          title: 'آموزش نیروهای فنی',
          priority: 'immediate',
          acknowledgeBy: inSeconds(300),
          reportBy: inSeconds(1200),
        }),
      )
    ).id;
    const done = (
      await issueViaApi(
        stack,
        oneUnit({ title: 'کاستی‌های دوره‌های گذشته', acknowledgeBy: inSeconds(300), reportBy: inSeconds(600) }),
      )
    ).id;
    const cancelled = (
      await issueViaApi(
        stack,
        oneUnit({ title: 'ترکیب نیروهای اجرایی', acknowledgeBy: inSeconds(300), reportBy: inSeconds(600) }),
      )
    ).id;
    await update(done, code, submitReportUpdate, { ...reply, values });
    await update(done, code, acceptReportUpdate, { by: officeActor });
    expect(
      (
        await stack.api(`/api/v1/directives/${cancelled}/cancel`, {
          method: 'POST',
          json: { reason: 'ادغام با دستور دیگر' },
        })
      ).status,
    ).toBe(200);

    const notice = await eventually(() => mailsFor(stack, later, code, 'notice')[0], 30_000, 'the notice');
    const inbox = inboxLinkFrom(notice.text);
    expect(notice.html).toContain(inbox.replace(stack.baseUrl, ''));
    expect(expiryOf(inbox)).toBeGreaterThanOrEqual(
      Date.parse((await stack.gateway.unitState(later, code)).policy.reportBy) + 86_400_000,
    );
    // Every message to the head carries it: the cancellation too.
    const cancellation = await eventually(
      () => mailsFor(stack, cancelled, code, 'cancellation')[0],
      30_000,
      'the cancellation',
    );
    expect(inboxLinkFrom(cancellation.text)).toMatch(/\/k\//);

    const seqBefore = await Promise.all(
      [later, sooner].map(async (id) => (await stack.gateway.unitState(id, code)).seq),
    );
    const page = await eventually(
      async () => {
        const res = await fetch(inbox);
        const text = await res.text();
        return res.status === 200 && listedIn(text).length === 2 ? text : undefined;
      },
      20_000,
      'the inbox listing both open directives',
    );
    expect(listedIn(page)).toEqual([sooner, later]);
    expect(page).toContain('آموزش نیروهای فنی');
    expect(page).not.toContain('کاستی‌های دوره‌های گذشته');
    const head = await fetch(inbox, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('cache-control')).toBe('no-store');
    // Each item opens its directive's own page.
    const links = [...page.matchAll(/<h2><a href="(\/u\/[^"]+)">/g)].map((m) => m[1]);
    expect(links).toHaveLength(2);
    for (const link of links) {
      const res = await fetch(`${stack.baseUrl}${link}`);
      expect(res.status).toBe(200);
    }
    const seqAfter = await Promise.all(
      [later, sooner].map(async (id) => (await stack.gateway.unitState(id, code)).seq),
    );
    expect(seqAfter).toEqual(seqBefore);

    // A reply link is not an inbox link, nor the other way round.
    const replyLink = linkFrom(notice);
    expect((await fetch(replyLink.replace('/u/', '/k/'))).status).toBe(403);
    expect((await fetch(inbox.replace('/k/', '/u/'))).status).toBe(403);
    expect((await fetch(`${inbox.slice(0, -3)}xyz`)).status).toBe(403);
  });

  test('When the office revokes a unit’s inbox links, then old ones are refused and the next message carries one that works', async () => {
    const id = (
      await issueViaApi(
        stack,
        oneUnit({ title: 'تجهیزات انتخابات تمام‌الکترونیک', acknowledgeBy: inSeconds(900), reportBy: inSeconds(1800) }),
      )
    ).id;
    const old = inboxLinkFrom(
      (await eventually(() => mailsFor(stack, id, code, 'notice')[0], 30_000, 'the notice')).text,
    );
    expect((await fetch(old)).status).toBe(200);
    const revoked = await json<{ generation: number }>(
      stack.api(`/api/v1/units/${code}/revoke-inbox`, { method: 'POST', json: {} }),
    );
    expect(revoked.generation).toBe(2);
    const refused = await fetch(old);
    expect(refused.status).toBe(410);
    expect(await refused.text()).toContain('باطل');
    expect(
      (await stack.api(`/api/v1/directives/${id}/units/${code}/remind`, { method: 'POST', json: {} })).status,
    ).toBe(200);
    const fresh = inboxLinkFrom(
      (await eventually(() => mailsFor(stack, id, code, 'reminder-1')[0], 30_000, 'the reminder')).text,
    );
    expect(fresh).not.toBe(old);
    const res = await fetch(fresh);
    expect(res.status).toBe(200);
    expect(listedIn(await res.text())).toContain(id);
  });
});
