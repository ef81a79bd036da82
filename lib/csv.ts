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
 * What a spreadsheet may read as the start of a formula: =, +, -, @, a tab or CR, and their full-width
 * and small forms (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫), which some spreadsheets fold to ASCII. Invisible marks in front
 * (bidi marks and embeddings, zero-width characters, a BOM) and spaces do not hide one: Persian text often
 * starts with a right-to-left mark.
 */
const formulaStart =
  /^[\s\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b]/;

/**
 * A text cell that a spreadsheet would run as a formula is prefixed with a single quote, so an exported
 * name like `=HYPERLINK(...)` (or `\u200f=HYPERLINK(...)`, `＝HYPERLINK(...)`) stays text. Numbers are
 * written as numbers (their minus sign is not a formula).
 */
export function neutralizeFormula(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
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
