// The language services an editor's questions are answered from (src/language/), on the bundled
// example: what each says is checked against the model and the catalog, not against itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../src/check.js';
import { CATALOG } from '../../src/catalog/catalog.js';
import { formatPolicy } from '../../src/fmt/format.js';
import { completionsAt } from '../../src/language/complete.js';
import { PolicyDocument } from '../../src/language/document.js';
import { codeActions, formatting } from '../../src/language/edits.js';
import { hoverAt } from '../../src/language/hover.js';
import { definitionAt, referencesAt, renameAt, renameTarget } from '../../src/language/navigate.js';
import { outline } from '../../src/language/outline.js';
import { CONTOSO } from '../cli/run.js';
import { applyEdits } from '../helpers.js';

const contoso = readFileSync(CONTOSO, 'utf8');
const doc = (text = contoso) => new PolicyDocument(text, 'site.msgr');
/** The position of the `nth` (0-based) occurrence of `needle` on line `line`, `offset` characters into it. */
function at(text: string, line: number, needle: string, offset = 0, nth = 0) {
  const l = text.split('\n')[line - 1]!;
  let i = -1;
  for (let k = 0; k <= nth; k++) i = l.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`${needle} not on line ${line}: ${l}`);
  return { line, column: i + 1 + offset };
}
const spanText = (text: string, s: { at: { line: number; column: number }; end: { line: number; column: number } }) => text.split('\n')[s.at.line - 1]!.slice(s.at.column - 1, s.end.column - 1);

describe('diagnostics of a document', () => {
  it('are exactly what check reports, a byte order mark left out as check leaves it out', () => {
    expect(doc().diagnostics).toEqual(checkPolicy(contoso, 'site.msgr').diagnostics);
    const bom = new PolicyDocument(`\uFEFF${contoso}`, 'site.msgr');
    expect(bom.diagnostics).toEqual(checkPolicy(contoso, 'site.msgr').diagnostics);
    expect(bom.toEditor({ line: 1, column: 3 })).toEqual({ line: 1, column: 4 });
    expect(bom.fromEditor({ line: 1, column: 4 })).toEqual({ line: 1, column: 3 });
    expect(bom.toEditor({ line: 2, column: 3 })).toEqual({ line: 2, column: 3 });
  });
});

