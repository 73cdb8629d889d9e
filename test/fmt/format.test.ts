import fc from 'fast-check';
import moo from 'moo';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { astSignature, formatPolicy } from '../../src/fmt/format.js';
import { formatDiff } from '../../src/fmt/diff.js';
import type { IrTarget } from '../../src/ir/types.js';
import { rules } from '../../src/parse/lexer.js';
import { parsePolicy } from '../../src/parse/parse.js';
import { emitTargets } from '../../targets/emit.js';
import { TARGET_REGISTRY } from '../../targets/index.js';
import { EXAMPLES } from '../helpers.js';
import { perturb, policyArb, render } from './arbitraries.js';

const fmt = (text: string): string => {
  const r = formatPolicy(text, 'policy.msgr');
  if (!r.ok) throw new Error(`does not parse:\n${text}\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n')}`);
  return r.text;
};

const body = (lines: string[]) => `${lines.join('\n')}\n`;

describe('fmt: the canonical layout', () => {
  it('leaves every example as it is (contoso stays byte-identical to the design example)', () => {
    for (const e of EXAMPLES) {
      const r = formatPolicy(e.text, e.name);
      expect(r.ok && r.text, e.name).toBe(e.text);
      expect(r.ok && r.changed, e.name).toBe(false);
    }
  });

  it('indents 2 spaces per open brace, single-spaces tokens, writes `, ` and ` = `, closes ranges up', () => {
    const input = [
      'deployment   d{',
      '\t    network a=10.0.0.0/8 ,10.1.0.0/16',
      'server a  {',
      '        sip tls port  5061',
      '}',
      ' clients a {',
      'server a via tls',
      '      features im ,presence,whiteboard',
      '  media ports 50000 - 50039',
      '   }',
      '}',
    ];
    expect(fmt(body(input))).toBe(
      body([
        'deployment d {',
        '  network a = 10.0.0.0/8, 10.1.0.0/16',
        '  server a {',
        '    sip tls port 5061',
        '  }',
        '  clients a {',
        '    server a via tls',
        '    features im, presence, whiteboard',
        '    media ports 50000-50039',
        '  }',
        '}',
      ]),
    );
  });

  it('writes a gateway\'s zone list as `between A, B and C` and `others` as a setting', () => {
    const input = ['deployment d {', 'firewall g {', '   between  staff ,vendors,servers   and lab', 'others  deny', 'targets nftables', '}', '}'];
    expect(fmt(body(input))).toBe(body(['deployment d {', '  firewall g {', '    between staff, vendors, servers and lab', '    others deny', '    targets nftables', '  }', '}']));
  });

  it('aligns the `=` of consecutive network lines one space after the longest name; any other line ends the run', () => {
    const input = [
      'deployment d {',
      '  network a = 10.0.0.0/8',
      '  network partners       = 10.1.0.0/16',
      '  network bb=a',
      '',
      '  network c     = a',
      '  # a comment ends a run too',
      '  network dd = a, c',
      '  network eee = a,',
      '    c',
      '  network f = a',
      '}',
    ];
    expect(fmt(body(input))).toBe(
      body([
        'deployment d {',
        '  network a        = 10.0.0.0/8',
        '  network partners = 10.1.0.0/16',
        '  network bb       = a',
        '',
        '  network c = a',
        '  # a comment ends a run too',
        '  network dd  = a, c',
        '  network eee = a,',
        '    c',
        '  network f = a',
        '}',
      ]),
    );
  });

  it('keeps a trailing comment in its column (relative to the code), at least two spaces after the code', () => {
    const input = [
      'deployment d {       # far out',
      '    network a = 10.0.0.0/8      # aligned',
      '    network b = a               # aligned',
      '  network c = 10.2.0.0/16# tight',
      '  network dd = a #one space',
      '}  ',
    ];
    expect(fmt(body(input))).toBe(
      body([
        'deployment d {       # far out',
        // Re-indented from 4 to 2 spaces: the comments move along and stay aligned.
        '  network a  = 10.0.0.0/8     # aligned',
        '  network b  = a              # aligned',
        '  network c  = 10.2.0.0/16  # tight',
        '  network dd = a  #one space',
        '}',
      ]),
    );
  });

  it('indents comment-only lines with their block, or keeps them under the trailing comment they continue', () => {
    const input = [
      '# top',
      'deployment d {',
      '# about a',
      '  network a = 10.0.0.0/8   # the first line of a comment',
      '                           # that goes on here',
      '                           # and here',
      '        # but this one is not aligned',
      '  server a {',
      '          # inside',
      '    sip tls',
      '      }',
      '       # after the block',
      '}',
      '    # the end',
    ];
    expect(fmt(body(input))).toBe(
      body([
        '# top',
        'deployment d {',
        '  # about a',
        '  network a = 10.0.0.0/8   # the first line of a comment',
        '                           # that goes on here',
        '                           # and here',
        '  # but this one is not aligned',
        '  server a {',
        '    # inside',
        '    sip tls',
        '  }',
        '  # after the block',
        '}',
        '# the end',
      ]),
    );
  });

  it('indents a continued statement one level more, comments and blank lines inside it included', () => {
    const input = [
      'deployment d {',
      '  network a =',
      '10.0.0.0/8,   # first',
      '',
      '        # second',
      '   10.1.0.0/16,',
      '             10.2.0.0/16',
      '  clients a {',
      '    features im,',
      '  presence',
      '  }',
      '}',
    ];
    expect(fmt(body(input))).toBe(
      body([
        'deployment d {',
        '  network a =',
        '    10.0.0.0/8,   # first',
        '',
        '    # second',
        '    10.1.0.0/16,',
        '    10.2.0.0/16',
        '  clients a {',
        '    features im,',
        '      presence',
        '  }',
        '}',
      ]),
    );
  });

  it('keeps statements joined by `;` and one-line blocks on their line', () => {
    const input = ['deployment d {', '  network a = 10.0.0.0/8 ;network b = a;', '  server a{sip tls ; sip tcp port 5070}', '}'];
    expect(fmt(body(input))).toBe(body(['deployment d {', '  network a = 10.0.0.0/8; network b = a;', '  server a { sip tls; sip tcp port 5070 }', '}']));
  });

  it('writes strings and comment text back exactly', () => {
    const input = ['deployment d {', '  description   "a \\"quoted\\"\tand \\\\ back  slash"  #\tcomment  "with" \\ # ;', '}'];
    expect(fmt(body(input))).toBe(body(['deployment d {', '  description "a \\"quoted\\"\tand \\\\ back  slash"  #\tcomment  "with" \\ # ;', '}']));
  });

  it('writes LF line ends, no byte order mark, no trailing blanks, one newline at the end; keeps blank lines', () => {
    const input = '\uFEFFdeployment d {  \r\n\r\n\r\n  network a = 10.0.0.0/8\t\r\n   \r\n}\r\n\r\n\n  \n';
    expect(fmt(input)).toBe('deployment d {\n\n\n  network a = 10.0.0.0/8\n\n}\n');
    expect(fmt('deployment d {\n  network a = 10.0.0.0/8\n}')).toBe('deployment d {\n  network a = 10.0.0.0/8\n}\n');
  });

  it('refuses a file that does not parse, with its diagnostics', () => {
    const r = formatPolicy('deployment d {\n  netwrk a = 10.0.0.0/8\n}\n', 'bad.msgr');
    expect(r).toMatchObject({ ok: false, diagnostics: [{ code: 'MSGR002', line: 2, column: 3, file: 'bad.msgr' }] });
    expect(formatPolicy('', 'empty.msgr')).toMatchObject({ ok: false, diagnostics: [{ code: 'MSGR005' }] });
    expect(formatPolicy('deployment d {\n  description "open\n}\n', 'x').ok).toBe(false);
  });

  it('reports changed lines as unified-diff hunks, with notes for line ends and the final newline', () => {
    const before = 'deployment d {\r\n  network a=10.0.0.0/8\r\n  network b = a\r\n}';
    const diff = formatDiff('p.msgr', before, fmt(before));
    expect(diff).toBe(
      ['--- p.msgr', '+++ p.msgr (formatted)', '# CRLF line ends become LF', '# a newline is added at the end of the file', '@@ -2,1 +2,1 @@', '-  network a=10.0.0.0/8', '+  network a = 10.0.0.0/8', ''].join('\n'),
    );
  });
});

