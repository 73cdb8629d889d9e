// msgrfw as an installable tool: the `npm pack` tarball holds what the installed command needs
// and one copy of the code; installed from it into a fresh prefix, `msgrfw --version` and a
// compile work, with no install script; and the package's library API type-checks and runs in
// a fresh TypeScript consumer. (`npm test` builds first; the tarball is packed from that build.)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { emitTargets } from '../../targets/emit.js';
import { artefactsIn, ROOT } from '../helpers.js';
import { startClient } from '../lsp/client.js';

const work = mkdtempSync(join(tmpdir(), 'msgrfw-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const CONTOSO = join(ROOT, 'examples', 'contoso.msgr');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const env = { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

function run(argv: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { cwd, encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tarball = '';
let files: string[] = [];
const prefix = join(work, 'prefix');
let installLog = '';
const installed = () => join(prefix, 'lib', 'node_modules', 'msgrfw');

beforeAll(() => {
  // --ignore-scripts: `npm test` has just built (prepack would build again).
  const pack = run(['npm', 'pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info!.filename);
  files = info!.files.map((f) => f.path).sort();
  const install = run(['npm', 'install', '--global', '--prefix', prefix, '--prefer-offline', tarball], work);
  installLog = install.stdout + install.stderr;
  expect(install.code, installLog).toBe(0);
}, 120_000);

describe('the npm pack tarball', () => {
  it('holds the command, ONE copy of the code as modules (the bundle: two entries and the chunks they share), the command line once more as one script with its code cache, the files it reads at run time, the types and the licence', () => {
    const templates = readdirSync(join(ROOT, 'targets'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => `targets/${f}`);
    const declarations = files.filter((f) => f.endsWith('.d.ts'));
    // The chunks are the bundle's own files (scripts/bundle-cli.mjs), named by their hashes.
    const chunks = readdirSync(join(ROOT, 'dist', 'chunks')).map((f) => `dist/chunks/${f}`);
    expect(chunks.length).toBeGreaterThan(0);
    expect(files.filter((f) => !f.endsWith('.d.ts'))).toEqual(
      // The script and its V8 code cache (bin/cachedScript.js) start the command faster.
      ['LICENSE', 'README.md', 'bin/cachedScript.js', 'bin/msgrfw.js', 'bin/package.json', 'dist/cli.mjs', 'dist/cli.script.cache', 'dist/cli.script.js', 'dist/msgrfw.mjs', ...chunks, 'package.json', 'src/diagnostics/diagnostics.schema.json', 'src/ir/schema.json', ...templates].sort(),
    );
    // Types for the library: declarations only, every one under dist/, the entry's among them.
    expect(declarations).toContain('dist/src/index.d.ts');
    expect(declarations.every((f) => f.startsWith('dist/'))).toBe(true);
    // No compiled module beside the bundle, no TypeScript source, no test, no grammar source.
    expect(files.filter((f) => /\.(js|ts|mjs|cjs|ne)$/.test(f) && !f.endsWith('.d.ts') && !/^dist\/(msgrfw\.mjs|cli\.mjs|cli\.script\.js)$/.test(f) && !f.startsWith('dist/chunks/') && !/^bin\/(msgrfw|cachedScript)\.js$/.test(f))).toEqual([]);
  });

  it('declares no install-time script, and needs nothing at run time that the bundle does not hold but ajv', () => {
    const manifest = JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8'));
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts?.[hook], hook).toBeUndefined();
    expect(Object.keys(manifest.dependencies)).toEqual(['ajv']);
    expect(installLog).not.toMatch(/install-scripts|npm (warn|ERR)/i);
  });
});

describe('installed from the tarball into a fresh prefix', () => {
  const msgrfw = (args: string[], cwd: string) => run(['msgrfw', ...args], cwd, { PATH: `${join(prefix, 'bin')}:${process.env.PATH}` });

  it('msgrfw --version', () => {
    expect(msgrfw(['--version'], work)).toMatchObject({ code: 0, stdout: `msgrfw ${VERSION}\n` });
  });

  it('msgrfw compile writes what the sources write, running the installed files only', () => {
    const cwd = join(work, 'site');
    mkdirSync(cwd);
    const r = msgrfw(['compile', CONTOSO, '--out-dir', 'out'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const { ir } = compilePolicy(readFileSync(CONTOSO, 'utf8'), CONTOSO);
    const emitted = emitTargets(ir!, {});
    const expected = [...emitted.files.map((f) => f.artefact), ...emitted.groupPolicy].map((a) => [a.name, a.content]).sort();
    const written = artefactsIn(join(cwd, 'out')).map((n) => [n, readFileSync(join(cwd, 'out', n), 'utf8')]);
    expect(written).toEqual(expected);
    expect(relative(installed(), run(['readlink', '-f', join(prefix, 'bin', 'msgrfw')], work).stdout.trim())).toBe(join('bin', 'msgrfw.js'));
  });

  it('starts from the cached script: packed and installed with this node, its code cache is accepted', () => {
    const r = run(['msgrfw', 'check', CONTOSO], work, { PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, MSGRFW_DEBUG_START: '1' });
    expect(r.stderr).toMatch(/^msgrfw: start: the cached script\n/);
    expect(r.code).toBe(0);
  });
});

describe('msgrfw lsp, installed', () => {
  it('serves an editor from the installed files alone: diagnostics of an opened policy, then exit', async () => {
    const client = await startClient(join(prefix, 'bin', 'msgrfw'), ['lsp', '--stdio'], { ...env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` });
    const init = await client.request<{ serverInfo: { version: string } }>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    expect(init.serverInfo.version).toBe(VERSION);
    client.notify('initialized', {});
    const published = client.diagnostics('file:///site.msgr');
    client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///site.msgr', languageId: 'msgr', version: 1, text: 'deployment d {\n  network a = 10.0.0.1/8\n}\n' } });
    expect((await published).diagnostics.map((d) => [d.code, d.range.start])).toEqual([['MSGR014', { line: 1, character: 14 }]]);
    expect(await client.close()).toBe(0);
  });
});

describe('the library API, from a fresh TypeScript consumer of the installed package', () => {
  const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const consumer = join(work, 'consumer');

  it('type-checks (strict, the shipped declarations checked too), refuses wrong calls, and runs', () => {
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(installed(), join(consumer, 'node_modules', 'msgrfw'));
    writeFileSync(join(consumer, 'package.json'), '{ "type": "module", "private": true }\n');
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: [], outDir: 'out' }, include: ['*.ts'] }),
    );
    writeFileSync(
      join(consumer, 'automation.ts'),
      `import { compilePolicy, emitTargets, type Diagnostic, type Emitted, type IrDocument, type IrFirewall, type IrRule, type IrTarget } from 'msgrfw';
declare const console: { log(text: string): void };

const result = compilePolicy(${JSON.stringify(readFileSync(CONTOSO, 'utf8'))}, 'contoso.msgr');
const diagnostics: readonly Diagnostic[] = result.diagnostics;
if (!result.ir) throw new Error('contoso does not compile');
const ir: IrDocument = result.ir;
const firewalls: IrFirewall[] = ir.firewalls;
const rules: IrRule[] = firewalls.flatMap((f) => f.rules);
const target: IrTarget = 'nftables';
const emitted: Emitted[] = emitTargets(ir, { target }).files;
console.log(JSON.stringify({ codes: diagnostics.map((d) => d.code), firewalls: firewalls.map((f) => f.name), rules: rules.length, files: emitted.map((f) => f.artefact.name) }));

// The types say something: these calls must not compile (and never run).
export function wrongCalls(): void {
  // @ts-expect-error a policy is text
  compilePolicy(42, 'x.msgr');
  // @ts-expect-error there is no such target
  emitTargets(ir, { target: 'ipfw' });
  // @ts-expect-error a diagnostic's severity is error or warning
  const severity: 'note' = diagnostics[0]!.severity;
  void severity;
}
`,
    );
    const tsc = run([process.execPath, TSC, '-p', 'tsconfig.json'], consumer);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    const r = run([process.execPath, join('out', 'automation.js')], consumer);
    expect(r.code, r.stderr).toBe(0);
    const { ir, diagnostics } = compilePolicy(readFileSync(CONTOSO, 'utf8'), 'contoso.msgr');
    expect(JSON.parse(r.stdout)).toEqual({
      codes: diagnostics.map((d) => d.code),
      firewalls: ir!.firewalls.map((f) => f.name),
      rules: ir!.firewalls.flatMap((f) => f.rules).length,
      files: emitTargets(ir!, { target: 'nftables' }).files.map((f) => f.artefact.name),
    });
  });
});
