import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateRegistry } from '../../scripts/generate-registry';
import { buildRegistry, loadRegistry } from '../../domain/registry';
import { registryFileSchema } from '../../domain/registry-schema';

const projectRoot = path.resolve(__dirname, '..', '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'farman-generate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('synthetic registries for benchmarks', () => {
  test.each([1100, 10_000])(
    'When %i recipients are asked for, then the registry validates and has exactly that many',
    (units) => {
      const registry = buildRegistry(registryFileSchema.parse(generateRegistry(units)));
      expect(registry.recipients()).toHaveLength(units);
      expect(registry.units.filter((u) => u.kind === 'province')).toHaveLength(1);
      expect(registry.counties()).toHaveLength(Math.round(units / 25));
      for (const county of registry.counties())
        expect(registry.children(county.code).length).toBeGreaterThanOrEqual(24);
      expect(registry.recipients().every((u) => u.head.email.endsWith('@example.org'))).toBe(true);
    },
  );

  test('When a 10,000-recipient file is loaded from disk, then it takes well under two seconds', () => {
    const file = path.join(dir, 'r10000.json');
    writeFileSync(file, JSON.stringify(generateRegistry(10_000)));
    const started = performance.now();
    const registry = loadRegistry(file);
    const elapsed = performance.now() - started;
    expect(registry.recipients()).toHaveLength(10_000);
    // Typically about 0.25 s on the 2-core CI machine; the bound only catches an accidental quadratic step.
    expect(elapsed).toBeLessThan(2000);
    const t = performance.now();
    expect(registry.under(['SYN'])).toHaveLength(10_000);
    expect(performance.now() - t).toBeLessThan(200);
  });

  test('When the same seed is used twice, then the files are identical; another seed gives another file of the same size', () => {
    const first = generateRegistry(300, 7);
    expect(generateRegistry(300, 7)).toEqual(first);
    const other = generateRegistry(300, 8);
    expect(other).not.toEqual(first);
    expect(buildRegistry(registryFileSchema.parse(other)).recipients()).toHaveLength(300);
  });

  test.each([1, 2, 12, 37, 38, 1099])('When %i recipients are asked for, then the count is still exact', (units) => {
    expect(buildRegistry(registryFileSchema.parse(generateRegistry(units))).recipients()).toHaveLength(units);
  });

  test.each([0, -5, 2.5, Number.NaN])('When %p recipients are asked for, then the generator refuses', (units) => {
    expect(() => generateRegistry(units)).toThrow(RangeError);
  });

  test('When the command line is run, then it writes a file that loads', () => {
    const out = path.join(dir, 'cli.yaml');
    const said = execFileSync(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/generate-registry.ts', '--units', '60', '--out', out],
      { cwd: projectRoot, encoding: 'utf8' },
    );
    expect(said).toContain('60 recipients');
    expect(loadRegistry(out).recipients()).toHaveLength(60);
  }, 30_000);
});
