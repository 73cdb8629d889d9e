// The VS Code extension as a user gets it: `npm run package:vscode` packs a .vsix with vsce,
// offline (in a network namespace with no network, where one can be made); the .vsix holds the
// manifest, the grammar and language configuration as they are in editors/vscode, the bundled
// client and the msgrfw package; and the server the client launches, run from the unpacked
// .vsix far from any node_modules, answers a document as `msgrfw check` and `fmt` do.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverLaunch } from '../../editors/vscode/src/serverLaunch.js';
import { rules } from '../../src/parse/lexer.js';
import { CONTOSO, msgrfw } from '../cli/run.js';
import { ROOT } from '../helpers.js';
import { startClient, type TextEdit } from '../lsp/client.js';
import { validatorProblem } from '../targets/syntaxCheck.js';

const SOURCE = join(ROOT, 'editors', 'vscode');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let vsix: string;
let unpacked: string;
let packing: { status: number | null; stdout: string; stderr: string };
/** Why packing could not be cut off from the network here (then it ran with it), or undefined. */
let online: string | undefined;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** A program run to its end without blocking the test worker (vsce takes a while; the worker must keep answering vitest). */
function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 16 << 20 }, (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr: error && typeof error.code !== 'number' ? `${stderr}${error.message}` : stderr }));
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'msgrfw-vscode-'));
  vsix = join(work, 'msgrfw.vsix');
  const pack = [process.execPath, join(ROOT, 'scripts', 'package-vscode-extension.mjs'), '--out', vsix];
  online = validatorProblem('unshare');
  if (online && process.env.CI === 'true') throw new Error(`the extension must be packed offline under CI, and cannot be: ${online}`);
  packing = online ? await run(pack[0]!, pack.slice(1)) : await run('unshare', ['-rn', ...pack]);
  unpacked = join(work, 'unpacked');
  if (packing.status === 0) await run('python3', ['-m', 'zipfile', '-e', vsix, unpacked]);
}, 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the VS Code extension package', () => {
  it('is packed by vsce without the network, under the name it is asked for', () => {
    if (online) console.warn(`packed with the network: ${online}`);
    expect(packing.stderr, packing.stdout).not.toMatch(/error/i);
    expect(packing.status).toBe(0);
    expect(packing.stdout.trim().split('\n').at(-1)).toBe(vsix);
    expect(readdirSync(work).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('holds the manifest, grammar, language configuration, client and msgrfw, and nothing of the build', () => {
    const files = filesUnder(unpacked);
    expect(files).toEqual(
      expect.arrayContaining([
        'extension.vsixmanifest',
        'extension/package.json',
        'extension/language-configuration.json',
        'extension/syntaxes/msgr.tmLanguage.json',
        'extension/out/extension.js',
        'extension/server/msgrfw/package.json',
        'extension/server/msgrfw/bin/msgrfw.js',
        'extension/server/msgrfw/dist/msgrfw.mjs',
        'extension/server/msgrfw/dist/cli.mjs',
        'extension/server/msgrfw/src/ir/schema.json',
      ]),
    );
    expect(files.filter((f) => /node_modules|\.d\.ts$|\.ts$|\.partial/.test(f))).toEqual([]);
    // The bundle's chunks (the language server among them), every one the build made.
    expect(files.filter((f) => f.startsWith('extension/server/msgrfw/dist/chunks/')).sort()).toEqual(
      readdirSync(join(ROOT, 'dist', 'chunks')).map((f) => `extension/server/msgrfw/dist/chunks/${f}`).sort(),
    );
    for (const f of ['language-configuration.json', 'syntaxes/msgr.tmLanguage.json']) expect(readFileSync(join(unpacked, 'extension', f), 'utf8')).toBe(readFileSync(join(SOURCE, f), 'utf8'));
    expect(readFileSync(join(unpacked, 'extension', 'server', 'msgrfw', 'dist', 'msgrfw.mjs'))).toEqual(readFileSync(join(ROOT, 'dist', 'msgrfw.mjs')));
  });

  it('names the package version, and every contribution points at a file inside it', () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'extension', 'package.json'), 'utf8'));
    expect(manifest.version).toBe(VERSION);
    expect(readFileSync(join(unpacked, 'extension.vsixmanifest'), 'utf8')).toContain(`Version="${VERSION}"`);
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: 'msgr', extensions: ['.msgr'] });
    const [grammar] = manifest.contributes.grammars;
    expect(grammar).toMatchObject({ language: 'msgr', scopeName: 'source.msgr' });
    for (const path of [language.configuration, grammar.path, manifest.main]) expect(statSync(join(unpacked, 'extension', path)).isFile()).toBe(true);
  });

  it('has a client that loads in the editor with nothing but vscode from outside', () => {
    // A stand-in for the editor's `vscode` module: loading needs no more than its names.
    const stand: object = new Proxy(function () {}, { get: (_t, k) => (k === 'then' ? undefined : stand), apply: () => stand, construct: () => stand });
    const require = createRequire(import.meta.url);
    const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
    const load = Module._load;
    const asked: string[] = [];
    Module._load = function (request: string, ...rest: unknown[]) {
      if (!request.startsWith('node:') && !request.startsWith('.') && !request.startsWith('/')) asked.push(request);
      return request === 'vscode' ? stand : load.call(this, request, ...rest);
    };
    try {
      const client = require(join(unpacked, 'extension', 'out', 'extension.js')) as Record<string, unknown>;
      expect(typeof client.activate).toBe('function');
      expect(typeof client.deactivate).toBe('function');
    } finally {
      Module._load = load;
    }
    // Node's own modules by bare name are fine; a package other than vscode would be missing in the editor.
    const { builtinModules } = require('node:module') as { builtinModules: string[] };
    expect(asked.filter((r) => r !== 'vscode' && !builtinModules.includes(r))).toEqual([]);
  });

  it('starts the bundled server the way the client does, and it serves a document as check and fmt do', async () => {
    const launch = serverLaunch(join(unpacked, 'extension'), '');
    expect(launch.kind).toBe('module');
    if (launch.kind !== 'module') return;
    expect(relative(unpacked, launch.module)).toBe(join('extension', 'server', 'msgrfw', 'bin', 'msgrfw.js'));
    // vscode-languageclient forks a module with the editor's Node, adding --stdio; run it from a
    // directory with no node_modules above it, so nothing outside the .vsix can stand in.
    const client = await startClient(process.execPath, [launch.module, ...launch.args, '--stdio'], { PATH: process.env.PATH, NO_COLOR: '1' });
    try {
      await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      client.notify('initialized', {});
      const text = readFileSync(CONTOSO, 'utf8').replace('features im, presence', 'features im, presense');
      const uri = 'file:///srv/site.msgr';
      const published = client.diagnostics(uri);
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'msgr', version: 1, text } });
      const checked = JSON.parse(msgrfw(['check', '--format', 'json', '-'], text).stdout) as { diagnostics: { code: string; suppressed?: unknown }[] };
      expect((await published).diagnostics.map((d) => d.code).sort()).toEqual(checked.diagnostics.filter((d) => !d.suppressed).map((d) => d.code).sort());
      expect((await published).diagnostics.map((d) => d.code)).toContain('MSGR020');
      const messy = 'deployment x {\n  network   a =10.0.0.0/8\n}\n';
      client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///srv/messy.msgr', languageId: 'msgr', version: 1, text: messy } });
      const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: 'file:///srv/messy.msgr' }, options: { tabSize: 2, insertSpaces: true } });
      const { applyTextEdits } = await import('../lsp/client.js');
      expect(applyTextEdits(messy, edits)).toBe(msgrfw(['fmt', '-'], messy).stdout);
    } finally {
      expect(await client.close()).toBe(0);
    }
  }, 60_000);
});

