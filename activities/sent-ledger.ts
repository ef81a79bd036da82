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
 * On open, entries older than `keepMs` are dropped: a retry comes within minutes of the first attempt. A
 * retry that lands on a worker of another machine does not see this file and sends again, as before; the
 * Message-ID is the same, so the receiving system can drop the copy.
 */
export interface SentLedger {
  get(messageId: string): SendUnitMailResult | undefined;
  put(messageId: string, result: SendUnitMailResult): void;
}

interface Entry {
  at: string;
  messageId: string;
  result: SendUnitMailResult;
}

export class FileSentLedger implements SentLedger {
  private readonly sent = new Map<string, SendUnitMailResult>();

  constructor(
    readonly file: string,
    keepMs = 86_400_000,
    now = Date.now(),
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    const kept: string[] = [];
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const entry = parseEntry(line);
        if (entry && now - Date.parse(entry.at) <= keepMs) {
          this.sent.set(entry.messageId, entry.result);
          kept.push(`${line}\n`);
        }
      }
    }
    // Rewritten without the expired entries (and a torn last line), then appended to.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, kept.join(''));
    renameSync(tmp, file);
  }

  get(messageId: string): SendUnitMailResult | undefined {
    return this.sent.get(messageId);
  }

  put(messageId: string, result: SendUnitMailResult): void {
    this.sent.set(messageId, result);
    const entry: Entry = { at: new Date().toISOString(), messageId, result };
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }
}

function parseEntry(line: string): Entry | null {
  if (!line.trim()) return null;
  try {
    const entry = JSON.parse(line) as Partial<Entry>;
    return typeof entry.at === 'string' && typeof entry.messageId === 'string' && entry.result ? (entry as Entry) : null;
  } catch {
    return null;
  }
}