describe('hover', () => {
  it('over a network: its addresses, and what its server and clients blocks say', () => {
    const h = hoverAt(doc(), at(contoso, 25, 'clients', 2))!;
    expect(h.contents).toMatch(/^\*\*network clients\*\*: 10\.20\.0\.0\/16, 2001:db8:20::\/48\n/);
    expect(h.contents).toContain('**clients clients**: Windows Messenger via server lcs over TLS (5061/tcp)');
    expect(h.contents).toContain('- SIP dynamic ports 7000-7099; media ports 50000-50039');
    expect(spanText(contoso, h)).toBe('clients');
    expect(hoverAt(doc(), at(contoso, 11, 'lcs'))!.contents).toContain('**server lcs**: SIP over TLS on 5061/tcp, SIP over TCP on 5060/tcp');
    // A network made of networks: the union of their addresses.
    expect(hoverAt(doc(), at(contoso, 9, 'peers'))!.contents).toMatch(/^\*\*network peers\*\*: 10\.20\.0\.0\/16, 198\.51\.100\.0\/24, 2001:db8:20::\/48/);
  });

  it('over a firewall: its placement, targets and defaults', () => {
    const edge = hoverAt(doc(), at(contoso, 24, 'edge'))!.contents;
    expect(edge).toMatch(/^\*\*firewall edge\*\*: a gateway between clients \(10\.20\.0\.0\/16, 2001:db8:20::\/48\) and partners \(198\.51\.100\.0\/24\)/);
    expect(edge).toContain('- targets: nftables, pf');
    expect(edge).toContain('- default: forwarded traffic deny; denied traffic is logged');
    const lcs = hoverAt(doc(), at(contoso, 38, 'lcs-host'))!.contents;
    expect(lcs).toContain('a host firewall on lcs (10.1.1.10, 2001:db8:1::10)');
    expect(lcs).toContain('- default: inbound deny, outbound accept (left out)');
  });

  it('over a feature: each connection it needs for these clients, who opens it, its ports, and the KB 903056 fact', () => {
    const h = hoverAt(doc(), at(contoso, 18, 'whiteboard', 3))!;
    expect(spanText(contoso, h)).toBe('whiteboard');
    const t120 = CATALOG.find((e) => e.id === 't120')!;
    expect(h.contents).toContain(`- **t120**: ${t120.summary}\n  - tcp, either peer opens it to the other; to 1503\n  - source: ${t120.source}`);
    // Signalling over the clients' transport (TLS), with their server's port; not TCP's callbacks.
    expect(h.contents).toContain("- **sip-tls**: SIP over TLS: the client connects to the server; answers come back over that connection\n  - tcp, the client opens it to the server; to the server's SIP port 5061");
    expect(h.contents).not.toContain('sip-tcp');
    const audio = hoverAt(doc(), at(contoso, 18, 'audio'))!.contents;
    expect(audio).toContain('- udp, either peer opens it to the other; from the media ports 50000-50039 to the media ports 50000-50039');
  });

  it('over a keyword, and over a code in an acknowledgement', () => {
    expect(hoverAt(doc(), at(contoso, 25, 'between'))!.contents).toMatch(/^\*\*between\*\* — a gateway between two zones/);
    const acked = contoso.replace('  firewall lcs-host {', '  firewall lcs-host {  # msgrfw: ack MSGR073 -- console');
    const h = hoverAt(doc(acked), at(acked, 38, 'MSGR073', 2))!;
    expect(h.contents).toBe('**MSGR073** (warning): default-deny host firewall leaves no way in for management');
    // Not inside a comment or a string.
    expect(hoverAt(doc(), at(contoso, 3, 'pilot'))).toBeUndefined();
    expect(hoverAt(doc(), at(contoso, 12, 'listens'))).toBeUndefined();
  });
});

describe('definitions, references, rename', () => {
  it('goes from a use of a network to its network statement, and from a clients block\'s server to the server block', () => {
    const d = doc();
    expect(definitionAt(d, at(contoso, 25, 'partners'))).toEqual({ at: { line: 7, column: 11 }, end: { line: 7, column: 19 } });
    expect(definitionAt(d, at(contoso, 17, 'lcs'))).toEqual({ at: at(contoso, 11, 'lcs'), end: { line: 11, column: at(contoso, 11, 'lcs').column + 3 } });
    expect(definitionAt(d, at(contoso, 11, 'lcs'))).toEqual({ at: at(contoso, 6, 'lcs'), end: { line: 6, column: at(contoso, 6, 'lcs').column + 3 } });
    expect(definitionAt(d, at(contoso, 3, 'Contoso'))).toBeUndefined();
  });

  it('finds every place a network stands, with or without its declaration', () => {
    const uses = (includeDeclaration: boolean) => referencesAt(doc(), at(contoso, 32, 'clients'), includeDeclaration).map((s) => `${s.at.line}:${spanText(contoso, s)}`);
    expect(uses(true)).toEqual(['5:clients', '9:clients', '16:clients', '25:clients', '32:clients']);
    expect(uses(false)).toEqual(['9:clients', '16:clients', '25:clients', '32:clients']);
  });

  it('renames a network everywhere — its blocks and every use — and the result checks as before', () => {
    const d = doc();
    expect(renameTarget(d, at(contoso, 9, 'partners'))).toMatchObject({ name: 'partners' });
    const r = renameAt(d, at(contoso, 39, 'lcs'), 'pool');
    if (!('edits' in r)) throw new Error(r.problem);
    const renamed = applyEdits(contoso, r.edits);
    expect(renamed).not.toMatch(/\blcs\b(?!-host)/);
    expect(renamed).toContain('  server pool {');
    expect(renamed).toContain('    server pool via tls');
    expect(checkPolicy(renamed, 'site.msgr').diagnostics.map((x) => [x.code, x.line])).toEqual(checkPolicy(contoso, 'site.msgr').diagnostics.map((x) => [x.code, x.line]));
    // A firewall's name is its own.
    const fw = renameAt(d, at(contoso, 24, 'edge'), 'border');
    expect('edits' in fw && fw.edits).toEqual([{ line: 24, column: 12, endLine: 24, endColumn: 16, text: 'border' }]);
  });

  it('refuses a rename the language would not accept, or to a name already declared', () => {
    const d = doc();
    const problem = (name: string) => {
      const r = renameAt(d, at(contoso, 9, 'partners'), name);
      return 'problem' in r ? r.problem : 'renamed';
    };
    expect(problem('admins')).toBe("the policy already has a network named 'admins'");
    expect(problem('any')).toBe("'any' is reserved: it means every address");
    expect(problem('9lives')).toMatch(/is not a name/);
    expect(problem('a--b')).toMatch(/is not a name/);
    expect(problem('x'.repeat(64))).toMatch(/longer than 63/);
    expect(problem('edge')).toBe('renamed'); // a firewall's name is another namespace
    expect(renameTarget(d, at(contoso, 35, 'admins'))).toMatchObject({ name: 'admins' });
    expect(renameTarget(d, at(contoso, 26, 'nftables'))).toBeUndefined();
  });
});

