// Text that hides what it does (Trojan Source, CVE-2021-42574) is refused anywhere in a policy,
// comments and strings included: MSGR007 at the character's line and column, with its code
// point, from both parsers alike; legitimate non-ASCII text stays legal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { renderText } from '../../src/diagnostics/render.js';
import { formatPolicy } from '../../src/fmt/format.js';
import { MAX_HIDDEN_REPORTED } from '../../src/parse/hidden.js';
import { parsePolicy } from '../../src/parse/parse.js';
import { findHiddenCharacters } from '../../src/text/hidden.js';
import { ROOT } from '../helpers.js';

const CONTOSO = readFileSync(join(ROOT, 'examples', 'contoso.msgr'), 'utf8');

/** The documented set, from Unicode's own properties: an oracle independent of src/text/hidden.ts. */
const documented = (ch: string) => (/\p{Cc}/u.test(ch) && ch !== '\t' && ch !== '\n') || /\p{Bidi_Control}/u.test(ch) || ch === '\u2028' || ch === '\u2029';

const at = (text: string) => compilePolicy(text, 'p.msgr').diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);

/** A small valid policy with `x` placed in a comment, in a string and between two tokens. */
const places = (x: string) => ({
  comment: `deployment d {\n  network a = 10.0.0.0/8  # a${x}b\n}\n`,
  string: `deployment d {\n  description "a${x}b"\n  network a = 10.0.0.0/8\n}\n`,
  code: `deployment d {\n  network a = 10.0.0.0/8,${x}10.1.0.0/16\n}\n`,
});

describe('hidden characters', () => {
  it('are exactly the documented set: Cc but TAB and LF, Bidi_Control, U+2028/U+2029, and CR only when no LF follows', () => {
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCharCode(cp);
      expect(findHiddenCharacters(`a${ch}b`).length, cp.toString(16)).toBe(documented(ch) ? 1 : 0);
    }
    expect(findHiddenCharacters('a\rb')).toHaveLength(1);
    expect(findHiddenCharacters('a\r')).toHaveLength(1);
    expect(findHiddenCharacters('a\r\nb\r\n')).toHaveLength(0);
    expect(findHiddenCharacters('a\r\r\n')).toHaveLength(1);
    // Past the BMP nothing is hidden (tag characters, emoji): names are ASCII, so nothing can look like a name.
    expect(findHiddenCharacters('\u{1F525}\u{E0067}\u{10FFFF}')).toHaveLength(0);
  });

  it.each(['\u202e', '\u202a', '\u2066', '\u2069', '\u200f', '\u061c', '\u001b', '\u0008', '\u009b', '\u0085', '\u2028', '\u2029', '\r', '\u0000', '\u007f'])(
    'U+%s is refused with MSGR007 in a comment, in a string and between tokens, by both parsers',
    (ch) => {
      const hex = ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      const { comment, string, code } = places(ch);
      for (const text of [comment, string, code]) {
        const column = text.split('\n')[1]!.indexOf(ch) + 1;
        const fast = parsePolicy(text, 'p.msgr');
        const slow = parsePolicy(text, 'p.msgr', { fastPath: false });
        expect(fast.diagnostics).toEqual(slow.diagnostics);
        const d = compilePolicy(text, 'p.msgr').diagnostics;
        expect(d.map((x) => `${x.code}@${x.line}:${x.column}`)).toEqual([`MSGR007@2:${column}`]);
        expect(d[0]!.message).toContain(`U+${hex}`);
        expect(d[0]!.hint).toMatch(/delete|line feed/);
      }
    },
  );

  it('the Trojan Source lone CR: a rule hidden behind a comment from cat and from review is refused, and nothing compiles', () => {
    const text = CONTOSO.replace('allow tcp 22 from admins ', 'allow tcp 22 from admins #\rallow tcp 1-65535 from any');
    const r = compilePolicy(text, 'p.msgr');
    expect(r.ir).toBeUndefined();
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['MSGR007']);
    expect(errors[0]!.message).toMatch(/^carriage return \(U\+000D\) not followed by a line feed/);
    // The bidirectional override of the CVE, in a string.
    const bidi = CONTOSO.replace('"Contoso LCS 2005 pilot"', '"Contoso \u202e} \u2066// pilot\u2069 \u2066"');
    const line3 = bidi.split('\n')[2]!;
    const columns = [...line3.matchAll(/[\u202e\u2066\u2069]/g)].map((m) => `MSGR007@3:${m.index! + 1}`);
    expect(columns).toHaveLength(4);
    expect(at(bidi).filter((d) => d.startsWith('MSGR007'))).toEqual(columns);
  });

  it('every one is reported in one run, with the file\'s other errors; past 100, one more diagnostic counts the rest', () => {
    const text = 'deployment d {\n  network a = 10.0.0.0/8 # \u202e\n  network b = nowhere # \u2067x\u2069\n}\n';
    expect(at(text)).toEqual(['MSGR007@2:28', 'MSGR010@3:15', 'MSGR007@3:25', 'MSGR007@3:27']);
    const many = `deployment d {\n  network a = 10.0.0.0/8 # ${'\u202e'.repeat(150)}\n}\n`;
    const d = compilePolicy(many, 'p.msgr').diagnostics;
    expect(d).toHaveLength(MAX_HIDDEN_REPORTED + 1);
    expect(d[MAX_HIDDEN_REPORTED]!).toMatchObject({ code: 'MSGR007', line: 2, column: 28 + MAX_HIDDEN_REPORTED });
    expect(d[MAX_HIDDEN_REPORTED]!.message).toMatch(/^50 more hidden characters from here on \(U\+202E RIGHT-TO-LEFT OVERRIDE first\)/);
    expect(d[MAX_HIDDEN_REPORTED]!.hint).toContain('grep -nP');
  });

  it('a quoted source line shows each one as ? under the caret, so the diagnostic itself is not reordered', () => {
    const text = 'deployment d {\n  network a = 10.0.0.0/8 # x\u202ey\u001b[2Kz\n}\n';
    const out = renderText(compilePolicy(text, 'p.msgr').diagnostics, { color: false, source: text });
    expect(out).not.toMatch(/[\u202e\u001b]/);
    expect(out).toContain('\n    network a = 10.0.0.0/8 # x?y?[2Kz\n                              ^\n');
    expect(out).toContain('\n    network a = 10.0.0.0/8 # x?y?[2Kz\n                                ^\n');
  });

  it('legitimate text stays legal: CRLF, tabs, letters of any script, zero-width joiners and spaces, emoji', () => {
    const text = 'deployment d {\r\n\tdescription "Zürich ناوەند\u200c شبکه 👩\u200d💻 中文 עברית"\r\n  network a = 10.0.0.0/8\t# café \u200d\u200b\r\n}\r\n';
    expect(at(text)).toEqual([]);
  });

  it('fmt refuses a policy that holds one, so it never writes one', () => {
    const r = formatPolicy('deployment d {\n  network a   = 10.0.0.0/8 # \u2066x\n}\n', 'p.msgr');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics.map((d) => d.code)).toEqual(['MSGR007']);
  });
});
