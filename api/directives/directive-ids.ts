import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { jalaliYear } from '../../lib/jalali';

/**
 * Directive ids are readable and sortable: the Jalali year and a six-digit serial, e.g. `1405-000042`.
 * The serial lives in a small file per year. The file is only a hint: Temporal rejects a second workflow
 * with the same id, and the caller then asks for the next number, so two API processes never share an id.
 */
export class DirectiveIdAllocator {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {}

  /**
   * Moves the year's serial forward so the next id comes after `serial` (never backwards). Used when the
   * counter file is behind the namespace, e.g. after a restore or with a second data directory.
   */
  advancePast(year: number, serial: number): Promise<void> {
    const result = this.chain.then(async () => {
      const file = path.join(this.dir, `serial-${year}`);
      await mkdir(this.dir, { recursive: true });
      const current = Number((await readFile(file, 'utf8').catch(() => '0')).trim()) || 0;
      if (serial <= current) return;
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, String(serial));
      await rename(tmp, file);
    });
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** The next id for the year of `now` in Asia/Tehran. */
  next(now: Date): Promise<string> {
    const result = this.chain.then(async () => {
      const year = jalaliYear(now);
      const file = path.join(this.dir, `serial-${year}`);
      await mkdir(this.dir, { recursive: true });
      const current = Number((await readFile(file, 'utf8').catch(() => '0')).trim()) || 0;
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, String(current + 1));
      await rename(tmp, file);
      return `${year}-${String(current + 1).padStart(6, '0')}`;
    });
    this.chain = result.catch(() => undefined);
    return result;
  }
}

/**
 * Remembers which directive a client request id created, so a repeated request returns the original.
 * A claim is a hard link of a complete file onto the request's name: atomic across processes, and a
 * reader never sees a half-written claim.
 */
export class RequestLedger {
  constructor(private readonly dir: string) {}

  private fileOf(clientRequestId: string): string {
    return path.join(this.dir, createHash('sha256').update(clientRequestId).digest('hex'));
  }

  async lookup(clientRequestId: string): Promise<string | null> {
    const text = await readFile(this.fileOf(clientRequestId), 'utf8').catch(() => null);
    return text ? (JSON.parse(text) as { directiveId: string }).directiveId : null;
  }

  /** Claims the request id for a directive; returns the directive that already holds it, if any. */
  async claim(clientRequestId: string, directiveId: string): Promise<string | null> {
    await mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `${randomUUID()}.tmp`);
    await writeFile(tmp, JSON.stringify({ directiveId, clientRequestId }));
    try {
      await link(tmp, this.fileOf(clientRequestId));
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return this.lookup(clientRequestId);
    } finally {
      await unlink(tmp);
    }
  }

  /** Points a claimed request id at another directive (after an id collision). */
  async repoint(clientRequestId: string, directiveId: string): Promise<void> {
    const tmp = path.join(this.dir, `${randomUUID()}.tmp`);
    await writeFile(tmp, JSON.stringify({ directiveId, clientRequestId }));
    await rename(tmp, this.fileOf(clientRequestId));
  }
}
