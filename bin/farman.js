#!/usr/bin/env node
// The `farman` command. In a checkout it runs the TypeScript source through swc; in a built image (no
// dev dependencies) it runs the compiled dist/scripts/farman.js.
const path = require('node:path');

const source = path.join(__dirname, '..', 'scripts', 'farman.ts');
let register = null;
try {
  register = require.resolve('@swc-node/register');
} catch {
  // production install: use the compiled CLI
}
if (register && require('node:fs').existsSync(source)) {
  require(register);
  require(source);
} else {
  require(path.join(__dirname, '..', 'dist', 'scripts', 'farman.js'));
}
