import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/parse/parse.js';
import { fastPathEnabled, parseFast } from '../../src/parse/fast.js';
import { EXAMPLES, ROOT } from '../helpers.js';

/** SHA-256 of DESIGN.md §3's example, as examples/contoso.msgr holds it. */
const CONTOSO_SHA256 = '22911c7c1bd9b67738874de1c327d9eada9706191c118a4654867da5c7722c76';

describe('the grammar', () => {
  it.each(EXAMPLES.map((e) => [e.name, e.text]))('parses %s in exactly one way (unambiguous)', (_name, text) => {
    // nearley alone: the fast path never counts parses.
    const r = parsePolicy(text, 'x.msgr', { fastPath: false });
    expect(r.diagnostics).toEqual([]);
    expect(r.parseCount).toBe(1);
  });

  it('has the recursive-descent fast path on (it was written for exactly this grammar)', () => {
    expect(fastPathEnabled).toBe(true);
  });

  it.each(EXAMPLES.map((e) => [e.name, e.text]))('reads %s on the fast path into the tree nearley builds', (_name, text) => {
    expect(parseFast(text)).toBeDefined();
    expect(parsePolicy(text, 'x.msgr').ast).toEqual(parsePolicy(text, 'x.msgr', { fastPath: false }).ast);
  });

  it('keeps examples/contoso.msgr byte for byte as the design notes show it', () => {
    // The design's language example (DESIGN.md §3, which lives outside the repository and must
    // not be read by it) must compile exactly as written; its bytes are pinned here instead.
    const text = readFileSync(join(ROOT, 'examples', 'contoso.msgr'));
    expect(createHash('sha256').update(text).digest('hex')).toBe(CONTOSO_SHA256);
  });

  it('reads keywords as names where a name is expected (`clients clients`)', () => {
    const r = parsePolicy('deployment d {\n network clients = 10.0.0.0/8\n clients clients {\n features im\n }\n}\n', 'x');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast?.items[1]).toMatchObject({ kind: 'clients', network: { text: 'clients' } });
  });

  it('continues a statement after a comma on the next line, and accepts ; and CRLF', () => {
    const r = parsePolicy('deployment d {\r\n network a = 10.0.0.0/8,\r\n   10.1.0.0/16; network b = a\r\n}\r\n', 'x');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast?.items).toHaveLength(2);
  });

  it("reads a plain rule's ends as a network's members: names and addresses, alone or listed", () => {
    const text = 'deployment d {\n firewall f {\n  allow tcp 22 from 10.10.99.0/24, ops,\n   2001:db8::/32 to web\n  deny udp to 192.0.2.1\n }\n}\n';
    const slow = parsePolicy(text, 'x', { fastPath: false });
    expect(slow.diagnostics).toEqual([]);
    expect(slow.parseCount).toBe(1);
    expect(parseFast(text)).toEqual(slow.ast);
    const [allow, deny] = (slow.ast?.items[0] as { statements: unknown[] }).statements;
    expect(allow).toMatchObject({
      from: [
        { kind: 'address', text: '10.10.99.0/24', at: { line: 3, column: 21 } },
        { kind: 'name', text: 'ops' },
        { kind: 'address', text: '2001:db8::/32', at: { line: 4, column: 4 } },
      ],
      to: [{ kind: 'name', text: 'web' }],
    });
    expect(deny).toMatchObject({ to: [{ kind: 'address', text: '192.0.2.1' }] });
  });

  it('reads the names after a rule\'s protocol as ICMP types, ports as numbers, and neither when the ends follow', () => {
    const text = 'deployment d {\n firewall f {\n  allow icmp echo-request, timestamp-request from mon\n  deny icmp to any\n  allow tcp 22 from ops\n }\n}\n';
    const slow = parsePolicy(text, 'x', { fastPath: false });
    expect(slow.diagnostics).toEqual([]);
    expect(slow.parseCount).toBe(1);
    expect(parseFast(text)).toEqual(slow.ast);
    const [icmp, any, tcp] = (slow.ast?.items[0] as { statements: unknown[] }).statements;
    expect(icmp).toMatchObject({ protocol: { text: 'icmp' }, ports: [], types: [{ text: 'echo-request' }, { text: 'timestamp-request', at: { line: 3, column: 28 } }] });
    expect(any).toMatchObject({ ports: [], types: [], to: [{ text: 'any' }] });
    expect(tcp).toMatchObject({ ports: [{ from: { value: 22 } }], types: [] });
    // `from` and `to` may be the type's name; nearley reads what the fast path leaves to it.
    const odd = 'deployment d {\n firewall f {\n  allow icmp from to x\n }\n}\n';
    expect(parseFast(odd)).toBeUndefined();
    expect(parsePolicy(odd, 'x')).toMatchObject({ diagnostics: [], parseCount: 1, ast: { items: [{ statements: [{ types: [{ text: 'from' }], to: [{ text: 'x' }] }] }] } });
  });

  it('records positions of every node', () => {
    const r = parsePolicy('deployment d {\n  network a = 10.0.0.0/8\n}\n', 'x');
    expect(r.ast?.items[0]).toMatchObject({ at: { line: 2, column: 3 }, name: { at: { line: 2, column: 11 } } });
  });
});

