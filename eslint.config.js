// Lint: typescript-eslint with type information, the direction of imports between the top-level folders,
// and the workflow sandbox rule: code under workflows/ may import only Temporal's workflow-safe packages
// and types; Node built-ins, zod, nodemailer, express and the activities are allowed as type-only imports.
const { builtinModules } = require('node:module');
const tseslint = require('typescript-eslint');

const forbiddenInWorkflows = [
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
  'zod',
  'nodemailer',
  'express',
  'pino',
  'pino-http',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

/**
 * The layers, each with the folders it may import (besides its own). Building blocks (lib) import nothing
 * of Farman's; the domain builds on them; workflows on the domain; activities carry out what workflows ask;
 * audit reads their histories; the API and the worker sit on top; scripts, bench and the reliability
 * harness drive everything; tests may import anything. A wrong arrow fails `npm run lint`.
 */
const layers = {
  lib: [],
  domain: ['lib'],
  workflows: ['domain', 'lib'],
  activities: ['workflows', 'domain', 'lib'],
  audit: ['activities', 'workflows', 'domain', 'lib'],
  api: ['audit', 'workflows', 'domain', 'lib'],
  worker: ['activities', 'audit', 'workflows', 'domain', 'lib'],
  scripts: ['reliability', 'bench', 'worker', 'api', 'activities', 'audit', 'workflows', 'domain', 'lib'],
  bench: ['scripts', 'reliability', 'worker', 'api', 'activities', 'audit', 'workflows', 'domain', 'lib'],
  reliability: ['scripts', 'worker', 'api', 'activities', 'audit', 'workflows', 'domain', 'lib'],
};
const allFolders = [...Object.keys(layers), 'test'];
/** The import patterns a layer must not use: every other project folder it is not allowed. */
const forbiddenFolders = (layer) => allFolders.filter((f) => f !== layer && !layers[layer].includes(f));
const layerPattern = (layer) => ({
  // Relative imports only, so a package such as @temporalio/worker is not taken for the worker folder.
  regex: `^(\\.\\./)+(${forbiddenFolders(layer).join('|')})(/|$)`,
  message: `${layer}/ may import only ${layers[layer].join(', ') || "no other folder of Farman's"} (eslint.config.js, layers).`,
});

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'test/artifacts/', 'coverage/', 'bench/results/', '**/*.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  ...Object.keys(layers)
    .filter((layer) => layer !== 'workflows')
    .map((layer) => ({
      files: [`${layer}/**/*.ts`],
      ignores: layer === 'bench' ? ['bench/workflows/**'] : [],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [layerPattern(layer)] }] },
    })),
  {
    files: ['workflows/**/*.ts', 'bench/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.map((name) => ({
            name,
            message: 'Workflow code runs in a deterministic sandbox: import this as a type only.',
            allowTypeImports: true,
          })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              message: 'Workflows import activities as types only.',
              allowTypeImports: true,
            },
            { ...layerPattern('workflows'), regex: layerPattern('workflows').regex.replace('activities|', '') },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
