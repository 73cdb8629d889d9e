#!/usr/bin/env node
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { cachedCommandLine } = require('./cachedScript.js');

// `npm run build` also bundles the command line (scripts/bundle-cli.mjs), which starts much
// faster: as one classic script with a V8 code cache (./cachedScript.js), and as ES modules,
// dist/cli.mjs, which loads a command's chunks only when that command runs. They are used while
// they are at least as new as the compiled modules: after a bare `tsc`, those run instead. The
// cached script runs when its cache is there, made from its exact bytes and accepted by this
// node; otherwise dist/cli.mjs. MSGRFW_DEBUG_START=1 says on stderr which one ran and why.
// CommonJS (bin/package.json): an ES module entry starts measurably slower.
const root = join(__dirname, '..');
const mtime = (path) => {
  try {
    return statSync(join(root, path)).mtimeMs;
  } catch {
    return -1;
  }
};
const BUNDLE = join('dist', 'cli.mjs');
const MODULES = join('dist', 'src', 'cli', 'main.js');
if (mtime(BUNDLE) < 0 && mtime(MODULES) < 0) {
  process.stderr.write('msgrfw: not built yet: run `npm run build` in the msgrfw checkout first\n');
  process.exit(2);
}
const say = process.env.MSGRFW_DEBUG_START === '1' ? (s) => process.stderr.write(`msgrfw: start: ${s}\n`) : () => {};
const load = (path) => import(pathToFileURL(join(root, path)).href).then((m) => m.main);

/** The command line's `main`: from the cached script, the bundle or the compiled modules. */
function commandLine() {
  if (mtime(BUNDLE) < mtime(MODULES)) {
    say('the compiled modules (the bundle is older)');
    return load(MODULES);
  }
  const cached = cachedCommandLine(root);
  if (cached.main) {
    say('the cached script');
    return Promise.resolve(cached.main);
  }
  say(`the bundle (the cached script: ${cached.unused})`);
  return load(BUNDLE);
}

commandLine()
  .then((main) => main(process.argv))
  .then((code) => {
    process.exitCode = code;
  });
