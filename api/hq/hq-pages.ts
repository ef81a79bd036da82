import { formatTimeLeft } from '../../lib/jalali';
import type { Registry } from '../../domain/registry';
import {
  figureNames,
  type CountySubtotal,
  type DirectiveOutcome,
  type FigureName,
  type ScoreboardRow,
  type ScoreboardSortKey,
  type UnitRecord,
} from '../../audit/unit-record';
import type { CampaignRecord } from '../../workflows/types';
import { fa, jalaliOrDash, obligationLabels, priorityLabels, unitStateLabels } from '../dashboard/labels';
import { href } from '../dashboard/query-params';
import { html, type Html } from '../../lib/html';
import type { ScoreboardQuery } from './hq-service';

/** Persian names of the record's figures, as the HQ says them. */
export const figureLabels: Record<FigureName, string> = {
  received: 'دستورالعمل دریافتی',
  acknowledgedOnTime: 'اعلام وصول به‌موقع',
  acknowledgedLate: 'اعلام وصول با تأخیر',
  neverAcknowledged: 'بی‌اعلام وصول',
  reportedOnTime: 'گزارش به‌موقع',
  reportedLate: 'گزارش با تأخیر',
  reportMissing: 'گزارش نفرستاده',
  returned: 'گزارش برگشتی برای اصلاح',
  remindersNeeded: 'یادآوری لازم شد',
  escalated: 'ارجاع به مقام بالاتر',
  openNow: 'باز در حال حاضر',
};

/** Figures whose count is bad news: shown in red when above zero. */
const badFigures: readonly FigureName[] = [
  'acknowledgedLate',
  'neverAcknowledged',
  'reportedLate',
  'reportMissing',
  'escalated',
];

const acknowledgeLabels: Record<DirectiveOutcome['acknowledge'], string> = {
  'on-time': 'به‌موقع',
  late: 'با تأخیر',
  never: 'انجام نشد',
  pending: 'در مهلت',
  'not-required': 'لازم نشد',
};
const reportLabels: Record<DirectiveOutcome['report'], string> = {
  'on-time': 'به‌موقع',
  late: 'با تأخیر',
  missing: 'نرسیده',
  pending: 'در مهلت',
  'not-required': 'لازم نشد',
};
const escalationLevelLabels = ['—', 'معاون فرماندار', 'فرماندار'];

/** A duration in its two largest units, Persian digits: «۲ ساعت و ۵ دقیقه», «۴۰ ثانیه». */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 60_000) return `${fa(Math.max(0, Math.round(ms / 1000)))} ثانیه`;
  return formatTimeLeft(new Date(ms), new Date(0)).replace(/\s*مانده$/, '');
}

const percent = (p: number | null) => (p === null ? '—' : `${fa(p)}٪`);

/** The scope of a page as query parameters, kept across links. */
export interface PageScope {
  campaign?: string;
  from?: string;
  to?: string;
}

function incompleteNotice(record: { complete: boolean; unreadable?: { directiveId: string }[] }): Html | string {
  if (record.complete) return '';
  const ids = record.unreadable?.map((u) => u.directiveId) ?? [];
  return html`<p class="notice bad" role="alert"><strong>این پاسخ کامل نیست:</strong> وضعیت ${ids.length ? html`دستورالعمل‌های <span class="ltr">${ids.join('، ')}</span>` : 'برخی دستورالعمل‌ها'} خوانده نشد؛ ارقام زیر بدون آن‌هاست و کمتر از واقع است. چند لحظه بعد دوباره ببینید.</p>`;
}

function scopeForm(action: string, campaigns: CampaignRecord[], scope: PageScope, extra: Html | string = ''): Html {
  return html`<form method="get" action="${action}" class="filters">
<label>ستاد <select name="campaign"><option value="">همه</option>${campaigns.map((c) => html`<option value="${c.id}"${c.id === scope.campaign ? ' selected' : ''}>${c.title}</option>`)}</select></label>
<label>از تاریخ <input type="text" name="from" placeholder="۱۴۰۵/۰۹/۰۱" value="${scope.from ?? ''}"></label>
<label>تا تاریخ <input type="text" name="to" placeholder="۱۴۰۵/۰۹/۳۰" value="${scope.to ?? ''}"></label>
${extra}<button type="submit">نمایش</button> <a href="${action}">پاک کردن</a>
</form>`;
}

