import type { DirectiveStatus } from '../../workflows/types';

/**
 * The share of a directive's units that complied (reported or accepted), in percent with one decimal, out
 * of the units still bound by it (exempted and cancelled units do not count). 100 when none is bound.
 */
export function compliancePercent(status: Pick<DirectiveStatus, 'total' | 'counts'>): number {
  const bound = status.total - status.counts.exempted - status.counts.cancelled;
  const complied = status.counts.reported + status.counts.accepted;
  return bound > 0 ? Math.round((1000 * complied) / bound) / 10 : 100;
}
