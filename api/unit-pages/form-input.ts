import type { FileRef, FormField } from '../../domain/directive-schema';
import { formatJalaliDate, JalaliDateError, parseJalaliDateTime } from '../../lib/jalali';
import { normalizePersian, toAsciiDigits, toPersianDigits } from '../../lib/persian-text';
import type { ReportValue, ReportValues } from '../../workflows/types';
import { validateReport } from '../../workflows/report-form';
import { fieldErrors } from './page-errors';
import type { CheckedUpload } from './uploads';

/**
 * Reading the unit page's forms: raw strings from the browser in, typed values or Persian messages per field
 * out. Digits may be Persian, Arabic-Indic or ASCII; dates are Jalali. The report is finally checked with
 * the same `validateReport` the workflow runs, so the page and the workflow never disagree on what is valid.
 * What the user typed is kept as typed, so a form re-rendered with errors loses nothing.
 */

/** A form as the browser sent it (or as it is pre-filled): raw text per input name. */
export type RawForm = Record<string, string>;

/** Names of the report form's inputs for a field: its value, its new files, and its kept files. */
export const inputName = {
  value: (key: string) => `v_${key}`,
  files: (key: string) => `f_${key}`,
  keep: (key: string) => `keep_${key}`,
};

/** The text of a body field (first value if repeated), or ''. */
export function bodyText(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
}

function bodyList(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** A required short text (a name, a position, a reason): normalised, or a Persian message. */
export function readText(raw: string, max: number, required = true): { value: string } | { error: string } {
  const value = normalizePersian(raw);
  if (!value) return required ? { error: 'این بخش را پر کنید.' } : { value };
  if (value.length > max) return { error: `حداکثر ${toPersianDigits(max)} نویسه مجاز است.` };
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/.test(value))
    return { error: 'نویسه‌های کنترلی مجاز نیست.' };
  return { value };
}

/** A number typed with any digits, `٫` or `.` as the decimal point, and optional thousands separators. */
export function readNumber(raw: string): number | null {
  const ascii = toAsciiDigits(raw.trim())
    .replace(/[٬,\s]/g, '')
    .replace('٫', '.')
    .replace(/^−/, '-');
  if (!/^-?\d+(\.\d+)?$/.test(ascii)) return null;
  return Number(ascii);
}

/** A Jalali date (and optional time) in Tehran, as an ISO instant; null when unreadable. */
export function readJalali(raw: string): string | null {
  try {
    return parseJalaliDateTime(raw).toISOString();
  } catch (err) {
    if (err instanceof JalaliDateError) return null;
    throw err;
  }
}

export interface ReportReading {
  name: string;
  position: string;
  values: ReportValues;
  /** Persian messages keyed by field (`name`, `position` or a form field's key). */
  errors: Record<string, string>;
  /** The checked new files, to be stored only when the report is recorded. */
  uploads: CheckedUpload[];
}

/**
 * Reads the report form. `previous` holds the files the unit already submitted (in its draft or report):
 * only those may be kept by hash, so a form cannot smuggle in another unit's file.
 */
export function readReportForm(
  form: FormField[],
  body: unknown,
  uploads: readonly (CheckedUpload | { field: string; error: string })[],
  previous: ReadonlyMap<string, FileRef>,
): ReportReading {
  const errors: Record<string, string> = {};
  const values: ReportValues = {};
  const name = readText(bodyText(body, 'name'), 200);
  const position = readText(bodyText(body, 'position'), 200);
  if ('error' in name) errors.name = name.error;
  if ('error' in position) errors.position = position.error;
  const accepted: CheckedUpload[] = [];
  for (const field of form) {
    const raw = bodyText(body, inputName.value(field.key)).trim();
    let value: ReportValue = null;
    switch (field.type) {
      case 'text':
        value = raw ? normalizePersian(raw) : null;
        break;
      case 'number':
        value = raw ? readNumber(raw) : null;
        if (raw && value === null) errors[field.key] = 'یک عدد وارد کنید (رقم فارسی یا لاتین).';
        break;
      case 'boolean':
        value = raw === 'yes' ? true : raw === 'no' ? false : null;
        break;
      case 'date':
        value = raw ? readJalali(raw) : null;
        if (raw && value === null) errors[field.key] = 'تاریخ را به شکل ۱۴۰۵/۰۹/۱۰ وارد کنید.';
        break;
      case 'choice':
        value = raw || null;
        break;
      case 'file': {
        const kept = bodyList(body, inputName.keep(field.key)).flatMap((sha) => previous.get(sha) ?? []);
        const mine = uploads.filter((u) => u.field === inputName.files(field.key));
        const refused = mine.find((u): u is { field: string; error: string } => 'error' in u);
        if (refused) errors[field.key] = refused.error;
        const fresh = mine.filter((u): u is CheckedUpload => 'ref' in u);
        accepted.push(...fresh);
        const refs = [...kept, ...fresh.map((u) => u.ref)];
        value = refs.length > 0 ? [...new Map(refs.map((r) => [r.sha256, r])).values()] : null;
        break;
      }
    }
    if (value !== null) values[field.key] = value;
  }
  const stray = uploads.find((u) => !form.some((f) => f.type === 'file' && inputName.files(f.key) === u.field));
  if (stray) errors._form = 'فایلی برای بخشی فرستاده شد که در فرم نیست.';
  const problems = fieldErrors(validateReport(form, values));
  for (const [key, message] of Object.entries(problems)) errors[key] ??= message;
  return {
    name: 'value' in name ? name.value : '',
    position: 'value' in position ? position.value : '',
    values,
    errors,
    uploads: accepted,
  };
}

/** The raw inputs of a report form pre-filled from recorded values (a draft after a return or an amendment). */
export function rawFromValues(form: FormField[], values: ReportValues | null): RawForm {
  const raw: RawForm = {};
  if (!values) return raw;
  for (const field of form) {
    const v = values[field.key];
    if (v === undefined || v === null) continue;
    switch (field.type) {
      case 'number':
        raw[inputName.value(field.key)] = typeof v === 'number' ? toPersianDigits(v) : '';
        break;
      case 'boolean':
        raw[inputName.value(field.key)] = v === true ? 'yes' : 'no';
        break;
      case 'date':
        raw[inputName.value(field.key)] = typeof v === 'string' ? jalaliDateOf(v) : '';
        break;
      case 'file':
        break;
      default:
        raw[inputName.value(field.key)] = typeof v === 'string' ? v : '';
    }
  }
  return raw;
}

/** A stored date value (an instant, or a plain `YYYY-MM-DD` from the API) as a Jalali date. */
export function jalaliDateOf(value: string): string {
  try {
    return formatJalaliDate(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
  } catch {
    return value;
  }
}

/** The raw strings of a submitted form, for re-rendering it as typed. */
export function rawFromBody(body: unknown): RawForm {
  const raw: RawForm = {};
  for (const [k, v] of Object.entries((body as Record<string, unknown>) ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') raw[k] = first;
  }
  return raw;
}
