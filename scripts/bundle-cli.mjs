// Bundles the compiled command line (dist/src/cli/main.js and everything it loads: the compiler,
// the targets, commander, nearley, moo, handlebars) into a few modules: Node then reads and links
// a handful of files instead of about eighty, which is most of a small compile's start-up.
// Run by `npm run build` after tsc; bin/msgrfw.js uses the bundle while it is at least as new as
// dist/src/cli/main.js (a bare `tsc` afterwards makes it fall back to dist/src).
//
// Two entries share their code through chunks (dist/chunks/), so the package still holds one
// copy of it:
// - dist/cli.mjs, the command line (bin/msgrfw.js): what every command needs. A command's own
//   module, the targets with their templates and the handlebars runtime, and handlebars' compiler
//   (only for a template changed since the build) are chunks loaded by the dynamic imports that
//   ask for them, so `check` never parses the renderers;
// - dist/msgrfw.mjs, the package's library entry (package.json `exports`, typed by
//   dist/src/index.d.ts): the library API of src/index.ts beside `main`.
// A third entry, dist/chunks/render-thread.mjs, is the module `compile`'s render threads start
// (src/cli/threads/renderThread.ts); it sits among the chunks, which the package ships whole.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const libraryEntry = 'dist/msgrfw-entry.js';
writeFileSync(new URL(`../${libraryEntry}`, import.meta.url), "export * from './src/index.js';\nexport { main } from './src/cli/main.js';\n");
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });

try {
  await build({
    absWorkingDir: root,
    entryPoints: { msgrfw: libraryEntry, cli: 'dist/src/cli/main.js', 'chunks/render-thread': 'dist/src/cli/threads/renderThread.js' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // ajv is only the fallback for a schema changed since the build (src/ir/validate.ts).
    external: ['ajv'],
    // Bundled CommonJS packages call require() for node's own modules.
    banner: { js: "import { createRequire as __msgrfwRequire } from 'node:module';\nconst require = __msgrfwRequire(import.meta.url);" },
    legalComments: 'none',
    // Less to read at every start; names stay, so stack traces (MSGRFW_DEBUG) still read.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
} finally {
  rmSync(new URL(`../${libraryEntry}`, import.meta.url), { force: true });
}
