/** A table cell: text, a number (kept a number, so a spreadsheet can sum it) or empty. */
export type Cell = string | number | null;

/** A table with one header row. */
export interface Table {
  headers: string[];
  rows: Cell[][];
}

/** UTF-8 byte order mark: without it Excel reads UTF-8 as the local code page and Persian turns to noise. */
const bom = '\uFEFF';

/**
 * A text cell that a spreadsheet would run as a formula (=, +, -, @, or a leading tab or CR) is prefixed
 * with a single quote, so an exported name like `=HYPERLINK(...)` stays text. Numbers are written as
 * numbers (their minus sign is not a formula).
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function field(cell: Cell): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? String(cell) : neutralizeFormula(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV (CRLF line ends, quotes doubled) with a BOM, safe to open in Excel. */
export function toCsv(table: Table): Buffer {
  const lines = [table.headers, ...table.rows].map((row) => row.map(field).join(','));
  return Buffer.from(bom + lines.join('\r\n') + '\r\n', 'utf8');
}
