import type { ChannelOutcome } from '../unit-mail';
import type { FileSentLedger } from '../sent-ledger';
import { maxParts } from './sms-text';

/** One part the SMSC accepted: which unit's message it belongs to, so its delivery receipt finds the unit. */
export interface SmsPartRecord {
  smscId: string;
  reference: string;
  index: number;
  workflowId: string;
  purpose: string;
}

/** A line of the SMS ledger: a part the SMSC accepted, or the finished outcome of a message. */
export interface SmsLedgerEntry {
  part?: SmsPartRecord;
  outcome?: ChannelOutcome;
}

/**
 * What this machine's worker handed to the SMSC, on the mail ledger's file format (activities/sent-ledger.ts):
 * a message's outcome by its reference (a retried send returns it instead of texting the head again), each
 * accepted part by `reference#index` (a retry after a drop mid-message sends only the missing parts), and an
 * index of parts by SMSC id, rebuilt at start, so a delivery receipt that arrives after a restart still
 * finds its unit.
 */
export class SmsLedger {
  private readonly bySmscId = new Map<string, SmsPartRecord>();

  constructor(private readonly file: FileSentLedger<SmsLedgerEntry>) {
    for (const [, { result }] of file.entries()) if (result.part) this.bySmscId.set(result.part.smscId, result.part);
  }

  outcome(reference: string): ChannelOutcome | undefined {
    return this.file.get(reference)?.outcome;
  }

  putOutcome(reference: string, outcome: ChannelOutcome): void {
    this.file.put(reference, { outcome });
  }

  /** SMSC ids of the parts of a message already accepted, by part index. */
  sentParts(reference: string): Map<number, string> {
    const parts = new Map<number, string>();
    for (let i = 0; i < maxParts * 2; i++) {
      const part = this.file.get(`${reference}#${i}`)?.part;
      if (part) parts.set(i, part.smscId);
    }
    return parts;
  }

  putPart(part: SmsPartRecord): void {
    this.bySmscId.set(part.smscId, part);
    this.file.put(`${part.reference}#${part.index}`, { part });
  }

  /** The part an SMSC id belongs to, for its delivery receipt. */
  partOf(smscId: string): SmsPartRecord | undefined {
    return this.bySmscId.get(smscId);
  }
}
