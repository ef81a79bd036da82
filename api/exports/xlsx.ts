import ExcelJS from 'exceljs';
import type { DirectiveOverview } from '../dashboard/directive-report';
import { directiveStateLabels, fa, jalaliOrDash, priorityLabels } from '../dashboard/labels';
import { neutralizeFormula } from '../../lib/csv';
import type { ReportTable } from './report-table';

/** Sheet names as Excel shows them (at most 31 characters, no `[]:*?/\`). */
export const unitSheetName = 'واحدها';
export const summarySheetName = 'خلاصه';

/**
 * An Excel workbook of one directive: a summary sheet and the unit table, both right-to-left (the sheet
 * view's `rightToLeft`, so column A is on the right as a Persian reader expects). Text cells get the same
 * formula guard as the CSV, although exceljs writes strings as strings, because users copy cells around.
 */
export async function toXlsx(o: DirectiveOverview, table: ReportTable): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Farman';
  book.created = new Date(o.spec.issuedAt);

  const summary = book.addWorksheet(summarySheetName, { views: [{ rightToLeft: true }] });
  summary.columns = [{ width: 28 }, { width: 60 }];
  const facts: [string, string | number][] = [
    ['عنوان', o.spec.title],
    ['شماره', o.id],
    ['فوریت', priorityLabels[o.spec.priority]],
    ['وضعیت', directiveStateLabels[o.status.state]],
    ['مهلت اعلام وصول', jalaliOrDash(o.spec.acknowledgeBy)],
    ['مهلت گزارش', jalaliOrDash(o.spec.reportBy)],
    ['تعداد واحدها', o.status.total],
    ['گزارش ارسال‌شده یا پذیرفته', o.status.counts.reported + o.status.counts.accepted],
    ['میزان انجام (درصد)', o.compliancePercent],
    ['واحدهای تأخیردار', o.status.overdue],
    ['تاریخ تهیه', jalaliOrDash(new Date().toISOString())],
  ];
  for (const [k, v] of facts) summary.addRow([k, typeof v === 'string' ? neutralizeFormula(v) : v]);
  summary.getColumn(1).font = { bold: true };

  const sheet = book.addWorksheet(unitSheetName, { views: [{ rightToLeft: true, state: 'frozen', ySplit: 1 }] });
  sheet.addRow(table.headers);
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row.map((c) => (typeof c === 'string' ? neutralizeFormula(c) : c)));
  sheet.columns.forEach((col, i) => {
    col.width = Math.min(
      40,
      Math.max(8, table.headers[i].length + 4, ...table.rows.map((r) => String(r[i] ?? '').length + 2)),
    );
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.headers.length } };
  // Keeps the sheet's title in a header so a printed page says what it is.
  sheet.headerFooter = { oddHeader: `&C${o.spec.title.replace(/&/g, '&&')} — ${fa(o.id)}` };

  return Buffer.from(await book.xlsx.writeBuffer());
}
