// `msgrfw lsp` driven as an editor drives it: the built command as a process, JSON-RPC over its
// stdin and stdout. Each answer is checked against what the command line says about the same
// text (check, fmt), not against the server itself.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CONTOSO, msgrfw } from '../cli/run.js';
import { applyTextEdits, startClient, type Client, type PublishedDiagnostics, type TextEdit } from './client.js';

const contoso = readFileSync(CONTOSO, 'utf8');
const URI = 'file:///srv/policies/site.msgr';
/** Contoso with a typo in a feature and host bits in a block, and pf on lcs-host (MSGR061). */
const BROKEN = contoso.replace('features im, presence', 'features im, presense').replace('network admins   = 10.9.0.0/24', 'network admins   = 10.9.0.1/24').replace('targets netsh, nftables', 'targets netsh, nftables, pf');

let client: Client;
let version = 1;
beforeAll(async () => {
  client = await startClient(process.execPath, [BIN, 'lsp', '--stdio'], { ...process.env, NO_COLOR: '1' });
});
afterAll(async () => {
  if (client) await client.close().catch(() => undefined);
});

/** check --format json of a text, as the editor should show it: codes, ranges (0-based), messages with hints; acknowledged ones left out. */
function checked(text: string) {
  const r = msgrfw(['check', '--format', 'json', '-'], text);
  const doc = JSON.parse(r.stdout) as { diagnostics: { code: string; line: number; column: number; endLine?: number; endColumn?: number; message: string; hint?: string; severity: string; suppressed?: unknown }[] };
  return doc.diagnostics
    .filter((d) => !d.suppressed)
    .map((d) => ({
      code: d.code,
      severity: d.severity === 'error' ? 1 : 2,
      range: { start: { line: d.line - 1, character: d.column - 1 }, end: { line: (d.endLine ?? d.line) - 1, character: (d.endColumn ?? d.column + 1) - 1 } },
      message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    }));
}
const shown = (p: PublishedDiagnostics) => p.diagnostics.map(({ code, severity, range, message }) => ({ code, severity, range, message }));

async function open(text: string, uri = URI): Promise<PublishedDiagnostics> {
  const published = client.diagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'msgr', version: ++version, text } });
  return published;
}
async function change(text: string, uri = URI): Promise<PublishedDiagnostics> {
  const v = ++version;
  const published = client.diagnostics(uri, (p) => p.version === v);
  client.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text }] });
  return published;
}
const close = (uri = URI) => client.notify('textDocument/didClose', { textDocument: { uri } });
/** The 0-based position of `needle` (its `offset`-th character) on 1-based line `line`. */
function pos(text: string, line: number, needle: string, offset = 0) {
  const character = text.split('\n')[line - 1]!.indexOf(needle);
  if (character < 0) throw new Error(`${needle} not on line ${line}`);
  return { line: line - 1, character: character + offset };
}
const doc = { textDocument: { uri: URI } };

