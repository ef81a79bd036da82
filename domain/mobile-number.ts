import { z } from 'zod';
import { toAsciiDigits } from '../lib/persian-text';

/**
 * Iranian mobile numbers. People write them as 0912 345 6789, +98 912-345-6789, 0098912…, 98912…, 912…
 * and in Persian or Arabic-Indic digits; Farman stores one form, E.164 (`+989123456789`), and sends that
 * to the SMSC. Only mobile numbers are accepted (after the country code, `9` and nine more digits): a
 * landline cannot receive a text message.
 */

/** The canonical form: `+98`, then `9`, then nine digits. */
export const canonicalMobilePattern = /^\+989\d{9}$/;

/** Spaces, dashes, dots, parentheses and the invisible marks (LRM/RLM, ZWNJ) pasted text carries. */
const separators = /[\s\-.()\u200c\u200e\u200f\u061c]/g;

/**
 * The canonical E.164 form of an Iranian mobile number in any of its usual written forms, or null when the
 * text is not one. Never throws.
 */
export function normalizeIranianMobile(text: string): string | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const compact = toAsciiDigits(text).replace(separators, '');
  const national = /^(?:\+98|0098|98|0)?(9\d{9})$/.exec(compact)?.[1];
  return national ? `+98${national}` : null;
}

/** A zod string that accepts the usual written forms and yields the canonical one. */
export const mobileNumberSchema = z.string().transform((text, ctx) => {
  const canonical = normalizeIranianMobile(text);
  if (canonical) return canonical;
  ctx.addIssue({ code: 'custom', message: 'must be an Iranian mobile number such as 09123456789 or +989123456789' });
  return z.NEVER;
});

/** Hides all but the last four digits, for logs and pages that need not show a whole number. */
export function maskMobile(canonical: string): string {
  return `${canonical.slice(0, 3)}${'•'.repeat(Math.max(0, canonical.length - 7))}${canonical.slice(-4)}`;
}
