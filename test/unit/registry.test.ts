import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import {
  buildRegistry,
  formatIssuePath,
  loadRegistry,
  RegistryFileError,
  sampleRegistryPath,
  type Registry,
  type TargetResolution,
} from '../../domain/registry';
import type { RegistryFile, UnitEntry } from '../../domain/registry-schema';

const tehranCounties = [
  'تهران',
  'ری',
  'شمیرانات',
  'اسلامشهر',
  'شهریار',
  'ورامین',
  'ملارد',
  'رباط\u200cکریم',
  'پاکدشت',
  'قدس',
  'بهارستان',
  'پیشوا',
  'پردیس',
  'دماوند',
  'فیروزکوه',
  'قرچک',
];
const reservedEmail = /^[a-z0-9._+-]+@([a-z0-9-]+\.)*example\.(org|com|net)$/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'farman-registry-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a registry file of the given name into this suite's temporary folder. */
function writeRegistry(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The sample file as plain JSON, for tests that break one thing in it. */
function sampleFile(): RegistryFile {
  return JSON.parse(readFileSync(sampleRegistryPath, 'utf8')) as RegistryFile;
}

const contact = (who: string) => ({
  title: `عنوان ${who}`,
  name: `نام ${who}`,
  email: `${who.toLowerCase()}@example.org`,
});
const escalation = (who: string) => ({ deputy: contact(`${who}-deputy`), governor: contact(`${who}-governor`) });

/** A minimal valid registry: province PX with escalation, county PC, district PC-D and agency PC-A under PC. */
function smallFile(): { units: UnitEntry[] } {
  return {
    units: [
      { code: 'PX', name: 'استان', kind: 'province', head: contact('PX'), escalation: escalation('PX') },
      { code: 'PC', name: 'شهرستان', kind: 'county', parent: 'PX', head: contact('PC') },
      { code: 'PC-D', name: 'بخش', kind: 'district', parent: 'PC', head: contact('PCD') },
      { code: 'PC-A', name: 'اداره', kind: 'agency', parent: 'PC', head: contact('PCA') },
    ],
  };
}

/** Catches the RegistryFileError a call must throw. */
function registryError(fn: () => unknown): RegistryFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryFileError) return err;
    throw err;
  }
  throw new Error('expected a RegistryFileError, but nothing was thrown');
}

function issuesOf(result: TargetResolution) {
  if (!('issues' in result)) throw new Error(`expected issues, got codes ${result.codes.join(', ')}`);
  return result.issues;
}

function codesOf(result: TargetResolution) {
  if (!('codes' in result)) throw new Error(`expected codes, got issues ${JSON.stringify(result.issues)}`);
  return result.codes;
}

