// Bundles the compiled command line (dist/src/cli/main.js and everything it loads: the compiler,
// the targets, commander, nearley, moo, handlebars) into one module, dist/msgrfw.mjs. Node then
// reads and links one file instead of about eighty, which is most of a small compile's start-up.
// Run by `npm run build` after tsc; bin/msgrfw.js uses the bundle while it is at least as new as
// dist/src/cli/main.js (a bare `tsc` afterwards makes it fall back to dist/src).
//
// The same module is the package's library entry (package.json `exports`, typed by
// dist/src/index.d.ts): it exports the library API of src/index.ts beside `main`, so the
// published package holds one copy of the code, not the bundle and the module tree.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The language server's protocol side (dist/src/lsp/server.js with vscode-languageserver, a
 * third of the size of everything else) is a file of its own, dist/msgrfw-lsp.mjs, which only
 * `msgrfw lsp` imports: in the main bundle its import stays an import of that file, so no other
 * command reads or parses it. The server is handed the language services by the command, so
 * the two files share no code.
 */
const LSP_BUNDLE = './msgrfw-lsp.mjs';
const lspApart = {
  name: 'lsp-apart',
  setup(b) {
    b.onResolve({ filter: /[/\\]lsp[/\\]server\.js$/ }, () => ({ path: LSP_BUNDLE, external: true }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled CommonJS packages call require() for node's own modules.
  banner: { js: "import { createRequire as __msgrfwRequire } from 'node:module';\nconst require = __msgrfwRequire(import.meta.url);" },
  legalComments: 'none',
  // Less to read at every start; names stay, so stack traces (MSGRFW_DEBUG) still read.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['dist/src/lsp/server.js'],
  outfile: `dist/${LSP_BUNDLE.slice(2)}`,
});

await build({
  ...common,
  plugins: [lspApart],
  stdin: {
    contents: "export * from './dist/src/index.js';\nexport { main } from './dist/src/cli/main.js';\n",
    resolveDir: root,
    sourcefile: 'msgrfw-entry.js',
  },
  outfile: 'dist/msgrfw.mjs',
  // ajv is only the fallback for a schema changed since the build (src/ir/validate.ts).
  external: ['ajv'],
});
