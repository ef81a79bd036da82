import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The direction of imports between the top-level folders is enforced by `npm run lint` (eslint.config.js,
 * layers). Each case lints a real file of the layer with one extra import added.
 */
const root = path.join(__dirname, '..', '..');
// The config is passed in, because ESLint would load the file with a dynamic import that Jest cannot run.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: require('../../eslint.config.js') });

async function lintWithImport(file: string, specifier: string, typeOnly = false): Promise<string[]> {
  const text = `${readFileSync(path.join(root, file), 'utf8')}\n${typeOnly ? `import type {} from '${specifier}';` : `import '${specifier}';`}\n`;
  const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

test.each([
  ['lib/csv.ts', '../api/app', 'lib/ may import only no other folder'],
  ['lib/jalali.ts', '../domain/registry', 'lib/ may import only no other folder'],
  ['domain/registry.ts', '../workflows/unit-state', 'domain/ may import only lib'],
  ['activities/unit-mail.ts', '../api/pages/layout', 'activities/ may import only workflows, domain, lib'],
  ['audit/output.ts', '../api/exports/report-table', 'audit/ may import only'],
  ['api/app.ts', '../worker/create-worker', 'api/ may import only'],
  ['workflows/fan-out.ts', '../audit/timeline', 'workflows/ may import only'],
  ['reliability/cluster.ts', '../test/support/stack', 'reliability/ may import only'],
])(
  'When %s imports %s, then lint refuses it',
  async (file, specifier, message) => {
    expect((await lintWithImport(file, specifier)).join('\n')).toContain(message);
  },
  60_000,
);

test.each([
  ['domain/registry.ts', '../lib/persian-text'],
  ['api/app.ts', '../audit/timeline'],
  ['worker/create-worker.ts', '../activities'],
  ['scripts/chaos.ts', '../reliability/cluster'],
  ['lib/csv.ts', '@temporalio/worker'],
])(
  'When %s imports %s, then lint allows it',
  async (file, specifier) => {
    expect(await lintWithImport(file, specifier)).toEqual([]);
  },
  60_000,
);

test('When a workflow imports the activities as a type, then lint allows it, and as a value refuses it', async () => {
  expect(await lintWithImport('workflows/fan-out.ts', '../activities', true)).toEqual([]);
  expect(await lintWithImport('workflows/fan-out.ts', '../activities')).not.toEqual([]);
}, 60_000);
