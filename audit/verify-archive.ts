import { readFile } from 'node:fs/promises';
import { sha256Hex } from './canonical-json';
import type { HistoryArchive } from './archive';
import { entryHash, genesisHash, parseManifest } from './manifest';

/**
 * Checks an archive end to end: every manifest line parses, sits at its own position (`seq`), links to the
 * line before it (`prevHash`) and carries the hash of its own content; every file a line names exists and
 * has the recorded SHA-256 and size; and no archived file is left that no line names (which is what cutting
 * lines off the end of the manifest leaves behind). Reads files one at a time, so memory stays flat.
 */

export type ProblemKind =
  | 'unreadable-line'
  | 'out-of-order'
  | 'broken-link'
  | 'entry-modified'
  | 'file-missing'
  | 'file-modified'
  | 'unlisted-file';

export interface VerifyProblem {
  /** 1-based manifest line the problem is found at; null for a file no line names. */
  position: number | null;
  kind: ProblemKind;
  file: string | null;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Readable manifest lines. */
  entries: number;
  /** Files checked against their hash. */
  filesChecked: number;
  /** Hash of the last line: note it outside the archive to detect a later cut of the manifest's tail. */
  headHash: string;
  problems: VerifyProblem[];
}

/** Verifies the archive; `progress(done, total)` is called as entries are checked. */
export async function verifyArchive(
  archive: HistoryArchive,
  progress: (done: number, total: number) => void = () => {},
): Promise<VerifyReport> {
  const { lines } = parseManifest(await archive.manifestText());
  const problems: VerifyProblem[] = [];
  let previousHash = genesisHash;
  let previousSeq = 0;
  let filesChecked = 0;
  let entries = 0;
  const named = new Set<string>();
  for (const [index, line] of lines.entries()) {
    const position = line.position;
    const entry = line.entry;
    if (!entry) {
      problems.push({ position, kind: 'unreadable-line', file: null, detail: 'the line is not a manifest entry' });
      previousHash = '';
      continue;
    }
    entries += 1;
    named.add(entry.file);
    // Relative to the line before, so that one removed line is reported once, not at every later line.
    if (entry.seq !== previousSeq + 1) {
      problems.push({
        position,
        kind: 'out-of-order',
        file: entry.file,
        detail: `entry ${entry.seq} follows entry ${previousSeq}: an entry was removed here or entries were reordered`,
      });
    }
    previousSeq = entry.seq;
    if (entryHash(entry) !== entry.hash) {
      problems.push({
        position,
        kind: 'entry-modified',
        file: entry.file,
        detail: 'the entry does not match its own hash',
      });
    } else if (entry.prevHash !== previousHash) {
      problems.push({
        position,
        kind: 'broken-link',
        file: entry.file,
        detail: 'prevHash does not match the hash of the line before: a line was removed, inserted or moved here',
      });
    }
    previousHash = entry.hash;
    try {
      const bytes = await readFile(archive.resolve(entry.file));
      filesChecked += 1;
      if (sha256Hex(bytes) !== entry.sha256 || bytes.length !== entry.size) {
        problems.push({
          position,
          kind: 'file-modified',
          file: entry.file,
          detail: 'the file does not match its recorded SHA-256',
        });
      }
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      problems.push({
        position,
        kind: 'file-missing',
        file: entry.file,
        detail: missing ? 'the file is missing' : (err as Error).message,
      });
    }
    progress(index + 1, lines.length);
  }
  for (const file of await archive.listFiles()) {
    if (!named.has(file) && !file.endsWith('.tmp')) {
      problems.push({
        position: null,
        kind: 'unlisted-file',
        file,
        detail: 'no manifest entry names this file: the manifest may have been cut short',
      });
    }
  }
  return {
    ok: problems.length === 0,
    entries,
    filesChecked,
    headHash: lines.at(-1)?.entry?.hash ?? genesisHash,
    problems,
  };
}