describe('completion', () => {
  /** Completions at the end of `prefix` appended to a policy (the rest of the text after it). */
  function complete(prefix: string, after = '\n  }\n}\n') {
    const head = contoso.replace(/\n}\n$/, '\n');
    const text = `${head}${prefix}${after}`;
    const lines = `${head}${prefix}`.split('\n');
    return completionsAt(doc(text), { line: lines.length, column: lines[lines.length - 1]!.length + 1 });
  }
  const labels = (c: ReturnType<typeof complete>) => c.items.map((i) => i.label);

  it('offers the statements of the block the cursor is in', () => {
    expect(labels(complete('  firewall x {\n    '))).toEqual(['on', 'between', 'targets', 'default', 'outbound', 'log denied', 'allow', 'deny']);
    expect(labels(complete('  clients partners {\n    '))).toEqual(['server', 'features', 'sip dynamic ports', 'media ports', 'peers', 'client']);
    expect(labels(complete('  ', '\n}\n'))).toEqual(['description', 'network', 'server', 'clients', 'firewall']);
    expect(labels(complete('  firewall x {\n    ta'))).toEqual(['targets']);
    expect(complete('  firewall x {\n    ta').from.column).toBe(5);
  });

  it('offers values after their keyword, leaving out those already listed', () => {
    expect(labels(complete('  clients partners {\n    features im, audio, '))).toEqual(['presence', 'whiteboard', 'application-sharing', 'file-transfer', 'video']);
    expect(labels(complete('  firewall x {\n    targets nftables,\n      '))).toEqual(['iptables', 'netsh', 'pf']);
    expect(labels(complete('  firewall x {\n    default '))).toEqual(['deny', 'accept']);
    expect(labels(complete('  clients partners {\n    server lcs via '))).toEqual(['tls', 'tcp']);
    expect(labels(complete('  firewall x {\n    allow '))).toEqual(['tcp', 'udp']);
    expect(labels(complete('  firewall x {\n    allow tcp 22 '))).toEqual(['from', 'to']);
    expect(labels(complete('  firewall x {\n    allow tcp 22 from admins '))).toEqual(['to']);
  });

  it('offers the declared names where a network or a server is named', () => {
    const networks = ['clients', 'lcs', 'partners', 'admins', 'peers', 'any'];
    expect(labels(complete('  firewall x {\n    on '))).toEqual(networks);
    expect(labels(complete('  firewall x {\n    between clients and '))).toEqual(networks.filter((n) => n !== 'clients'));
    expect(labels(complete('  firewall x {\n    allow tcp from p'))).toEqual(['partners', 'peers']);
    expect(labels(complete('  clients partners {\n    server '))).toEqual(['lcs']);
    expect(labels(complete('  network more = clients, ', '\n}\n'))).toEqual(networks);
  });

  it('offers nothing inside a comment or a string', () => {
    expect(complete('  firewall x {  # on ').items).toEqual([]);
    expect(complete('  description "on ', '\n}\n').items).toEqual([]);
  });
});