describe('msgrfw lsp', () => {
  it('answers initialize with what it can do, and names itself', async () => {
    const init = await client.request<{ capabilities: Record<string, unknown>; serverInfo: { name: string; version: string } }>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    client.notify('initialized', {});
    expect(init.serverInfo).toEqual({ name: 'msgrfw', version: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version });
    expect(init.capabilities).toMatchObject({
      textDocumentSync: 2,
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentSymbolProvider: true,
      completionProvider: { triggerCharacters: [' ', ','] },
    });
  });

  it('publishes on open exactly the diagnostics check reports — codes, ranges, messages and hints, target findings included', async () => {
    const published = await open(BROKEN);
    expect(published.version).toBe(version);
    expect(shown(published)).toEqual(checked(BROKEN));
    expect(published.diagnostics.filter((d) => d.severity === 1).map((d) => d.code)).toEqual(['MSGR014', 'MSGR020']);
    expect(published.diagnostics.every((d) => d.source === 'msgrfw')).toBe(true);
    // Fixed, the policy compiles, and the warnings come — pf's MSGR061 among them.
    const fixed = BROKEN.replace('presense', 'presence').replace('10.9.0.1/24', '10.9.0.0/24');
    const again = await change(fixed);
    expect(shown(again)).toEqual(checked(fixed));
    expect(again.diagnostics.map((d) => d.code)).toEqual(['MSGR031', 'MSGR032', 'MSGR035', 'MSGR038', 'MSGR073', 'MSGR061']);
  });

  it('offers the quick fix of a diagnostic, which applied removes it', async () => {
    await open(BROKEN);
    const actions = await client.request<{ title: string; kind: string; isPreferred: boolean; diagnostics: { code: string }[]; edit: { changes: Record<string, TextEdit[]> } }[]>('textDocument/codeAction', {
      ...doc,
      range: { start: pos(BROKEN, 18, 'presense', 3), end: pos(BROKEN, 18, 'presense', 3) },
      context: { diagnostics: [] },
    });
    expect(actions.map((a) => [a.title, a.kind, a.isPreferred, a.diagnostics[0]!.code])).toEqual([["replace 'presense' with 'presence'", 'quickfix', true, 'MSGR020']]);
    const fixed = applyTextEdits(BROKEN, actions[0]!.edit.changes[URI]!);
    expect(fixed).toBe(BROKEN.replace('presense', 'presence'));
    const after = await change(fixed);
    expect(after.diagnostics.filter((d) => d.severity === 1).map((d) => d.code)).toEqual(['MSGR014']);
  });

  it('acknowledges a warning with a quick fix: the warning goes once a reason is written', async () => {
    const published = await open(contoso);
    expect(published.diagnostics.map((d) => d.code)).toContain('MSGR073');
    const [ack] = await client.request<{ title: string; edit: { changes: Record<string, TextEdit[]> } }[]>('textDocument/codeAction', { ...doc, range: { start: pos(contoso, 38, 'firewall'), end: pos(contoso, 38, 'firewall') }, context: { diagnostics: [] } });
    expect(ack!.title).toBe('acknowledge MSGR073 here (# msgrfw: ack MSGR073 -- why)');
    const acked = applyTextEdits(contoso, ack!.edit.changes[URI]!);
    const asking = await change(acked);
    expect(asking.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['MSGR073', 'MSGR077']));
    const reasoned = acked.replace('-- ', '-- managed from the console');
    const done = await change(reasoned);
    expect(done.diagnostics.map((d) => d.code)).not.toContain('MSGR073');
    expect(shown(done)).toEqual(checked(reasoned));
  });

  it('formats exactly as fmt does', async () => {
    const messy = contoso.replace('  network lcs      = 10.1.1.10', '\tnetwork   lcs =10.1.1.10').replace('    default deny\n    log denied', '  default    deny\n      log denied');
    await open(messy);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } });
    expect(edits.length).toBeGreaterThan(0);
    const fmt = msgrfw(['fmt', '-'], messy);
    expect(applyTextEdits(messy, edits)).toBe(fmt.stdout);
    await change(fmt.stdout);
    expect(await client.request('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  it('hovers: a feature with its ports, direction and KB fact; a network with its addresses; a firewall with its placement and targets', async () => {
    await open(contoso);
    const hover = (line: number, needle: string, offset = 1) => client.request<{ contents: { kind: string; value: string }; range: unknown } | null>('textDocument/hover', { ...doc, position: pos(contoso, line, needle, offset) });
    const feature = (await hover(18, 'file-transfer'))!;
    expect(feature.contents.kind).toBe('markdown');
    expect(feature.contents.value).toContain('**file-transfer**: file transfer (MSNFTP, "TFTP over TCP" in the KB), peer to peer on 6891-6900/tcp\n  - tcp, either peer opens it to the other; to 6891-6900\n  - source: KB 903056, "File transfer"');
    expect(feature.range).toEqual({ start: pos(contoso, 18, 'file-transfer'), end: pos(contoso, 18, 'file-transfer', 13) });
    expect((await hover(7, 'partners'))!.contents.value).toMatch(/^\*\*network partners\*\*: 198\.51\.100\.0\/24$/);
    expect((await hover(31, 'desktop'))!.contents.value).toMatch(/^\*\*firewall desktop\*\*: a host firewall on clients \(10\.20\.0\.0\/16, 2001:db8:20::\/48\)[^]*- targets: netsh, iptables/);
    expect(await hover(1, 'Windows')).toBeNull();
  });

  it('goes to definitions and finds references of network names', async () => {
    await open(contoso);
    const definition = await client.request<{ uri: string; range: unknown }>('textDocument/definition', { ...doc, position: pos(contoso, 25, 'partners', 2) });
    expect(definition).toEqual({ uri: URI, range: { start: pos(contoso, 7, 'partners'), end: pos(contoso, 7, 'partners', 8) } });
    const refs = await client.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/references', { ...doc, position: pos(contoso, 9, 'partners'), context: { includeDeclaration: true } });
    expect(refs.map((r) => r.range.start.line + 1)).toEqual([7, 9, 25]);
  });

  it('renames a network everywhere it stands, and refuses a name that is taken', async () => {
    await open(contoso);
    const prepared = await client.request<{ range: unknown; placeholder: string }>('textDocument/prepareRename', { ...doc, position: pos(contoso, 6, 'lcs', 1) });
    expect(prepared).toEqual({ range: { start: pos(contoso, 6, 'lcs'), end: pos(contoso, 6, 'lcs', 3) }, placeholder: 'lcs' });
    const edit = await client.request<{ changes: Record<string, TextEdit[]> }>('textDocument/rename', { ...doc, position: pos(contoso, 6, 'lcs', 1), newName: 'pool' });
    expect(edit.changes[URI]!.map((e) => e.range.start.line + 1)).toEqual([6, 11, 17, 39]);
    const renamed = applyTextEdits(contoso, edit.changes[URI]!);
    expect(renamed).toContain('network pool      = 10.1.1.10');
    const after = await change(renamed);
    expect(shown(after)).toEqual(checked(renamed));
    expect(after.diagnostics.map((d) => d.code)).toEqual(['MSGR031', 'MSGR032', 'MSGR035', 'MSGR038', 'MSGR073']);
    await expect(client.request('textDocument/rename', { ...doc, position: pos(renamed, 6, 'pool', 1), newName: 'admins' })).rejects.toThrow("the policy already has a network named 'admins'");
  });

  it('completes keywords, features and declared names', async () => {
    const text = contoso.replace('    peers peers ', '    features im, \n    peers peers ').replace('    on lcs\n', '    on \n');
    await open(text);
    const complete = async (line: number) => (await client.request<{ label: string; kind: number }[]>('textDocument/completion', { ...doc, position: { line: line - 1, character: text.split('\n')[line - 1]!.length } })).map((c) => c.label);
    expect(await complete(21)).toEqual(['presence', 'whiteboard', 'application-sharing', 'file-transfer', 'audio', 'video']);
    expect(await complete(40)).toEqual(['clients', 'lcs', 'partners', 'admins', 'peers', 'any']);
    const start = await client.request<{ label: string }[]>('textDocument/completion', { ...doc, position: { line: 40, character: 4 } });
    expect(start.map((c) => c.label)).toContain('targets');
  });

  it('outlines the policy', async () => {
    await open(contoso);
    const symbols = await client.request<{ name: string; children: { name: string; detail: string }[] }[]>('textDocument/documentSymbol', doc);
    expect(symbols.map((s) => s.name)).toEqual(['contoso']);
    expect(symbols[0]!.children.map((c) => c.name)).toEqual(['clients', 'lcs', 'partners', 'admins', 'peers', 'lcs', 'clients', 'edge', 'desktop', 'lcs-host']);
  });

  it('clears a closed document\'s diagnostics, and names an unsaved one by its URI', async () => {
    await open(BROKEN);
    const cleared = client.diagnostics(URI);
    close();
    expect((await cleared).diagnostics).toEqual([]);
    const untitled = 'untitled:Untitled-1';
    const published = await open('deployment d {\n  network a = 10.0.0.1/8\n}\n', untitled);
    expect(published.diagnostics.map((d) => d.code)).toEqual(['MSGR014']);
  });

  it('ends with exit status 0 after shutdown and exit', async () => {
    expect(await client.close()).toBe(0);
    client = undefined as unknown as Client;
  });
});
