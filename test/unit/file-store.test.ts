import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../lib/file-store';

describe('The content-addressed file store', () => {
  test('When the same bytes are stored twice, then they get one name and one file', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'farman-files-'));
    const store = new FileStore(root);
    const a = await store.put('گزارش اقدامات');
    const b = await store.put(Buffer.from('گزارش اقدامات'));
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(path.join(root, a.slice(0, 2)))).toEqual([a]);
    expect((await store.get(a)).toString('utf8')).toBe('گزارش اقدامات');
  });

  test('When a stored file is changed on disk, then reading it fails instead of returning the changed bytes', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'farman-files-'));
    const sha = await new FileStore(root).put('original');
    writeFileSync(path.join(root, sha.slice(0, 2), sha), 'tampered');
    await expect(new FileStore(root).get(sha)).rejects.toThrow('corrupted');
  });

  test('When a name is not a SHA-256, then nothing outside the store can be reached', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'farman-files-')));
    await expect(store.get('../../etc/passwd')).rejects.toThrow('not a SHA-256');
    await expect(store.has('..')).resolves.toBe(false);
  });

  test('When a cached file is read, then callers get their own copy', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'farman-files-')));
    const sha = await store.put('abc');
    const first = await store.get(sha);
    first[0] = 0x7a;
    expect((await store.get(sha)).toString()).toBe('abc');
  });
});