describe('the sample registry', () => {
  let registry: Registry;
  beforeAll(() => {
    registry = loadRegistry();
  });

  test('When the default registry is loaded, then it is the Tehran province sample with its 16 counties', () => {
    expect(sampleRegistryPath).toMatch(/domain[/\\]data[/\\]sample-registry\.json$/);
    expect(registry.source).toBe('sample data modelled on Tehran province; names of people are invented');
    const kinds = registry.units.reduce<Record<string, number>>(
      (n, u) => ({ ...n, [u.kind]: (n[u.kind] ?? 0) + 1 }),
      {},
    );
    expect(kinds).toEqual({ province: 1, county: 16, district: 34, agency: 10 });
    expect(registry.counties().map((c) => c.name)).toEqual(tehranCounties.map((n) => `شهرستان ${n}`));
    expect(registry.recipients()).toHaveLength(44);
  });

  test('When Tehran county is read, then it has its central, Kan and Aftab districts and four agencies', () => {
    expect(registry.children('THR-TEH').map((u) => [u.code, u.name])).toEqual([
      ['THR-TEH-MRK', 'بخش مرکزی'],
      ['THR-TEH-KAN', 'بخش کن'],
      ['THR-TEH-AFT', 'بخش آفتاب'],
      ['THR-TEH-AG-EDU', 'آموزش و پرورش شهرستان تهران'],
      ['THR-TEH-AG-ELC', 'اداره برق شهرستان تهران'],
      ['THR-TEH-AG-TEL', 'مخابرات شهرستان تهران'],
      ['THR-TEH-AG-POL', 'فرماندهی انتظامی شهرستان تهران'],
    ]);
  });

  test('When any unit is read, then every e-mail address is on a reserved example domain', () => {
    for (const u of registry.units) {
      for (const c of [u.head, u.escalation.deputy, u.escalation.governor]) expect(c.email).toMatch(reservedEmail);
    }
  });

  test('When a district is read, then its head is «بخشدار <district>» and it escalates to its own county', () => {
    const districts = registry.units.filter((u) => u.kind === 'district');
    for (const d of districts) {
      expect(d.head.title).toBe(`بخشدار ${d.name.replace(/^بخش /, '')}`);
      const county = registry.get(d.parent as string);
      expect(county?.kind).toBe('county');
      expect(d.county).toBe(county?.code);
      expect(d.escalation).toEqual(county?.escalation);
      expect(d.escalation.governor.title).toBe(county?.head.title);
      expect(d.escalation.deputy.title).toMatch(/^معاون فرماندار /);
    }
  });

  test('When the units are listed, then codes are unique, stable and follow the THR-<county>-<unit> scheme', () => {
    const codes = registry.units.map((u) => u.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const u of registry.units) {
      const pattern = {
        province: /^THR$/,
        county: /^THR-[A-Z]{3}$/,
        district: /^THR-[A-Z]{3}-[A-Z]{3}$/,
        agency: /^THR-[A-Z]{3}-AG-[A-Z]{3}$/,
      }[u.kind];
      expect(u.code).toMatch(pattern);
    }
  });

  test('When the province is read, then it has no county and escalates to the provincial governor', () => {
    const province = registry.get('THR');
    expect(province?.county).toBeUndefined();
    expect(province?.escalation.governor.title).toBe('استاندار تهران');
    expect(registry.get('THR-REY')?.county).toBe('THR-REY');
  });

  test('When a caller tries to edit a resolved unit, then it cannot: units are shared and frozen', () => {
    const unit = registry.get('THR-TEH-MRK') as { head: { email: string }; escalation: { deputy: { email: string } } };
    expect(() => {
      unit.head.email = 'x@example.org';
    }).toThrow(TypeError);
    expect(() => {
      unit.escalation.deputy.email = 'x@example.org';
    }).toThrow(TypeError);
  });

  test('When the same registry is written as YAML, then it loads to the same units', () => {
    const yamlFile = writeRegistry('sample.yaml', toYaml(sampleFile()));
    expect(loadRegistry(yamlFile).units).toEqual(registry.units);
  });
});

