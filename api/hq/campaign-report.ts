import ExcelJS from 'exceljs';
import { figureNames, type CountySubtotal, type ScoreboardRow } from '../../audit/unit-record';
import type { CampaignRecord, DirectiveStatus } from '../../workflows/types';
import { mapBounded } from '../dashboard/map-bounded';
import { directiveStateLabels, fa, jalaliOrDash, obligationLabels } from '../dashboard/labels';
import { compliancePercent } from '../directives/compliance';
import { neutralizeFormula } from '../../lib/csv';
import { printCss, vazirmatnFontFaces } from '../exports/report-html';
import { html, raw } from '../../lib/html';
import { formatTimeLeft } from '../../lib/jalali';
import { figureLabels } from './hq-pages';
import { getCampaign, scoreboardOf, type HqDeps } from './hq-service';

/** Everything the HQ meeting's paper says, read once, so the PDF and the workbook agree. */
export interface CampaignReport {
  campaign: CampaignRecord;
  preparedAt: Date;
  /** `<campaign>/<Jalali date and time>`: the number printed on every page. */
  number: string;
  complete: boolean;
  board: { rows: ScoreboardRow[]; counties: CountySubtotal[] };
  onTimePercent: number | null;
  overdue: {
    code: string;
    name: string;
    countyName: string | null;
    directiveId: string;
    title: string;
    obligation: 'acknowledge' | 'report';
    since: string;
  }[];
  escalations: { level: number; units: number }[];
  directives: { id: string; title: string; status: DirectiveStatus | null }[];
}

/** Reads the campaign's report from Temporal (the scoreboard's reader and each directive's status query). */
export async function campaignReport(
  deps: HqDeps,
  campaignId: string,
  preparedAt = new Date((deps.now ?? Date.now)()),
): Promise<CampaignReport> {
  const campaign = await getCampaign(deps, campaignId);
  const board = await scoreboardOf(deps, { campaign: campaignId, sort: 'rank', order: 'asc' });
  const directives = await mapBounded(campaign.directives, 8, async (id) => {
    try {
      const [status, { spec }] = await Promise.all([
        deps.gateway.directiveStatus(id),
        deps.gateway.directiveDocument(id),
      ]);
      return { id, title: spec.title, status };
    } catch {
      return { id, title: id, status: null };
    }
  });
  const overdue = board.rows.flatMap((r) =>
    r.record.open
      .filter((o) => o.due?.overdue)
      .map((o) => ({
        code: r.code,
        name: r.name,
        countyName: r.countyName,
        directiveId: o.directiveId,
        title: o.title,
        obligation: o.due!.obligation,
        since: o.due!.deadline,
      })),
  );
  overdue.sort((a, b) => a.since.localeCompare(b.since));
  const levels = new Map<number, number>();
  for (const r of board.rows)
    for (const d of r.record.directives)
      if (d.highestEscalation > 0) levels.set(d.highestEscalation, (levels.get(d.highestEscalation) ?? 0) + 1);
  const met = board.counties.reduce((n, c) => n + c.figures.acknowledgedOnTime + c.figures.reportedOnTime, 0);
  const due = board.counties.reduce(
    (n, c) =>
      n +
      c.figures.acknowledgedOnTime +
      c.figures.reportedOnTime +
      c.figures.acknowledgedLate +
      c.figures.neverAcknowledged +
      c.figures.reportedLate +
      c.figures.reportMissing,
    0,
  );
  return {
    campaign,
    preparedAt,
    number: `${campaignId}/${jalaliOrDash(preparedAt.toISOString())}`,
    complete: board.complete && directives.every((d) => d.status !== null),
    board,
    onTimePercent: due === 0 ? null : Math.round((met / due) * 1000) / 10,
    overdue,
    escalations: [...levels.entries()].sort((a, b) => a[0] - b[0]).map(([level, units]) => ({ level, units })),
    directives,
  };
}

const pct = (p: number | null) => (p === null ? '—' : `${fa(p)}٪`);
const levelLabel = (level: number) =>
  level === 1 ? 'معاون فرماندار' : level === 2 ? 'فرماندار' : `مرحله ${fa(level)}`;

