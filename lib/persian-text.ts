import { z } from 'zod';

const arabicToPersian: Record<string, string> = {
  ي: 'ی', // U+064A ARABIC LETTER YEH
  ى: 'ی', // U+0649 ALEF MAKSURA, often typed for yeh
  ك: 'ک', // U+0643 ARABIC LETTER KAF
};

const persianDigits = '۰۱۲۳۴۵۶۷۸۹';
const arabicIndicDigits = '٠١٢٣٤٥٦٧٨٩';

/**
 * Normalises Persian text for storage and comparison: Arabic yeh/kaf become Persian ی/ک, CR-LF becomes LF,
 * and surrounding whitespace is trimmed. ZWNJ (U+200C), which Persian spelling needs, is kept.
 */
export function normalizePersian(text: string): string {
  return text
    .replace(/[يىك]/g, (ch) => arabicToPersian[ch] ?? ch)
    .replace(/\r\n?/g, '\n')
    .trim();
}

/** Replaces Persian and Arabic-Indic digits with ASCII digits; other characters are unchanged. */
export function toAsciiDigits(text: string): string {
  return text.replace(/[۰-۹٠-٩]/g, (d) => {
    const p = persianDigits.indexOf(d);
    return String(p >= 0 ? p : arabicIndicDigits.indexOf(d));
  });
}

/** Replaces ASCII digits with Persian digits, for display. */
export function toPersianDigits(text: string | number): string {
  return String(text).replace(/[0-9]/g, (d) => persianDigits[Number(d)]);
}

/**
 * Bidi override and isolate controls (U+202A-U+202E, U+2066-U+2069) can make a text display differently
 * from what it says; they are rejected in user input. LRM/RLM and ZWNJ/ZWJ are allowed.
 */

const forbiddenControls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

/** A zod string that is normalised as Persian text and bounded in length (after normalisation). */
export function persianText(min: number, max: number) {
  return z
    .string()
    .transform(normalizePersian)
    .pipe(
      z
        .string()
        .min(min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`)
        .max(max, `must have at most ${max} characters`)
        .refine((s) => !forbiddenControls.test(s), 'must not contain control or bidi-override characters'),
    );
}
