import { toCsv } from '../lib/csv';

/**
 * How the audit commands print rows: an aligned text table for people, JSON for programs, CSV (UTF-8 with a
 * BOM, formula-neutralised, as the office's exports) for spreadsheets. Every format gets the same columns in
 * the same order.
 */

export const outputFormats = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export type Row = Record<string, string | number | boolean | null | undefined>;

const text = (v: Row[string]): string => (v === null || v === undefined ? '' : String(v));

/** Renders `rows` with `columns` (the keys to print, in order) in the chosen format. */
export function formatRows(rows: Row[], columns: string[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))),
        null,
        2,
      )}\n`;
    case 'csv':
      return toCsv({
        headers: columns,
        rows: rows.map((r) => columns.map((c) => (typeof r[c] === 'number' ? r[c] : text(r[c]) || null))),
      }).toString('utf8');
    case 'table': {
      const cells = rows.map((r) => columns.map((c) => text(r[c]).replace(/\s*\n\s*/g, ' ')));
      const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => [...row[i]].length)));
      const line = (values: string[]) =>
        values
          .map((v, i) => v + ' '.repeat(Math.max(0, widths[i] - [...v].length)))
          .join('  ')
          .trimEnd();
      return `${[line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
    }
  }
}

/**
 * A progress counter on stderr for long runs (`label 120/1100`), redrawn in place on a terminal and printed
 * every 10% otherwise, so that stdout stays clean for the output itself.
 */
export function progressCounter(
  label: string,
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (stream.isTTY) {
      stream.write(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      stream.write(`${label} ${done}/${total}\n`);
    }
  };
}