/** The meeting's paper as printable HTML: a cover, then counties, units and each directive's totals. */
export function campaignReportHtml(r: CampaignReport): string {
  const figureHead = figureNames.map((f) => html`<th>${figureLabels[f]}</th>`);
  return html`<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>${r.campaign.title}</title>
<style>${raw(vazirmatnFontFaces())}${raw(printCss)} .number { color: #444; } .incomplete { border: 0.5mm solid #b3261e; color: #b3261e; padding: 2mm; }</style></head>
<body>
<section class="cover">
<div class="org">فرمانداری — گزارش جلسه ستاد</div>
<h1>${r.campaign.title}</h1>
<div class="number">شماره گزارش: ${r.number} · تاریخ تهیه: ${jalaliOrDash(r.preparedAt.toISOString())}</div>
${r.complete ? '' : html`<p class="incomplete">این گزارش کامل نیست: وضعیت برخی واحدها یا دستورالعمل‌ها هنگام تهیه خوانده نشد و ارقام کمتر از واقع است.</p>`}
<div class="facts"><div>دستورالعمل‌های ستاد: ${fa(r.directives.length)}</div><div>واحدهای درگیر: ${fa(r.board.rows.length)}</div></div>
<div>انجام به‌موقع تعهدها (اعلام وصول و گزارش)</div>
<div class="big">${pct(r.onTimePercent)}</div>
<h2>واحدهای تأخیردار اکنون (${fa(r.overdue.length)})</h2>
${
  r.overdue.length
    ? html`<table><thead><tr><th>واحد</th><th>شهرستان</th><th>دستورالعمل</th><th>تأخیر در</th><th>از</th></tr></thead><tbody>${r.overdue.map(
        (o) =>
          html`<tr><td>${o.name}</td><td>${o.countyName ?? '—'}</td><td>${o.title} (${fa(o.directiveId)})</td><td class="late">${obligationLabels[o.obligation]}</td><td>${jalaliOrDash(o.since)} (${formatTimeLeft(o.since, r.preparedAt)})</td></tr>`,
      )}</tbody></table>`
    : html`<p>هیچ واحدی اکنون تأخیر ندارد.</p>`
}
<h2>ارجاع به مقام بالاتر</h2>
${r.escalations.length ? html`<p>${r.escalations.map((e) => html`${levelLabel(e.level)}: ${fa(e.units)} مورد. `)}</p>` : html`<p>ارجاعی نبوده است.</p>`}
</section>
<section>
<h2>هر شهرستان</h2>
<table class="units"><thead><tr><th>شهرستان</th><th>واحدها</th><th>به‌موقع</th>${figureHead}</tr></thead>
<tbody>${r.board.counties.map((c) => html`<tr><td>${c.countyName ?? '—'}</td><td>${fa(c.units)}</td><td>${pct(c.onTimePercent)}</td>${figureNames.map((f) => html`<td>${fa(c.figures[f])}</td>`)}</tr>`)}</tbody></table>
<h2>هر واحد (به ترتیب رتبه)</h2>
<table class="units"><thead><tr><th>رتبه</th><th>واحد</th><th>شهرستان</th><th>به‌موقع</th>${figureHead}</tr></thead>
<tbody>${r.board.rows.map(
    (u) =>
      html`<tr><td>${fa(u.rank)}${u.worst ? ' (ضعیف‌ترین)' : ''}</td><td>${u.name}${u.record.complete ? '' : ' (ناقص)'}</td><td>${u.countyName ?? '—'}</td><td>${pct(u.record.onTimePercent)}</td>${figureNames.map((f) => html`<td>${fa(u.record.figures[f].count)}</td>`)}</tr>`,
  )}</tbody></table>
<h2>هر دستورالعمل</h2>
<table class="units"><thead><tr><th>شماره</th><th>عنوان</th><th>وضعیت</th><th>واحدها</th><th>گزارش داده</th><th>تأخیردار</th><th>میزان انجام</th></tr></thead>
<tbody>${r.directives.map((d) =>
    d.status
      ? html`<tr><td>${fa(d.id)}</td><td>${d.title}</td><td>${directiveStateLabels[d.status.state]}</td><td>${fa(d.status.total)}</td><td>${fa(d.status.counts.reported + d.status.counts.accepted)}</td><td>${fa(d.status.overdue)}</td><td>${fa(compliancePercent(d.status))}٪</td></tr>`
      : html`<tr><td>${fa(d.id)}</td><td colspan="6" class="late">خوانده نشد</td></tr>`,
  )}</tbody></table>
</section>
</body></html>`.value;
}

