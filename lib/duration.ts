import { z } from 'zod';
import { toAsciiDigits } from './persian-text';

const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration written as a sum of parts such as `90s`, `30m`, `2h`, `1d12h`, or a plain number of
 * seconds. Returns milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : undefined;
  const text = toAsciiDigits(input).trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^(\d+[smhd])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([smhd])/g)) total += Number(n) * unitMs[u as keyof typeof unitMs];
  return total;
}

/** Formats milliseconds back to the compact form `1d2h30m`; used in messages and exports. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const u of ['d', 'h', 'm', 's'] as const) {
    const n = Math.floor(rest / unitMs[u]);
    if (n > 0) out += `${n}${u}`;
    rest -= n * unitMs[u];
  }
  return out || `${ms}ms`;
}

/** The longest duration a policy may hold (a year); longer values are typos, not policies. */
export const maxDurationMs = 366 * unitMs.d;

/** A zod duration: a string such as `2h` or a number of seconds, parsed to milliseconds. */
export const durationSchema = z.union([z.string().max(40), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 30m, 2h or 1d12h' });
    return z.NEVER;
  }
  if (ms > maxDurationMs) {
    ctx.addIssue({ code: 'custom', message: 'must be at most 366 days' });
    return z.NEVER;
  }
  return ms;
});
