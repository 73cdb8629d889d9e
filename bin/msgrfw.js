#!/usr/bin/env node
import { statSync } from 'node:fs';

// `npm run build` also bundles the command line into one file (scripts/bundle-cli.mjs), which
// starts much faster. It is used while it is at least as new as the compiled modules: after a
// bare `tsc`, they run instead.
const mtime = (path) => {
  try {
    return statSync(new URL(path, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const BUNDLE = '../dist/msgrfw.mjs';
const MODULES = '../dist/src/cli/main.js';
const { main } = await import(mtime(BUNDLE) >= mtime(MODULES) ? BUNDLE : MODULES);

main(process.argv).then((code) => {
  process.exitCode = code;
});