describe('formatting and quick fixes', () => {
  it('formats as fmt does, line by line, or whole when line ends change', () => {
    const messy = contoso.replace('  network lcs      = 10.1.1.10', '\tnetwork   lcs =10.1.1.10').replace('    on lcs', '        on   lcs');
    const d = doc(messy);
    const f = formatting(d, messy);
    expect(f.kind).toBe('edits');
    if (f.kind !== 'edits') return;
    expect(f.edits.map((e) => e.line)).toEqual([6, 39]);
    expect(applyEdits(messy, f.edits)).toBe((formatPolicy(messy, 'site.msgr') as { text: string }).text);
    const crlf = messy.replace(/\n/g, '\r\n');
    expect(formatting(doc(crlf), crlf)).toEqual({ kind: 'whole', text: contoso });
    expect(formatting(doc(), contoso)).toEqual({ kind: 'none' });
    expect(formatting(doc('deployment d {'), 'deployment d {')).toEqual({ kind: 'none' });
    // Blank lines at the end go, a final newline comes.
    const tail = `${contoso}\n\n`;
    const trimmed = formatting(doc(tail), tail);
    expect(trimmed.kind).toBe('edits');
    expect(applyEdits(tail, trimmed.kind === 'edits' ? trimmed.edits : [])).toBe(contoso);
  });

  it('offers each diagnostic\'s fix where it stands, and for a warning, acknowledging it', () => {
    const broken = contoso.replace('features im, presence', 'features im, presense');
    const d = doc(broken);
    const actions = codeActions(d, at(broken, 18, 'presense', 2), at(broken, 18, 'presense', 2));
    expect(actions.map((a) => [a.title, a.preferred])).toEqual([["replace 'presense' with 'presence'", true]]);
    expect(applyEdits(broken, actions[0]!.edits)).toBe(contoso);
    const warned = codeActions(doc(), { line: 38, column: 3 }, { line: 38, column: 3 });
    expect(warned.map((a) => a.title)).toEqual(['acknowledge MSGR073 here (# msgrfw: ack MSGR073 -- why)']);
    expect(codeActions(doc(), { line: 2, column: 1 }, { line: 2, column: 1 })).toEqual([]);
  });
});

describe('outline', () => {
  it('lists the deployment, and in it every network, server, clients block and firewall with what it is', () => {
    const [root] = outline(doc());
    expect(root).toMatchObject({ name: 'contoso', kind: 'deployment', detail: 'Contoso LCS 2005 pilot', at: { line: 2, column: 1 }, end: { line: 43, column: 2 } });
    expect(root!.children.map((c) => [c.kind, c.name, c.detail, c.at.line, c.end.line])).toEqual([
      ['network', 'clients', '10.20.0.0/16, 2001:db8:20::/48', 5, 5],
      ['network', 'lcs', '10.1.1.10, 2001:db8:1::10', 6, 6],
      ['network', 'partners', '198.51.100.0/24', 7, 7],
      ['network', 'admins', '10.9.0.0/24', 8, 8],
      ['network', 'peers', '10.20.0.0/16, 198.51.100.0/24, 2001:db8:20::/48', 9, 9],
      ['server', 'lcs', '10.1.1.10, 2001:db8:1::10', 11, 14],
      ['clients', 'clients', '10.20.0.0/16, 2001:db8:20::/48', 16, 22],
      ['firewall', 'edge', 'between clients and partners; nftables, pf', 24, 29],
      ['firewall', 'desktop', 'on clients; netsh, iptables', 31, 36],
      ['firewall', 'lcs-host', 'on lcs; netsh, nftables', 38, 42],
    ]);
  });
});