describe('syntax errors', () => {
  const bad = [
    'deployment x {',
    '  network a = 10.0.0.0/8',
    '  servr lcs {',
    '    sip tls',
    '  }',
    '  clients a {',
    '    featurs im',
    '    media ports 5000-',
    '  }',
    '  firewall f {',
    '    on a $',
    '  }',
    '  description "abc',
    '}',
    '',
  ].join('\n');

  it('are all reported in one run, each with file, line, column, code and hint', () => {
    const r = parsePolicy(bad, 'bad.msgr');
    expect(r.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`)).toEqual([
      'MSGR002@3:3',
      'MSGR002@7:5',
      'MSGR001@8:22',
      'MSGR003@11:10',
      'MSGR004@13:15',
    ]);
    for (const d of r.diagnostics) {
      expect(d.file).toBe('bad.msgr');
      expect(d.hint).toBeTruthy();
    }
  });

  it('suggest the nearest keyword for a misspelt one', () => {
    const [servr, featurs] = parsePolicy(bad, 'bad.msgr').diagnostics;
    expect(servr?.hint).toBe("did you mean 'server'?");
    expect(featurs?.hint).toBe("did you mean 'features'?");
  });

  it('report an unclosed block at the end of the file', () => {
    const r = parsePolicy('deployment d {\n  network a = 10.0.0.0/8\n', 'x');
    expect(r.diagnostics).toMatchObject([{ code: 'MSGR005', hint: expect.stringContaining("'}'") }]);
  });

  it('report an empty file', () => {
    expect(parsePolicy('', 'x').diagnostics).toMatchObject([{ code: 'MSGR005', line: 1, column: 1 }]);
  });

  it('do not cascade into the statements that follow', () => {
    const r = parsePolicy('deployment d {\n  netwrk a = 10.0.0.0/8\n  network b = 10.1.0.0/16\n}\n', 'x');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MSGR002']);
    expect(r.ast?.items).toMatchObject([{ kind: 'network', name: { text: 'b' } }]);
  });

  it('hand on each statement they blanked: its line and first words, for later stages to stay quiet about', () => {
    const r = parsePolicy('deployment d {\n  network a = 10.0.0.0/8 10.1.0.0/16\n  clients a {\n    sip dynamc ports 7000-7099\n  }\n}\n', 'x');
    expect(r.failed).toEqual([
      { line: 2, words: ['network', 'a'] },
      { line: 4, words: ['sip', 'dynamc'] },
    ]);
    expect(r.failed.map((f) => f.line)).toEqual(r.diagnostics.map((d) => d.line));
    expect(parsePolicy(EXAMPLES[0]!.text, 'x').failed).toEqual([]);
  });
});
