import { priorities, type Priority } from '../../domain/directive-schema';
import { toAsciiDigits } from '../../lib/persian-text';
import { complianceStates, type ComplianceState, type DirectiveState } from '../../workflows/types';

/**
 * Reading query strings and form bodies, where every value may be missing, repeated or an array, and
 * writing the links that carry a page's sorting and filtering (pages have no script, so a link or a GET form
 * is the only way to change them).
 */

/** The first string of a query or form value, trimmed; undefined when absent or empty. */
export function one(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Every non-empty string of a repeated query or form value. */
export function many(value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

export function parsePriority(value: unknown): Priority | undefined {
  const v = one(value);
  return priorities.find((p) => p === v);
}

const directiveStates: readonly DirectiveState[] = ['fanning-out', 'open', 'completed', 'cancelled', 'closed'];
export function parseDirectiveState(value: unknown): DirectiveState | undefined {
  const v = one(value);
  return directiveStates.find((s) => s === v);
}

export function parseComplianceState(value: unknown): ComplianceState | undefined {
  const v = one(value);
  return complianceStates.find((s) => s === v);
}

/** A page number from 1; anything else (including Persian digits for a bad number) is page 1. */
export function parsePage(value: unknown): number {
  const n = Number(toAsciiDigits(one(value) ?? '1'));
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** A path with the given query parameters; undefined and empty values are left out. */
export function href(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, String(v));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
