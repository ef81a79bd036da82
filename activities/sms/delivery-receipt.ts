/**
 * SMPP delivery receipts. An SMSC reports a message's fate in a deliver_sm whose esm_class has the
 * MC-delivery-receipt bit (0x04) and whose text follows SMPP 3.4 Appendix B:
 * `id:<smsc id> sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000 text:…`.
 * Providers differ in case, padding, seconds in the dates and the trailing text; the TLVs
 * `receipted_message_id` and `message_state`, when present, are preferred to the text.
 */

/** What became of a message, as Farman records it. */
export type DeliveryState = 'delivered' | 'failed' | 'expired' | 'accepted' | 'unknown';

export interface DeliveryReceipt {
  /** The SMSC's id of the part, as its submit_sm_resp gave it. */
  smscId: string;
  state: DeliveryState;
  /** The SMSC's `stat` word (DELIVRD, UNDELIV, EXPIRED …) as sent. */
  stat: string;
  /** The SMSC's time of the final state (`done date`, read as UTC), ISO; null when absent or unreadable. */
  doneAt: string | null;
  /** The network's error code (`err`), as sent. */
  error: string | null;
}

const statStates: Record<string, DeliveryState> = {
  DELIVRD: 'delivered',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  DELETED: 'failed',
  EXPIRED: 'expired',
  ACCEPTD: 'accepted',
  ENROUTE: 'accepted',
  UNKNOWN: 'unknown',
};

/** SMPP message_state values (5.3.2.35) by their number. */
const messageStates: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** `YYMMDDhhmm[ss]` as an ISO instant in UTC, or null. */
function receiptDate(text: string | undefined): string | null {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(text ?? '');
  if (!m) return null;
  const at = new Date(
    Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)),
  );
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/**
 * Reads a receipt from a deliver_sm's fields, or returns null when the PDU is not a delivery receipt (an
 * incoming message, or a receipt without an id).
 */
export function parseDeliveryReceipt(pdu: Readonly<Record<string, unknown>>): DeliveryReceipt | null {
  if (typeof pdu.esm_class !== 'number' || (pdu.esm_class & 0x3c) !== 0x04) return null;
  const sm = pdu.short_message as { message?: unknown } | string | undefined;
  const raw =
    typeof sm === 'string'
      ? sm
      : typeof sm?.message === 'string'
        ? sm.message
        : Buffer.isBuffer(sm?.message)
          ? sm.message.toString('latin1')
          : '';
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(raw)?.[1];
  const smscId =
    typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id ? pdu.receipted_message_id : field('id');
  if (!smscId) return null;
  const stat =
    (typeof pdu.message_state === 'number' ? messageStates[pdu.message_state] : undefined) ??
    (field('stat') ?? 'UNKNOWN').toUpperCase();
  return {
    smscId,
    state: statStates[stat] ?? 'unknown',
    stat,
    doneAt: receiptDate(/done date:(\d+)/i.exec(raw)?.[1]),
    error: field('err') ?? null,
  };
}

/** The receipt text an SMSC sends for one part (the dev SMSC and the test sink use it). */
export function formatDeliveryReceipt(r: {
  smscId: string;
  stat: string;
  submittedAt: Date;
  doneAt: Date;
  error?: string;
  text?: string;
}): string {
  const d = (at: Date) => at.toISOString().replace(/\D/g, '').slice(2, 12);
  return `id:${r.smscId} sub:001 dlvrd:${r.stat === 'DELIVRD' ? '001' : '000'} submit date:${d(r.submittedAt)} done date:${d(r.doneAt)} stat:${r.stat} err:${r.error ?? '000'} text:${(r.text ?? '').slice(0, 20)}`;
}
