#!/usr/bin/env node
import { statSync } from 'node:fs';

// `npm run build` also bundles the command line into one file (scripts/bundle-cli.mjs), which
// starts much faster. It is used while it is at least as new as the compiled modules: after a
// bare `tsc`, they run instead. The published package holds the bundle only: its command-line
// entry, dist/cli.mjs, loads a command's chunks only when that command runs.
const mtime = (path) => {
  try {
    return statSync(new URL(path, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const BUNDLE = '../dist/cli.mjs';
const MODULES = '../dist/src/cli/main.js';
if (mtime(BUNDLE) < 0 && mtime(MODULES) < 0) {
  process.stderr.write('msgrfw: not built yet: run `npm run build` in the msgrfw checkout first\n');
  process.exit(2);
}
const { main } = await import(mtime(BUNDLE) >= mtime(MODULES) ? BUNDLE : MODULES);

main(process.argv).then((code) => {
  process.exitCode = code;
});
