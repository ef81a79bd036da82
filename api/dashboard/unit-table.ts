import type { ComplianceState } from '../../workflows/types';
import { pendingExtensions, type UnitRow } from './directive-report';
import { one, parseComplianceState, parsePage } from './query-params';

/**
 * The directive page's unit table as the query string asks for it: filtered by state, county, overdue and
 * name, sorted by any column, one page at a time. Pure, so the page and its tests agree on what is shown.
 */

export const unitSortKeys = [
  'name',
  'county',
  'state',
  'acknowledged',
  'reported',
  'reminders',
  'escalation',
  'extensions',
] as const;
export type UnitSortKey = (typeof unitSortKeys)[number];

/** Columns that need each unit's full state (a query per unit), not just the directive's summaries. */
export const detailSortKeys: readonly UnitSortKey[] = ['acknowledged', 'reported', 'reminders', 'extensions'];

export interface UnitTableQuery {
  sort: UnitSortKey;
  dir: 'asc' | 'desc';
  state?: ComplianceState;
  county?: string;
  overdue: boolean;
  text?: string;
  page: number;
  /** The unit whose timeline and actions are open. */
  unit?: string;
}

export const unitsPerPage = 100;

export function parseUnitTableQuery(query: Record<string, unknown>): UnitTableQuery {
  const sort = unitSortKeys.find((k) => k === one(query.sort)) ?? 'county';
  return {
    sort,
    dir: one(query.dir) === 'desc' ? 'desc' : 'asc',
    state: parseComplianceState(query.state),
    county: one(query.county),
    overdue: one(query.overdue) === '1',
    text: one(query.q),
    page: parsePage(query.page),
    unit: one(query.unit),
  };
}

/** The query as link parameters, for links that change one of them. */
export function unitTableParams(q: UnitTableQuery): Record<string, string | number | undefined> {
  return {
    sort: q.sort,
    dir: q.dir,
    state: q.state,
    county: q.county,
    overdue: q.overdue ? '1' : undefined,
    q: q.text,
    page: q.page > 1 ? q.page : undefined,
    unit: q.unit,
  };
}

const stateOrder: ComplianceState[] = [
  'notified',
  'acknowledged',
  'returned',
  'reported',
  'accepted',
  'exempted',
  'cancelled',
  'closed',
];
const collator = new Intl.Collator('fa');

function sortValue(row: UnitRow, key: UnitSortKey): string | number {
  switch (key) {
    case 'name':
      return row.name;
    case 'county':
      return `${row.countyName}\u0000${row.name}`;
    case 'state':
      return stateOrder.indexOf(row.summary.state);
    case 'acknowledged':
      return row.details?.acknowledgedAt ? Date.parse(row.details.acknowledgedAt) : Number.MAX_SAFE_INTEGER;
    case 'reported':
      return row.details?.reportedAt ? Date.parse(row.details.reportedAt) : Number.MAX_SAFE_INTEGER;
    case 'reminders':
      return row.details?.remindersSent ?? -1;
    case 'escalation':
      return row.summary.escalationLevel;
    case 'extensions':
      return pendingExtensions(row).length * 1000 + (row.details?.extensionRequests.length ?? 0);
  }
}

/** Rows matching the filters, sorted (ties by county then name), before paging. */
export function filterAndSort(rows: UnitRow[], q: UnitTableQuery): UnitRow[] {
  const filtered = rows.filter(
    (r) =>
      (!q.state || r.summary.state === q.state) &&
      (!q.county || r.countyCode === q.county) &&
      (!q.overdue || r.summary.overdue !== null) &&
      (!q.text || r.name.includes(q.text) || r.countyName.includes(q.text) || r.code.includes(q.text.toUpperCase())),
  );
  const sign = q.dir === 'desc' ? -1 : 1;
  return filtered.sort((a, b) => {
    const va = sortValue(a, q.sort);
    const vb = sortValue(b, q.sort);
    const primary =
      typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
    return primary !== 0
      ? sign * primary
      : collator.compare(sortValue(a, 'county') as string, sortValue(b, 'county') as string);
  });
}
