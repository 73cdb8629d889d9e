// Packages the VS Code extension (editors/vscode) into a .vsix with @vscode/vsce, offline:
//   node scripts/package-vscode-extension.mjs [--out FILE]     (npm run package:vscode)
// Run after `npm run build`. The extension is staged in a temporary directory, never in
// editors/vscode: its client bundled by esbuild into out/extension.js (vscode-languageclient
// inside, `vscode` left to the editor), the grammar and language configuration as they are,
// and the msgrfw package itself (the files `npm pack` would publish, without type declarations)
// under server/msgrfw, which the client runs as `msgrfw lsp`. The extension's version is the
// package's, so one number names both. The .vsix appears under its final name only when
// complete (written beside it, then renamed); by default dist/msgrfw-VERSION.vsix.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'editors', 'vscode');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const outFlag = process.argv.indexOf('--out');
const out = resolve(outFlag > 0 ? process.argv[outFlag + 1] : join(root, 'dist', `msgrfw-${pkg.version}.vsix`));

for (const built of ['dist/msgrfw.mjs', 'dist/cli.mjs', 'dist/chunks']) {
  if (!existsSync(join(root, built))) {
    process.stderr.write(`package-vscode-extension: ${built} is missing: run \`npm run build\` first\n`);
    process.exit(2);
  }
}

/** The files the npm package publishes (its package.json `files`, LICENSE, README), as npm lists them. */
function publishedFiles() {
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const listing = execFileSync(npm[0], [...npm[1], 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(listing)[0].files.map((f) => f.path).filter((p) => !p.endsWith('.d.ts'));
}

const stage = mkdtempSync(join(tmpdir(), 'msgrfw-vsix-'));
const partial = `${out}.partial-${process.pid}`;
try {
  for (const f of ['language-configuration.json', 'README.md', 'syntaxes']) cpSync(join(source, f), join(stage, f), { recursive: true });
  cpSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ ...manifest, version: pkg.version }, null, 2)}\n`);
  writeFileSync(join(stage, '.vscodeignore'), '');

  await build({
    absWorkingDir: root,
    entryPoints: [join(source, 'src', 'extension.ts')],
    outfile: join(stage, 'out', 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });

  const server = join(stage, 'server', 'msgrfw');
  for (const f of [...publishedFiles(), 'package.json']) {
    mkdirSync(dirname(join(server, f)), { recursive: true });
    cpSync(join(root, f), join(server, f));
  }

  const { createVSIX } = createRequire(import.meta.url)('@vscode/vsce');
  mkdirSync(dirname(out), { recursive: true });
  // dependencies: false: everything the extension needs is bundled (vsce would run npm list).
  await createVSIX({ cwd: stage, packagePath: partial, dependencies: false, allowMissingRepository: true });
  renameSync(partial, out);
  process.stdout.write(`${out}\n`);
} finally {
  rmSync(partial, { force: true });
  rmSync(stage, { recursive: true, force: true });
}
