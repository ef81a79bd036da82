import type { FormField } from '../domain/directive-schema';
import type { ReportValue, ReportValues } from './types';

/**
 * Validates a report against the directive's form. Pure and synchronous: the unit workflow's update
 * validator runs it, and the unit page runs the same function to put messages next to the fields.
 * Returns one problem per bad field; an empty list means the report is valid.
 */
export function validateReport(form: FormField[], values: ReportValues): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return [{ path: 'values', message: 'must be an object of field values' }];
  }
  const keys = new Set(form.map((f) => f.key));
  for (const key of Object.keys(values)) {
    if (!keys.has(key)) problems.push({ path: `values.${key}`, message: 'is not a field of this form' });
  }
  for (const field of form) {
    const message = checkField(field, values[field.key]);
    if (message) problems.push({ path: `values.${field.key}`, message });
  }
  return problems;
}

const defaultMaxText = 5_000;
const defaultMaxFiles = 5;

function isEmpty(v: ReportValue | undefined): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function checkField(field: FormField, value: ReportValue | undefined): string | null {
  if (isEmpty(value)) return field.required ? 'is required' : null;
  switch (field.type) {
    case 'text':
      if (typeof value !== 'string') return 'must be text';
      return value.length > (field.maxLength ?? defaultMaxText)
        ? `must have at most ${field.maxLength ?? defaultMaxText} characters`
        : null;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be yes or no';
    case 'date':
      return typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? null
        : 'must be a date';
    case 'choice':
      return typeof value === 'string' && (field.options ?? []).includes(value) ? null : 'must be one of the options';
    case 'file': {
      if (!Array.isArray(value)) return 'must be a list of files';
      if (value.length > (field.maxFiles ?? defaultMaxFiles))
        return `must have at most ${field.maxFiles ?? defaultMaxFiles} files`;
      const bad = value.some(
        (f) =>
          typeof f !== 'object' || f === null || !/^[0-9a-f]{64}$/.test(String(f.sha256)) || typeof f.name !== 'string',
      );
      return bad ? 'must reference stored files' : null;
    }
  }
}
