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
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCRIPT } from '../bin/cachedScript.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const libraryEntry = 'dist/msgrfw-entry.js';
writeFileSync(new URL(`../${libraryEntry}`, import.meta.url), "export * from './src/index.js';\nexport { main } from './src/cli/main.js';\n");
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });

/**
 * commander requires node's child_process when it loads, for executable subcommands (msgrfw has
 * none): with net and dgram behind it, that is about 13 million instructions of every start
 * (cachegrind), 2.5% of node's own. Its copy in the bundles loads child_process at the first
 * spawn instead.
 */
const lazyChildProcess = {
  name: 'msgrfw-lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'msgrfw' } : undefined,
    );
    b.onLoad({ filter: /^lazy-child-process$/, namespace: 'msgrfw' }, () => ({
      loader: 'js',
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };\n",
    }));
  },
};

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
    plugins: [lazyChildProcess],
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

// The command line once more, as one classic script (CommonJS, wrapped in a function) that
// bin/msgrfw.js compiles with vm.Script and a V8 code cache made at build time
// (scripts/build-code-cache.mjs): V8 then neither parses nor compiles what a run of the cache
// already compiled. Every command is in it (a command's modules still run only when it runs);
// only the render threads of `compile --jobs N` start the ES module entry above, whose URL the
// script computes from its own. The script's `import.meta.url` is its own file's URL, which the
// starter passes in.
const renderThreadUrl = {
  name: 'msgrfw-render-thread-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/]cli[\\/]threads[\\/]renderThread\.js$/ }, (args) => ({
      loader: 'js',
      contents: readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, 'new URL("./chunks/render-thread.mjs", __msgrfwScriptUrl).href'),
    }));
  },
};
const script = await build({
  absWorkingDir: root,
  entryPoints: ['dist/src/cli/main.js'],
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { 'import.meta.url': '__msgrfwScriptUrl' },
  plugins: [renderThreadUrl, lazyChildProcess],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
writeFileSync(
  join(root, SCRIPT),
  `(function (exports, require, module, __filename, __dirname, __msgrfwScriptUrl) {${script.outputFiles[0].text}\n})`,
);