/** The page `/units/<code>`: the unit's record, each figure linking to the directives behind it. */
export function renderUnitRecordPage(args: {
  record: UnitRecord;
  unitName: string;
  campaigns: CampaignRecord[];
  scope: PageScope;
  figure?: FigureName;
  now: Date;
}): Html {
  const { record, scope, figure, now } = args;
  const base = `/units/${record.unitCode}`;
  const link = (name: FigureName) => `${href(base, { ...scope, figure: name })}#directives`;
  const shown = figure
    ? record.directives.filter((d) => record.figures[figure].directives.includes(d.directiveId))
    : record.directives;
  const figureCell = (name: FigureName) => {
    const count = record.figures[name].count;
    return html`<div class="figure${badFigures.includes(name) && count > 0 ? ' bad' : ''}"><a href="${link(name)}" data-figure="${name}"><strong>${fa(count)}</strong> ${figureLabels[name]}</a></div>`;
  };
  const timeRow = (label: string, t: UnitRecord['timeToAcknowledge']) =>
    html`<tr><th>${label}</th><td>${formatDuration(t.medianMs)}</td><td>${formatDuration(t.worstMs)}${t.worstDirective ? html` (<a href="/directives/${t.worstDirective}?unit=${record.unitCode}#unit" class="ltr">${t.worstDirective}</a>)` : ''}</td></tr>`;
  return html`<h1>کارنامه ${args.unitName} <span class="muted ltr">${record.unitCode}</span></h1>
<p><a href="/scoreboard${scope.campaign ? `?campaign=${scope.campaign}` : ''}">بازگشت به جدول رتبه‌بندی</a></p>
${scopeForm(base, args.campaigns, scope)}
${incompleteNotice(record)}
<section class="card">
<p>انجام به‌موقع تعهدها: <strong>${percent(record.onTimePercent)}</strong>${
    record.highestEscalation.level > 0
      ? html` — بالاترین پیگیری: <a class="bad" href="${href(base, { ...scope, figure: 'escalated' })}#directives">${escalationLevelLabels[record.highestEscalation.level] ?? fa(record.highestEscalation.level)} (مرحله ${fa(record.highestEscalation.level)})</a>`
      : ''
  }</p>
<div class="figures">${figureNames.map(figureCell)}</div>
<div class="scroll"><table class="times"><thead><tr><th></th><th>میانه</th><th>بدترین</th></tr></thead><tbody>
${timeRow('زمان تا اعلام وصول', record.timeToAcknowledge)}
${timeRow('زمان تا ارسال گزارش', record.timeToReport)}
</tbody></table></div>
</section>
<h2>باز در حال حاضر (فوری‌ترین نخست)</h2>
${
  record.open.length
    ? html`<div class="scroll"><table class="list open-now"><thead><tr><th>دستورالعمل</th><th>وضعیت</th><th>اقدام لازم</th><th>مهلت</th></tr></thead><tbody>${record.open.map(
        (o) =>
          html`<tr class="${o.due?.overdue ? 'overdue' : ''}"><td><a href="/directives/${o.directiveId}?unit=${record.unitCode}#unit">${o.title}</a> <span class="muted ltr">${o.directiveId}</span></td><td>${unitStateLabels[o.state]}</td><td>${o.due ? obligationLabels[o.due.obligation] : '—'}</td><td>${o.due ? html`${jalaliOrDash(o.due.deadline)} <span class="${o.due.overdue ? 'bad' : 'muted'}">(${formatTimeLeft(o.due.deadline, now)})</span>` : '—'}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">کار بازی ندارد.</p>`
}
<h2 id="directives">${figure ? html`دستورالعمل‌های «${figureLabels[figure]}» (${fa(shown.length)}) <a href="${base}${href('', { ...scope })}#directives" class="hint">نمایش همه</a>` : html`همه دستورالعمل‌ها (${fa(shown.length)})`}</h2>
<div class="scroll"><table class="list directives"><thead><tr><th>دستورالعمل</th><th>فوریت</th><th>صدور</th><th>اعلام وصول</th><th>گزارش</th><th>برگشت</th><th>یادآوری</th><th>پیگیری</th><th>وضعیت</th></tr></thead><tbody>
${
  shown.length
    ? shown.map(
        (
          o,
        ) => html`<tr data-directive="${o.directiveId}"><td><a href="/directives/${o.directiveId}?unit=${record.unitCode}#unit">${o.title}</a> <span class="muted ltr">${o.directiveId}</span></td><td>${priorityLabels[o.priority]}</td><td>${jalaliOrDash(o.issuedAt)}</td>
<td class="${o.acknowledge === 'late' || o.acknowledge === 'never' ? 'bad' : ''}">${acknowledgeLabels[o.acknowledge]}${o.acknowledgeMs !== null ? html` <span class="muted">(${formatDuration(o.acknowledgeMs)})</span>` : ''}</td>
<td class="${o.report === 'late' || o.report === 'missing' ? 'bad' : ''}">${reportLabels[o.report]}${o.reportMs !== null ? html` <span class="muted">(${formatDuration(o.reportMs)})</span>` : ''}</td>
<td>${fa(o.returned)}</td><td>${fa(o.reminders)}</td><td>${o.highestEscalation ? html`<span class="bad">${fa(o.highestEscalation)}</span>` : '—'}</td><td>${unitStateLabels[o.state]}</td></tr>`,
      )
    : html`<tr><td colspan="9" class="muted">دستورالعملی نیست.</td></tr>`
}
</tbody></table></div>`;
}

/** Columns of the scoreboard, in order, with the key that sorts by each. */
const boardColumns: { key: ScoreboardSortKey; label: string }[] = [
  { key: 'rank', label: 'رتبه' },
  { key: 'name', label: 'واحد' },
  { key: 'onTime', label: 'به‌موقع' },
  ...figureNames.map((f) => ({ key: f, label: figureLabels[f] })),
];

/** The page `/scoreboard`: units ranked, filters, sortable headers, the worst marked, county subtotals. */
export function renderScoreboardPage(args: {
  board: { rows: ScoreboardRow[]; counties: CountySubtotal[]; complete: boolean };
  query: ScoreboardQuery;
  raw: PageScope & { county?: string; kind?: string };
  campaigns: CampaignRecord[];
  registry: Registry;
}): Html {
  const { board, query, raw } = args;
  const scope: PageScope = { campaign: raw.campaign, from: raw.from, to: raw.to };
  const params = { ...scope, county: raw.county, kind: raw.kind };
  const header = (c: (typeof boardColumns)[number]) => {
    const active = query.sort === c.key;
    const order = active && query.order === 'asc' ? 'desc' : 'asc';
    return html`<th${active ? html` aria-sort="${query.order === 'asc' ? 'ascending' : 'descending'}"` : ''}><a href="${href('/scoreboard', { ...params, sort: c.key, order })}">${c.label}${active ? (query.order === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
  };
  const unitLink = (code: string, figure?: FigureName) => href(`/units/${code}`, { ...scope, figure });
  const incomplete = board.rows.filter((r) => !r.record.complete);
  const extra = html`<label>شهرستان <select name="county"><option value="">همه</option>${args.registry
    .counties()
    .map(
      (c) => html`<option value="${c.code}"${c.code === raw.county ? ' selected' : ''}>${c.name}</option>`,
    )}</select></label>
<label>نوع واحد <select name="kind"><option value="">همه</option><option value="district"${raw.kind === 'district' ? ' selected' : ''}>بخشداری</option><option value="agency"${raw.kind === 'agency' ? ' selected' : ''}>دستگاه اجرایی</option></select></label>`;
  return html`<h1>جدول رتبه‌بندی واحدها</h1>
${scopeForm('/scoreboard', args.campaigns, scope, extra)}
${board.complete ? '' : incompleteNotice({ complete: false, unreadable: incomplete.flatMap((r) => r.record.unreadable) })}
<p class="muted">${fa(board.rows.length)} واحد. رتبه بر پایه درصد تعهدهای به‌موقع (اعلام وصول و گزارش) است؛ ردیف‌های نشان‌دار «ضعیف‌ترین» کمترین درصد یا تعهد انجام‌نشده دارند.</p>
<div class="scroll"><table class="list scoreboard"><thead><tr>${boardColumns.map(header)}</tr></thead><tbody>
${
  board.rows.length
    ? board.rows.map(
        (
          r,
        ) => html`<tr class="${r.worst ? 'worst' : ''}" data-unit="${r.code}"><td>${fa(r.rank)}${r.worst ? html` <span class="badge bad">ضعیف‌ترین</span>` : ''}</td>
<td><a href="${unitLink(r.code)}">${r.name}</a>${r.record.complete ? '' : html` <span class="badge warn" title="ناقص">ناقص</span>`}<div class="muted">${r.countyName ?? ''}</div></td>
<td>${percent(r.record.onTimePercent)}</td>
${figureNames.map((f) => {
  const n = r.record.figures[f].count;
  return html`<td class="${badFigures.includes(f) && n > 0 ? 'bad' : ''}">${n > 0 ? html`<a href="${unitLink(r.code, f)}#directives">${fa(n)}</a>` : fa(0)}</td>`;
})}</tr>`,
      )
    : html`<tr><td colspan="${boardColumns.length}" class="muted">واحدی در این محدوده دستورالعمل نگرفته است.</td></tr>`
}
</tbody></table></div>
<h2>جمع هر شهرستان</h2>
<div class="scroll"><table class="list counties"><thead><tr><th>شهرستان</th><th>واحدها</th><th>به‌موقع</th>${figureNames.map((f) => html`<th>${figureLabels[f]}</th>`)}</tr></thead><tbody>
${board.counties.map(
  (c) =>
    html`<tr><td>${c.county ? html`<a href="${href('/scoreboard', { ...params, county: c.county })}">${c.countyName ?? c.county}</a>` : '—'}</td><td>${fa(c.units)}</td><td>${percent(c.onTimePercent)}</td>${figureNames.map(
      (f) => html`<td class="${badFigures.includes(f) && c.figures[f] > 0 ? 'bad' : ''}">${fa(c.figures[f])}</td>`,
    )}</tr>`,
)}
</tbody></table></div>`;
}
