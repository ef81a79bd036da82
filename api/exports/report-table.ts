import type { ReportValue } from '../../workflows/types';
import { pendingExtensions, type DirectiveOverview } from '../dashboard/directive-report';
import { jalaliOrDash, obligationLabels, unitStateLabels } from '../dashboard/labels';
import type { Cell, Table as ReportTable } from '../../lib/csv';

/**
 * The unit table every export writes: Persian headers, one row per unit, and a column per report-form
 * field. Numbers stay numbers (a spreadsheet can sum them); instants become Jalali date-times in Tehran.
 */

export type { Cell, Table as ReportTable } from '../../lib/csv';

function reportCell(value: ReportValue | undefined): Cell {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'boolean') return value ? 'بله' : 'خیر';
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map((f) => f.name).join('، ');
  return value;
}

/** The table of a directive whose units' details were loaded (`loadUnitDetails`). */
export function reportTable(o: DirectiveOverview): ReportTable {
  const headers = [
    'ردیف',
    'کد واحد',
    'واحد',
    'شهرستان',
    'وضعیت',
    'تأخیر',
    'سطح پیگیری',
    'مهلت اعلام وصول',
    'زمان اعلام وصول',
    'اعلام‌کننده',
    'مهلت گزارش',
    'زمان گزارش',
    'یادآوری‌ها',
    'درخواست‌های تمدید',
    'تمدید در انتظار تصمیم',
    ...o.spec.form.map((f) => f.label),
  ];
  const rows = o.units.map((u, i): Cell[] => {
    const d = u.details;
    const values = d?.report?.values ?? {};
    return [
      i + 1,
      u.code,
      u.name,
      u.countyName,
      unitStateLabels[u.summary.state],
      u.summary.overdue ? obligationLabels[u.summary.overdue] : null,
      u.summary.escalationLevel,
      d ? jalaliOrDash(d.policy.acknowledgeBy) : null,
      d?.acknowledgedAt ? jalaliOrDash(d.acknowledgedAt) : null,
      d?.acknowledgedBy ? `${d.acknowledgedBy.name} (${d.acknowledgedBy.position})` : null,
      d ? jalaliOrDash(d.policy.reportBy) : null,
      d?.reportedAt ? jalaliOrDash(d.reportedAt) : null,
      d ? d.remindersSent : null,
      d ? d.extensionRequests.length : null,
      d ? pendingExtensions(u).length : null,
      ...o.spec.form.map((f) => reportCell(values[f.key])),
    ];
  });
  return { headers, rows };
}

/** The download name of an export, ASCII only so every browser and mail client keeps it. */
export function exportFileName(directiveId: string, extension: 'csv' | 'xlsx' | 'pdf'): string {
  return `farman-${directiveId}.${extension}`;
}