// ── Properties ────────────────────────────────────────────────────────────────────────────────

const lexer = moo.compile(rules);

/** Every token with the line it stands on (comments without their trailing blanks). */
function tokenLines(text: string): string[] {
  lexer.reset(text.replace(/^\uFEFF/, ''));
  const out: string[] = [];
  for (let t = lexer.next(); t; t = lexer.next()) {
    if (t.type === 'ws' || t.type === 'nl') continue;
    out.push(`${t.line} ${t.type} ${t.type === 'comment' ? t.text.replace(/\s+$/, '') : t.text}`);
  }
  return out;
}

const TARGETS = Object.keys(TARGET_REGISTRY) as IrTarget[];

/** Everything a compile produces, but diagnostic columns: every target's artefacts, byte for byte. */
function compiled(text: string) {
  const r = compilePolicy(text.replace(/^\uFEFF/, ''), 'policy.msgr');
  return {
    diagnostics: r.diagnostics.map((d) => ({ ...d, column: 0 })),
    targets: r.ir
      ? TARGETS.map((target) => {
          const { files, problems } = emitTargets(r.ir!, { target });
          return { target, files: files.map((f) => [f.firewall.name, f.artefact.name, f.artefact.content]), problems: problems.map((p) => [p.firewall.name, p.message]) };
        })
      : undefined,
  };
}

