import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SendUnitMailResult } from './unit-mail';

/**
 * The messages this machine's worker handed to the relay, by Message-ID, with what was recorded of them. A
 * send that Temporal retries because the worker died after the relay accepted the message, but before the
 * workflow recorded it (a local activity's result is recorded only when its workflow task completes), finds
 * its entry and returns it instead of mailing the head a second copy.
 *
 * One file per data directory, appended one line per message (`appendFileSync`: a line survives the
 * process being killed; a machine crash may lose the last ones, which only means a copy may be sent again).
 * Entries older than `keepMs` are dropped on open and while the worker runs: a retry comes within minutes of
 * the first attempt. A retry that lands on a worker of another machine does not see this file and sends
 * again, as before; the Message-ID is the same, so the receiving system can drop the copy.
 */
export interface SentLedger<T = SendUnitMailResult> {
  get(messageId: string): T | undefined;
  put(messageId: string, result: T): void;
}

interface Entry<T> {
  at: string;
  messageId: string;
  result: T;
}

/** The ledger of mail by Message-ID; the SMS ledger (activities/sms/) keeps its own entries in its own file. */
export class FileSentLedger<T = SendUnitMailResult> implements SentLedger<T> {
  /** By Message-ID, in the order of their puts (so the oldest come first), with the time of the put. */
  private readonly sent = new Map<string, { at: number; result: T }>();
  /** Lines in the file, expired ones included; when they pass twice the live entries, the file is rewritten. */
  private lines = 0;
  private putsSincePrune = 0;

  /**
   * Opens (or creates) the ledger at `file`, dropping entries older than `keepMs`. A long-running worker
   * drops them as it goes too: every `pruneEvery` puts, expired entries leave memory, and the file is
   * rewritten once most of its lines are expired, so neither grows with the worker's uptime.
   */
  constructor(
    readonly file: string,
    private readonly keepMs = 86_400_000,
    private readonly clock: () => number = Date.now,
    private readonly pruneEvery = 1_000,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    const now = clock();
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const entry = parseEntry<T>(line);
        const at = entry ? Date.parse(entry.at) : NaN;
        if (entry && now - at <= keepMs) this.sent.set(entry.messageId, { at, result: entry.result });
      }
    }
    // Rewritten without the expired entries (and a torn last line), then appended to.
    this.rewrite();
  }

  get(messageId: string): T | undefined {
    return this.sent.get(messageId)?.result;
  }

  put(messageId: string, result: T): void {
    const at = this.clock();
    this.sent.set(messageId, { at, result });
    appendFileSync(this.file, entryLine(messageId, at, result));
    this.lines += 1;
    if (++this.putsSincePrune >= this.pruneEvery) this.prune(at);
  }

  /** Every live entry, oldest first (the SMS ledger rebuilds its index of SMSC ids from them at start). */
  entries(): IterableIterator<[string, { at: number; result: T }]> {
    return this.sent.entries();
  }

  /** How many entries are held in memory (for tests and metrics). */
  get size(): number {
    return this.sent.size;
  }

  private prune(now: number): void {
    this.putsSincePrune = 0;
    for (const [messageId, { at }] of this.sent) {
      if (now - at <= this.keepMs) break;
      this.sent.delete(messageId);
    }
    if (this.lines > 2 * this.sent.size) this.rewrite();
  }

  private rewrite(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const lines = [...this.sent].map(([messageId, { at, result }]) => entryLine(messageId, at, result));
    writeFileSync(tmp, lines.join(''));
    renameSync(tmp, this.file);
    this.lines = lines.length;
  }
}

/** One line of the file: an entry as JSON, its time as ISO text. */
function entryLine<T>(messageId: string, at: number, result: T): string {
  return `${JSON.stringify({ at: new Date(at).toISOString(), messageId, result } satisfies Entry<T>)}\n`;
}

function parseEntry<T>(line: string): Entry<T> | null {
  if (!line.trim()) return null;
  try {
    const entry = JSON.parse(line) as Partial<Entry<T>>;
    return typeof entry.at === 'string' && typeof entry.messageId === 'string' && entry.result
      ? (entry as Entry<T>)
      : null;
  } catch {
    return null;
  }
}
