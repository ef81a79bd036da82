import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A content-addressed store for files and directive documents, kept outside Temporal: workflows hold only
 * the SHA-256. Writes are atomic (temporary file, then rename), so a crash never leaves a partial file
 * under a valid name, and storing the same bytes twice is a no-op.
 */
export class FileStore {
  /** Recently read small files, newest last: directive documents are read once per e-mail sent. */
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;

  constructor(
    readonly root: string,
    private readonly cacheLimitBytes = 32 * 1024 * 1024,
  ) {}

  private pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256.slice(0, 80)}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Stores the bytes and returns their SHA-256 (hex). */
  async put(data: Buffer | string): Promise<string> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    if (await this.has(sha256)) return sha256;
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return sha256;
  }

  /**
   * Reads stored bytes and checks them against their name; a corrupted file is an error, not data. Files are
   * immutable (named by their hash), so small ones are served from a bounded cache after the first read.
   */
  async get(sha256: string): Promise<Buffer> {
    const cached = this.cache.get(sha256);
    if (cached) {
      this.cache.delete(sha256);
      this.cache.set(sha256, cached);
      return Buffer.from(cached);
    }
    const bytes = await readFile(this.pathOf(sha256));
    if (createHash('sha256').update(bytes).digest('hex') !== sha256)
      throw new Error(`stored file ${sha256} is corrupted`);
    this.remember(sha256, bytes);
    return bytes;
  }

  private remember(sha256: string, bytes: Buffer): void {
    if (bytes.length > this.cacheLimitBytes / 32) return;
    this.cache.set(sha256, Buffer.from(bytes));
    this.cachedBytes += bytes.length;
    for (const [key, value] of this.cache) {
      if (this.cachedBytes <= this.cacheLimitBytes) break;
      this.cache.delete(key);
      this.cachedBytes -= value.length;
    }
  }

  /**
   * Where uploads wait until what refers to them is recorded (same file system as the store, so moving one
   * in is a rename). Nothing is read from here: files in it have no hash-name yet.
   */
  get stagingDir(): string {
    return join(this.root, 'staging');
  }

  /**
   * Moves a staged file into the store under its SHA-256, which the caller computed from its bytes. When the
   * store already holds those bytes, the staged copy is deleted instead.
   */
  async moveIn(stagedPath: string, sha256: string): Promise<void> {
    const path = this.pathOf(sha256);
    if (await this.has(sha256)) return unlink(stagedPath);
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    await rename(stagedPath, path);
  }

  /**
   * Deletes staged files older than `olderThanMs`: uploads a crash left between staging and recording.
   * Returns how many were deleted. A request in flight keeps its files far shorter than the age given.
   */
  async sweepStaging(olderThanMs: number, now = Date.now()): Promise<number> {
    const names = await readdir(this.stagingDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const path = join(this.stagingDir, name);
      const info = await stat(path).catch(() => null);
      if (info?.isFile() && info.mtimeMs < now - olderThanMs) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** Stores a JSON document canonically (sorted keys are not needed: callers serialise once). */
  async putJson(value: unknown): Promise<string> {
    return this.put(JSON.stringify(value));
  }

  async getJson<T>(sha256: string): Promise<T> {
    return JSON.parse((await this.get(sha256)).toString('utf8')) as T;
  }
}