function checkFormatted(original: string): void {
  const once = fmt(original);
  // Idempotent.
  expect(fmt(once)).toBe(once);
  // Same tree, columns aside.
  const a = parsePolicy(original.replace(/^\uFEFF/, ''), 'p').ast;
  const b = parsePolicy(once, 'p').ast;
  expect(a && b && astSignature(b)).toBe(a && astSignature(a));
  // Every token (and comment) on the line it stood on.
  expect(tokenLines(once)).toEqual(tokenLines(original));
  // Byte-identical outputs for every target.
  expect(compiled(once)).toEqual(compiled(original));
  // The layout's own promises.
  expect(once.endsWith('\n') && !once.endsWith('\n\n')).toBe(true);
  expect(once).not.toMatch(/[ \t]$|\r|^\uFEFF/m);
  lexer.reset(once);
  for (let t = lexer.next(); t; t = lexer.next()) if (t.type === 'ws') expect(t.text).toMatch(/^ +$/);
}

/** fast-check run counts: kept bounded so the suite stays quick. */
const RUNS = { generated: 200, perExample: 100 } as const;

describe('fmt: properties', () => {
  it(`over ${RUNS.generated} generated policies with layout noise: idempotent, same tree, every token on its line, byte-identical outputs for every target`, () => {
    let compiledOk = 0;
    fc.assert(
      fc.property(policyArb, fc.integer(), (policy, seed) => {
        const text = render(policy, seed);
        checkFormatted(text);
        if (compiled(text).targets) compiledOk++;
      }),
      { numRuns: RUNS.generated },
    );
    // The generator writes valid policies: the output comparison is never vacuous.
    expect(compiledOk).toBe(RUNS.generated);
  });

  it.each(EXAMPLES.map((e) => [e.name, e.text]))(`over %s, as written and with ${RUNS.perExample} random re-layouts`, (_name, text) => {
    checkFormatted(text);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const noisy = perturb(text, seed);
        checkFormatted(noisy);
        // Horizontal noise only: formatting gives the example back (but where trailing comments
        // start: their column is the author's, and the noise moved it).
        const code = (t: string) => t.split('\n').map((l) => l.replace(/\s*#[^"]*$/, ''));
        expect(code(fmt(noisy))).toEqual(code(text));
      }),
      { numRuns: RUNS.perExample },
    );
  });
});
