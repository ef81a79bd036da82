import { readFileSync } from 'node:fs';
import path from 'node:path';
import { html, raw, type Html } from '../../lib/html';
import type { DirectiveOverview } from '../dashboard/directive-report';
import {
  directiveStateLabels,
  escalationTargetLabels,
  fa,
  jalaliOrDash,
  obligationLabels,
  priorityLabels,
  unitStateLabels,
} from '../dashboard/labels';
import { complianceStates } from '../../workflows/types';
import { printContentSecurityPolicy } from './pdf-renderer';
import type { ReportTable } from './report-table';

let fontFaces: string | undefined;

/**
 * Vazirmatn (regular and bold) as data URLs, so the document is self-contained: Chromium embeds the
 * glyphs it uses in the PDF and the report reads the same on any machine. Read once per process.
 */
export function vazirmatnFontFaces(): string {
  if (!fontFaces) {
    const dir = path.join(path.dirname(require.resolve('vazirmatn/package.json')), 'fonts', 'webfonts');
    const face = (file: string, weight: number) =>
      `@font-face { font-family: Vazirmatn; font-weight: ${weight}; src: url(data:font/woff2;base64,${readFileSync(path.join(dir, file)).toString('base64')}) format('woff2'); }`;
    fontFaces = [face('Vazirmatn-Regular.woff2', 400), face('Vazirmatn-Bold.woff2', 700)].join('\n');
  }
  return fontFaces;
}

/** The printed reports' stylesheet (A4 landscape, RTL, a cover page, repeating table headers). */
export const printCss = `
@page { size: A4 landscape; margin: 12mm 10mm; }
* { box-sizing: border-box; }
html { direction: rtl; }
body { font-family: Vazirmatn, sans-serif; color: #111; font-size: 10.5pt; line-height: 1.6; margin: 0; }
.cover { break-after: page; }
.cover h1 { font-size: 20pt; margin: 0 0 4mm; }
.cover .org { font-size: 12pt; color: #444; }
.facts { display: grid; grid-template-columns: 1fr 1fr; gap: 1mm 10mm; margin: 5mm 0; }
.big { font-size: 28pt; font-weight: 700; }
.bar { height: 5mm; background: #e3e8ee; border-radius: 2mm; overflow: hidden; width: 120mm; }
.bar span { display: block; height: 100%; background: #1e7b34; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.3mm solid #999; padding: 1mm 1.5mm; text-align: right; vertical-align: top; }
th { background: #eef2f6; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.late { color: #b3261e; font-weight: 700; }
h2 { font-size: 13pt; margin: 5mm 0 2mm; }
table.units { font-size: 8pt; }
table.units td:nth-child(2) { white-space: nowrap; }
`;

/**
 * The compliance report for the governor's meeting as a printable HTML document: a cover page with the
 * directive, its compliance and the overdue units, then the unit table (its header repeats on each page).
 */
export function complianceReportHtml(o: DirectiveOverview, table: ReportTable, preparedAt = new Date()): string {
  const { spec, status } = o;
  const overdue = o.units.filter((u) => u.summary.overdue);
  const percent = Math.max(0, Math.min(100, o.compliancePercent));
  const cell = (c: string | number | null) => (c === null ? '—' : typeof c === 'number' ? fa(c) : c);
  const doc: Html = html`<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${printContentSecurityPolicy}"><title>${spec.title}</title>
<style>${raw(vazirmatnFontFaces())}${raw(printCss)}</style></head>
<body>
<section class="cover">
<div class="org">فرمانداری — گزارش وضعیت اجرای دستورالعمل</div>
<h1>${spec.title}</h1>
<div class="facts">
<div>شماره: ${fa(o.id)} · نسخه ${fa(spec.version)}</div><div>فوریت: ${priorityLabels[spec.priority]} · وضعیت: ${directiveStateLabels[status.state]}</div>
<div>مهلت اعلام وصول: ${jalaliOrDash(spec.acknowledgeBy)}</div><div>مهلت گزارش: ${jalaliOrDash(spec.reportBy)}</div>
<div>تاریخ صدور: ${jalaliOrDash(spec.issuedAt)}</div><div>تاریخ تهیه گزارش: ${jalaliOrDash(preparedAt.toISOString())}</div>
</div>
<div>میزان انجام</div>
<div class="big">${fa(o.compliancePercent)}٪</div>
<div class="bar"><span style="width: ${percent}%"></span></div>
<p>${fa(status.counts.reported + status.counts.accepted)} واحد از ${fa(status.total)} واحد گزارش داده‌اند؛ ${fa(status.overdue)} واحد تأخیر دارند.</p>
<table><thead><tr>${complianceStates.map((s) => html`<th>${unitStateLabels[s]}</th>`)}<th>تأخیردار</th></tr></thead>
<tbody><tr>${complianceStates.map((s) => html`<td>${fa(status.counts[s])}</td>`)}<td class="late">${fa(status.overdue)}</td></tr></tbody></table>
<h2>واحدهای تأخیردار</h2>
${
  overdue.length
    ? html`<table><thead><tr><th>واحد</th><th>شهرستان</th><th>تأخیر در</th><th>سطح پیگیری</th><th>آخرین ارجاع به</th></tr></thead><tbody>${overdue.map(
        (u) =>
          html`<tr><td>${u.name}</td><td>${u.countyName}</td><td class="late">${obligationLabels[u.summary.overdue!]}</td><td>${fa(u.summary.escalationLevel)}</td><td>${
            u.summary.escalationLevel > 0
              ? escalationTargetLabels[spec.escalation[u.summary.escalationLevel - 1]?.notify ?? 'governor']
              : '—'
          }</td></tr>`,
      )}</tbody></table>`
    : html`<p>هیچ واحدی تأخیر ندارد.</p>`
}
</section>
<section>
<h2>وضعیت واحدها</h2>
<table class="units"><thead><tr>${table.headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${table.rows.map((r) => html`<tr>${r.map((c) => html`<td>${cell(c)}</td>`)}</tr>`)}</tbody></table>
</section>
</body></html>`;
  return doc.value;
}
