#!/usr/bin/env node
import { statSync } from 'node:fs';
import { cachedCommandLine } from './cachedScript.js';

// `npm run build` also bundles the command line (scripts/bundle-cli.mjs), which starts much
// faster: as one classic script with a V8 code cache (./cachedScript.js), and as ES modules,
// dist/cli.mjs, which loads a command's chunks only when that command runs. They are used while
// they are at least as new as the compiled modules: after a bare `tsc`, those run instead. The
// cached script runs when its cache is there, made from its exact bytes and accepted by this
// node; otherwise dist/cli.mjs. MSGRFW_DEBUG_START=1 says on stderr which one ran and why.
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
const say = process.env.MSGRFW_DEBUG_START === '1' ? (s) => process.stderr.write(`msgrfw: start: ${s}\n`) : () => {};
let main;
if (mtime(BUNDLE) >= mtime(MODULES)) {
  const cached = cachedCommandLine(new URL('..', import.meta.url));
  if (cached.main) {
    say('the cached script');
    main = cached.main;
  } else {
    say(`the bundle (the cached script: ${cached.unused})`);
    ({ main } = await import(BUNDLE));
  }
} else {
  say('the compiled modules (the bundle is older)');
  ({ main } = await import(MODULES));
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