describe('when a registry file is bad, loading fails and says where', () => {
  test('When a registry file has a bad e-mail, then loading fails with the file and the field path', () => {
    const file = sampleFile();
    file.units[3].head.email = 'bakhshdar at example.org';
    const name = writeRegistry('bad-email.json', file);
    const err = registryError(() => loadRegistry(name));
    expect(err.file).toBe(name);
    expect(err.message).toContain(name);
    expect(err.message).toContain('units[3].head.email: Invalid email address');
    expect(err.issues).toEqual([{ path: ['units', 3, 'head', 'email'], message: 'Invalid email address' }]);
  });

  test('When several fields are bad, then every one is listed, including a bad kind and a lower-case code', () => {
    const file = sampleFile() as unknown as { units: Record<string, unknown>[] };
    file.units[2].kind = 'village';
    file.units[5].code = 'thr-x';
    (file.units[7].head as Record<string, unknown>).name = '';
    const err = registryError(() => loadRegistry(writeRegistry('many.json', file)));
    expect(err.issues.map((i) => formatIssuePath(i.path))).toEqual([
      'units[2].kind',
      'units[5].code',
      'units[7].head.name',
    ]);
  });

  test('When the file does not exist, then the error names it and says it cannot be read', () => {
    const missing = path.join(dir, 'missing.json');
    const err = registryError(() => loadRegistry(missing));
    expect(err.message).toContain(missing);
    expect(err.message).toMatch(/\(file\): cannot be read/);
  });

  test('When the file is not JSON, or not YAML, then the error says which format failed', () => {
    expect(registryError(() => loadRegistry(writeRegistry('broken.json', '{ "units": [ '))).message).toMatch(
      /is not valid JSON/,
    );
    expect(registryError(() => loadRegistry(writeRegistry('broken.yml', 'units: [ {'))).message).toMatch(
      /is not valid YAML/,
    );
  });

  test('When the file has no units, then the error points at units', () => {
    expect(registryError(() => loadRegistry(writeRegistry('empty.json', { units: [] }))).issues[0].path).toEqual([
      'units',
    ]);
  });

  test('When two units share a code, then the duplicate is named by its path and the first by its index', () => {
    const file = sampleFile();
    file.units[9].code = file.units[4].code;
    const err = registryError(() => loadRegistry(writeRegistry('dup.json', file)));
    expect(err.issues).toContainEqual({
      path: ['units', 9, 'code'],
      message: `duplicate code ${file.units[4].code} (already used by units[4])`,
    });
  });

  test('When a unit names a parent that does not exist, then the parent field is named', () => {
    const file = sampleFile();
    file.units[6].parent = 'THR-NOPE';
    const err = registryError(() => loadRegistry(writeRegistry('orphan.json', file)));
    expect(err.message).toContain('units[6].parent: unknown parent THR-NOPE');
  });

  test('When parents form a cycle, then the cycle is reported once with its chain of codes', () => {
    const file = smallFile();
    file.units[1].parent = 'PC-A';
    file.units[3].parent = 'PC-D';
    file.units[2].parent = 'PC';
    const err = registryError(() => buildRegistry(file));
    const cycles = err.issues.filter((i) => i.message.includes('cycle'));
    expect(cycles).toEqual([
      { path: ['units', 1, 'parent'], message: 'parent chain forms a cycle: PC → PC-A → PC-D → PC' },
    ]);
  });

  test('When a unit is its own parent, then that is a cycle too', () => {
    const file = smallFile();
    file.units[2].parent = 'PC-D';
    const err = registryError(() => buildRegistry(file));
    expect(err.issues).toContainEqual({
      path: ['units', 2, 'parent'],
      message: 'parent chain forms a cycle: PC-D → PC-D',
    });
  });

  test.each([
    ['a district under the province', 2, 'PX', 'PC-D is a district and must be under a county, but PX is a province'],
    ['an agency under a district', 3, 'PC-D', 'PC-A is an agency and must be under a county, but PC-D is a district'],
    ['a county under a county', 1, 'PC', 'PC is a county and must be under a province'],
  ])('When the file puts %s, then the hierarchy error names the unit', (_, index, parent, message) => {
    const file = smallFile();
    file.units[index].parent = parent;
    const err = registryError(() => buildRegistry(file));
    expect(err.issues.find((i) => i.path.join('.') === `units.${index}.parent`)?.message).toContain(message);
  });

  test('When a county has no parent or the province has one, then both are rejected', () => {
    const file = smallFile();
    delete file.units[1].parent;
    file.units[0].parent = 'PC';
    const err = registryError(() => buildRegistry(file));
    expect(err.issues).toEqual([
      { path: ['units', 0, 'parent'], message: 'PX is a province and cannot have a parent' },
      { path: ['units', 1, 'parent'], message: 'PC is a county and needs a parent (a province)' },
    ]);
  });

  test('When no unit on a branch has escalation contacts, then the error names each unit left without them', () => {
    const file = smallFile();
    delete file.units[0].escalation;
    const err = registryError(() => buildRegistry(file, 'memory.json'));
    expect(err.message).toMatch(/^registry file memory\.json is invalid/);
    expect(err.issues.map((i) => i.message)).toEqual([
      'PX has no escalation contacts and no ancestor provides them',
      'PC has no escalation contacts and no ancestor provides them',
      'PC-D has no escalation contacts and no ancestor provides them',
      'PC-A has no escalation contacts and no ancestor provides them',
    ]);
    expect(err.issues[2].path).toEqual(['units', 2, 'escalation']);
  });

  test('When a registry is built from memory, then the message says "registry" rather than a file', () => {
    const file = smallFile();
    file.units[1].parent = 'NOPE';
    expect(registryError(() => buildRegistry(file)).message).toBe(
      'registry is invalid:\n  units[1].parent: unknown parent NOPE',
    );
  });
});

describe('escalation contacts are inherited from the nearest ancestor', () => {
  test('When only the province has contacts, then every unit below inherits them', () => {
    const registry = buildRegistry(smallFile());
    expect(registry.get('PC-D')?.escalation.governor.email).toBe('px-governor@example.org');
    expect(registry.get('PC-A')?.county).toBe('PC');
  });

  test('When a county and a district have their own, then the nearest one wins', () => {
    const file = smallFile();
    file.units[1].escalation = escalation('PC');
    file.units[2].escalation = escalation('PCD');
    const registry = buildRegistry(file);
    expect(registry.get('PC-D')?.escalation.deputy.email).toBe('pcd-deputy@example.org');
    expect(registry.get('PC-A')?.escalation.deputy.email).toBe('pc-deputy@example.org');
    expect(registry.get('PX')?.escalation.deputy.email).toBe('px-deputy@example.org');
  });

  test('When a registry is built, then the caller’s file objects are not frozen or changed', () => {
    const file = smallFile();
    buildRegistry(file);
    expect(Object.isFrozen(file.units[0].head)).toBe(false);
    expect(Object.isFrozen(file.units[0].escalation)).toBe(false);
    expect('county' in file.units[2]).toBe(false);
  });
});

