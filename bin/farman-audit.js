#!/usr/bin/env node
// The `farman-audit` command (see scripts/audit.ts). In a checkout it runs the TypeScript source through
// swc; in a built image (no dev dependencies) it runs the compiled dist/scripts/audit.js.
const path = require('node:path');

const source = path.join(__dirname, '..', 'scripts', 'audit.ts');
let register = null;
try {
  register = require.resolve('@swc-node/register');
} catch {
  // production install: use the compiled CLI
}
if (register && require('node:fs').existsSync(source)) require(register);
const { runAudit } = require(
  register && require('node:fs').existsSync(source)
    ? source
    : path.join(__dirname, '..', 'dist', 'scripts', 'audit.js'),
);
runAudit(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