describe('the extension as it starts the server', () => {
  it('runs the bundled msgrfw unless a command is configured; a relative path with a slash is the workspace\'s', () => {
    expect(serverLaunch('/ext', '')).toEqual({ kind: 'module', module: join('/ext', 'server', 'msgrfw', 'bin', 'msgrfw.js'), args: ['lsp'] });
    expect(serverLaunch('/ext', '  ')).toMatchObject({ kind: 'module' });
    expect(serverLaunch('/ext', 'msgrfw', '/ws')).toEqual({ kind: 'command', command: 'msgrfw', args: ['lsp'] });
    expect(serverLaunch('/ext', 'node_modules/.bin/msgrfw', '/ws')).toEqual({ kind: 'command', command: join('/ws', 'node_modules', '.bin', 'msgrfw'), args: ['lsp'] });
    expect(serverLaunch('/ext', '/opt/msgrfw/bin/msgrfw', '/ws')).toEqual({ kind: 'command', command: '/opt/msgrfw/bin/msgrfw', args: ['lsp'] });
  });
});

describe('the language configuration', () => {
  const config = JSON.parse(readFileSync(join(SOURCE, 'language-configuration.json'), 'utf8'));
  it('comments lines with what the lexer reads as a comment, and pairs the only brackets, braces', () => {
    const comment = new RegExp(`^(?:${(rules.comment as RegExp).source})$`);
    expect(comment.test(`${config.comments.lineComment} anything`)).toBe(true);
    expect(config.brackets).toEqual([['{', '}']]);
    expect(new RegExp(config.indentationRules.increaseIndentPattern).test('  firewall edge {  # the gateway')).toBe(true);
    expect(new RegExp(config.indentationRules.increaseIndentPattern).test('  description "a { b"')).toBe(false);
    expect(new RegExp(config.indentationRules.decreaseIndentPattern).test('  }')).toBe(true);
  });
  it('takes a name with its dashes, an address with its prefix, as one word', () => {
    const word = new RegExp(config.wordPattern, 'g');
    expect('network lcs-host = 10.1.1.10/32, 2001:db8::/48'.match(word)).toEqual(['network', 'lcs-host', '10.1.1.10/32', '2001:db8::/48']);
  });
});