describe('lookups', () => {
  const registry = loadRegistry();

  test('When a code is looked up, then the unit comes back, and an unknown code gives undefined', () => {
    expect(registry.get('THR-SHM-LVS')?.name).toBe('بخش لواسانات');
    expect(registry.get('THR-NONE')).toBeUndefined();
    expect(registry.children('THR-NONE')).toEqual([]);
    expect(registry.children('THR-TEH-MRK')).toEqual([]);
    expect(registry.children('THR')).toEqual(registry.counties());
  });

  test('When recipients under several parents are asked for, then each comes once, in file order, parents excluded', () => {
    const under = registry.under(['THR-REY', 'THR', 'THR-REY']);
    expect(under).toEqual(registry.recipients());
    expect(registry.under(['THR-PRD', 'THR-REY']).map((u) => u.code)).toEqual([
      'THR-REY-MRK',
      'THR-REY-KHR',
      'THR-REY-FSH',
      'THR-REY-AG-EDU',
      'THR-REY-AG-POL',
      'THR-PRD-MRK',
      'THR-PRD-BMH',
      'THR-PRD-JJR',
    ]);
    expect(registry.under(['THR-TEH-MRK', 'NOPE'])).toEqual([]);
  });
});

describe('resolving a directive’s targets', () => {
  const registry = loadRegistry();

  test('When a directive targets all units, then every district and agency is a target and no county is', () => {
    const codes = codesOf(registry.resolveTargets({ mode: 'all' }));
    expect(codes).toHaveLength(44);
    expect(codes.every((c) => ['district', 'agency'].includes(registry.get(c)?.kind ?? ''))).toBe(true);
  });

  test('When a directive targets the units under Tehran county, then its 3 districts and 4 agencies are the targets', () => {
    expect(codesOf(registry.resolveTargets({ mode: 'under', parents: ['THR-TEH'] }))).toEqual([
      'THR-TEH-MRK',
      'THR-TEH-KAN',
      'THR-TEH-AFT',
      'THR-TEH-AG-EDU',
      'THR-TEH-AG-ELC',
      'THR-TEH-AG-TEL',
      'THR-TEH-AG-POL',
    ]);
  });

  test('When a parent is unknown, then the issue points at that parent', () => {
    expect(issuesOf(registry.resolveTargets({ mode: 'under', parents: ['THR-TEH', 'THR-XYZ'] }))).toEqual([
      { path: ['targets', 'parents', 1], message: 'unknown unit code THR-XYZ' },
    ]);
  });

  test('When a parent is itself a recipient, then the issue says it has nothing under it', () => {
    const issues = issuesOf(registry.resolveTargets({ mode: 'under', parents: ['THR-TEH-KAN'] }));
    expect(issues).toEqual([
      { path: ['targets', 'parents', 0], message: expect.stringContaining('has no units under it') },
    ]);
  });

  test('When a list repeats a code, then it appears once, in the order first given', () => {
    expect(
      codesOf(
        registry.resolveTargets({
          mode: 'list',
          codes: ['THR-REY-KHR', 'THR-TEH-MRK', 'THR-REY-KHR', 'THR-TEH-AG-POL'],
        }),
      ),
    ).toEqual(['THR-REY-KHR', 'THR-TEH-MRK', 'THR-TEH-AG-POL']);
  });

  test('When a list holds an unknown code and a county, then each gets an issue at its index', () => {
    const issues = issuesOf(registry.resolveTargets({ mode: 'list', codes: ['THR-TEH-MRK', 'THR-NOPE', 'THR-TEH'] }));
    expect(issues).toEqual([
      { path: ['targets', 'codes', 1], message: 'unknown unit code THR-NOPE' },
      { path: ['targets', 'codes', 2], message: expect.stringContaining('THR-TEH is a county, not a recipient') },
    ]);
  });

  test.each([
    ['an empty list', { mode: 'list' as const, codes: [] }],
    ['no parents', { mode: 'under' as const, parents: [] }],
  ])('When a directive targets %s, then the issue says the target set is empty', (_, targets) => {
    expect(issuesOf(registry.resolveTargets(targets))).toEqual([
      { path: ['targets'], message: 'the target set is empty' },
    ]);
  });

  test('When a county has no recipients under it, then targeting it alone gives the empty-set issue', () => {
    const file = smallFile();
    file.units.splice(2, 2);
    const small = buildRegistry(file);
    expect(issuesOf(small.resolveTargets({ mode: 'under', parents: ['PC'] }))).toEqual([
      { path: ['targets'], message: 'the target set is empty' },
    ]);
    expect(issuesOf(small.resolveTargets({ mode: 'all' }))).toEqual([
      { path: ['targets'], message: 'the target set is empty' },
    ]);
  });
});