/** The same report as a workbook: summary, counties, units, directives; right to left. */
export async function campaignReportXlsx(r: CampaignReport): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Farman';
  book.created = r.preparedAt;
  const text = (v: string) => neutralizeFormula(v);
  const summary = book.addWorksheet('خلاصه', { views: [{ rightToLeft: true }] });
  summary.columns = [{ width: 34 }, { width: 60 }];
  const facts: [string, string | number][] = [
    ['ستاد', text(r.campaign.title)],
    ['شماره گزارش', r.number],
    ['تاریخ تهیه', jalaliOrDash(r.preparedAt.toISOString())],
    ['کامل', r.complete ? 'بله' : 'خیر: برخی ارقام خوانده نشد'],
    ['انجام به‌موقع (درصد)', r.onTimePercent ?? '—'],
    ['دستورالعمل‌ها', r.directives.length],
    ['واحدها', r.board.rows.length],
    ['واحدهای تأخیردار اکنون', r.overdue.length],
    ...r.escalations.map((e): [string, number] => [`ارجاع به ${levelLabel(e.level)}`, e.units]),
  ];
  for (const row of facts) summary.addRow(row);
  const sheet = (name: string, headers: string[], rows: (string | number | null)[][]) => {
    const ws = book.addWorksheet(name, { views: [{ rightToLeft: true, state: 'frozen', ySplit: 1 }] });
    ws.addRow(headers);
    ws.getRow(1).font = { bold: true };
    for (const row of rows) ws.addRow(row.map((c) => (typeof c === 'string' ? text(c) : c)));
  };
  const figureHeads = figureNames.map((f) => figureLabels[f]);
  sheet(
    'شهرستان‌ها',
    ['شهرستان', 'واحدها', 'به‌موقع (درصد)', ...figureHeads],
    r.board.counties.map((c) => [
      c.countyName ?? '',
      c.units,
      c.onTimePercent,
      ...figureNames.map((f) => c.figures[f]),
    ]),
  );
  sheet(
    'واحدها',
    ['رتبه', 'کد', 'واحد', 'شهرستان', 'ضعیف‌ترین', 'کامل', 'به‌موقع (درصد)', ...figureHeads],
    r.board.rows.map((u) => [
      u.rank,
      u.code,
      u.name,
      u.countyName ?? '',
      u.worst ? 'بله' : '',
      u.record.complete ? 'بله' : 'خیر',
      u.record.onTimePercent,
      ...figureNames.map((f) => u.record.figures[f].count),
    ]),
  );
  sheet(
    'تأخیرها',
    ['واحد', 'شهرستان', 'دستورالعمل', 'عنوان', 'تأخیر در', 'از'],
    r.overdue.map((o) => [
      o.name,
      o.countyName ?? '',
      o.directiveId,
      o.title,
      obligationLabels[o.obligation],
      jalaliOrDash(o.since),
    ]),
  );
  sheet(
    'دستورالعمل‌ها',
    ['شماره', 'عنوان', 'وضعیت', 'واحدها', 'گزارش داده', 'تأخیردار', 'میزان انجام (درصد)'],
    r.directives.map((d) =>
      d.status
        ? [
            d.id,
            d.title,
            directiveStateLabels[d.status.state],
            d.status.total,
            d.status.counts.reported + d.status.counts.accepted,
            d.status.overdue,
            compliancePercent(d.status),
          ]
        : [d.id, 'خوانده نشد', null, null, null, null, null],
    ),
  );
  return Buffer.from(await book.xlsx.writeBuffer());
}
