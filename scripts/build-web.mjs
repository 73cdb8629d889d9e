// Builds the playground into web/dist/: index.html, style.css, app.js (the page: editor and
// panes, with the compiler's worker inside it as text) and mermaid.min.js (Mermaid's own
// browser build, loaded when the graph is first shown). No CDN: the folder works from file://
// and from any static host. Run after `npm run build`, which generates what this bundles
// beside the sources: the parser (src/parse/grammar.generated.ts), the precompiled templates
// and the IR schema's validator (dist/).
//
// The compiler is the command line's, from src/ and targets/: the only difference is the one
// module through which it reads its own files (src/files/packageText.ts), replaced here by one
// that serves the same files' texts, embedded now. The bundle for the browser must not reach
// node's modules: esbuild fails the build if it does.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'web', 'dist');
const at = (...parts) => join(root, ...parts);

// The modules the build wrote over tsc's "none" (scripts/precompile-templates.mjs,
// scripts/build-ir-validator.mjs), in place of their sources.
const GENERATED = {
  'precompiled.js': at('dist', 'targets', 'precompiled.js'),
  'precompiledValidator.js': at('dist', 'src', 'ir', 'precompiledValidator.js'),
};
for (const file of [...Object.values(GENERATED), at('src', 'parse', 'grammar.generated.ts')]) {
  if (!existsSync(file)) fail(`${relative(root, file)} is missing: run npm run build first`);
}

/** Every file the compiler reads through packageText: the templates and the IR schema. */
function packageTexts() {
  const texts = { 'src/ir/schema.json': readFileSync(at('src', 'ir', 'schema.json'), 'utf8') };
  for (const dir of readdirSync(at('targets'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(at('targets', dir.name)).filter((f) => f.endsWith('.hbs'))) texts[`targets/${dir.name}/${f}`] = readFileSync(at('targets', dir.name, f), 'utf8');
  }
  return texts;
}

// The precompiled templates and validator are used only while they match their sources; a stale
// build would fall back to handlebars' compiler or ajv, which the page does not carry. After a
// bare tsc, the modules say "none".
const { precompiledTemplates: templates } = await import(GENERATED['precompiled.js']);
const { precompiledValidator } = await import(GENERATED['precompiledValidator.js']);
const texts = packageTexts();
if (!templates || precompiledValidator?.schemaSource !== texts['src/ir/schema.json']) fail('the precompiled templates or validator are missing or stale: run npm run build first');
for (const [key, t] of Object.entries(templates)) if (texts[`targets/${key}`] !== t.source) fail(`targets/${key} changed since the last build: run npm run build first`);

const examples = Object.fromEntries(readdirSync(at('examples')).filter((f) => f.endsWith('.msgr')).sort().map((f) => [f, readFileSync(at('examples', f), 'utf8')]));

/** The modules the playground's bundles get from this script. */
const playgroundModules = (workerSource) => ({
  name: 'msgrfw-playground',
  setup(b) {
    b.onResolve({ filter: /(^|\/)packageText\.js$/ }, () => ({ path: 'package-text', namespace: 'msgrfw' }));
    b.onResolve({ filter: /^\.\/(precompiled|precompiledValidator)\.js$/ }, (args) => ({ path: GENERATED[args.path.slice(2)] }));
    // The fallbacks for a build older than its sources; checked above never to be needed.
    b.onResolve({ filter: /(^|\/)dependency\.js$/ }, () => ({ path: 'dependency', namespace: 'msgrfw' }));
    b.onResolve({ filter: /^msgrfw:/ }, (args) => ({ path: args.path.slice('msgrfw:'.length), namespace: 'msgrfw' }));
    b.onLoad({ filter: /.*/, namespace: 'msgrfw' }, (args) => {
      if (args.path === 'package-text') {
        return {
          loader: 'js',
          contents: `const texts = ${JSON.stringify(texts)};\nexport function packageText(...parts) {\n  const text = texts[parts.join('/')];\n  if (text === undefined) throw new Error('internal error: the playground carries no ' + parts.join('/'));\n  return text;\n}\n`,
        };
      }
      if (args.path === 'dependency') {
        return { loader: 'js', contents: "export function requireDependency(name) {\n  throw new Error('internal error: the playground carries no ' + name + ': its build is older than the compiler');\n}\n" };
      }
      if (args.path === 'examples') return { loader: 'json', contents: JSON.stringify(examples) };
      if (args.path === 'worker-source' && workerSource !== undefined) return { loader: 'text', contents: workerSource };
      return undefined;
    });
  },
});

const common = { absWorkingDir: root, bundle: true, platform: 'browser', target: ['chrome110', 'firefox115', 'safari16'], minify: true, legalComments: 'none', logLevel: 'warning', write: false };

// The worker: an ES module bundle (the compiler's modules await at their top level), run as a
// classic script, since a page from file:// may start a worker only from a blob and only a
// classic one: wrapped in an async function, after a handler that queues early messages.
const worker = await build({ ...common, entryPoints: [at('web', 'src', 'worker.ts')], format: 'esm', plugins: [playgroundModules()] });
const workerModule = worker.outputFiles[0].text;
if (/^\s*(import|export)\b[^(]/m.test(workerModule)) fail('the worker bundle has an import or export statement; it must be self-contained');
const workerSource = `"use strict";var __msgrfwQueued=[];self.onmessage=function(e){__msgrfwQueued.push(e)};(async()=>{\n${workerModule}\n})().catch(function(e){postMessage({id:0,response:{ok:false,error:"the compiler did not start: "+(e&&e.message)}})});\n`;

const app = await build({ ...common, entryPoints: [at('web', 'src', 'app.ts')], format: 'iife', plugins: [playgroundModules(workerSource)] });

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'app.js'), app.outputFiles[0].text);
for (const f of ['index.html', 'style.css']) copyFileSync(at('web', f), join(out, f));
copyFileSync(at('node_modules', 'mermaid', 'dist', 'mermaid.min.js'), join(out, 'mermaid.min.js'));

const sizes = Object.fromEntries(readdirSync(out).sort().map((f) => [f, statSync(join(out, f)).size]));
writeFileSync(join(out, 'build.json'), `${JSON.stringify({ sizes, worker: Buffer.byteLength(workerSource) }, null, 2)}\n`);
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`playground: ${relative(root, out)}/ (${Object.entries(sizes).map(([f, n]) => `${f} ${kb(n)}`).join(', ')}; the compiler worker is ${kb(Buffer.byteLength(workerSource))} of app.js)`);

function fail(message) {
  console.error(`build-web: ${message}`);
  process.exit(1);
}
