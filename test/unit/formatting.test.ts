import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** `npm run lint` runs `prettier --check` with the repository's settings; these cases show what it refuses. */
const root = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'farman-format-'));

/** Whether `prettier --check` accepts the code, with the repository's settings (run as lint runs it). */
function formatted(code: string): boolean {
  const file = path.join(dir, 'example.ts');
  writeFileSync(file, code);
  const bin = path.join(root, 'node_modules', '.bin', 'prettier');
  const run = spawnSync(bin, ['--check', '--config', path.join(root, '.prettierrc.json'), file], { encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`prettier failed: ${run.stderr}`);
  return run.status === 0;
}

test('When code is formatted as Prettier would, then the check passes', () => {
  expect(formatted("export const greeting = 'سلام';\n")).toBe(true);
});

test('When code uses double quotes, cramped spacing or a missing semicolon, then the check fails', () => {
  expect(formatted('export const greeting = "سلام";\n')).toBe(false);
  expect(formatted('export const sum=(a:number,b:number)=>a+b;\n')).toBe(false);
  expect(formatted("export const greeting = 'سلام'\n")).toBe(false);
});
