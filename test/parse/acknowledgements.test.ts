import fc from 'fast-check';
import moo from 'moo';
import { describe, expect, it } from 'vitest';
import { commentStart, scanAcknowledgements } from '../../src/parse/acknowledgements.js';
import { rules } from '../../src/parse/lexer.js';

const lexer = moo.compile(rules);

describe('reading acknowledgements from comments', () => {
  it('reads a trailing acknowledgement as one for its own line, with each code and its column', () => {
    const text = 'deployment d {\n  firewall h {   # msgrfw: ack MSGR073, MSGR045 -- managed from the console  \n}\n';
    expect(scanAcknowledgements(text)).toEqual({
      acknowledgements: [
        {
          line: 2,
          target: 2,
          codes: [{ code: 'MSGR073', column: 32 }, { code: 'MSGR045', column: 41 }],
          justification: 'managed from the console',
          // The comment from its # to its last character, after the code ending in `{`.
          comment: { column: 18, endColumn: 76, trailing: true, codeEnd: 15 },
        },
      ],
      malformed: [],
    });
  });

  it('attaches an acknowledgement on a line of its own to the next line with code, past other comment lines, never across a blank line', () => {
    const text = [
      '# msgrfw: ack MSGR032 -- a',
      '# a plain comment',
      '  # msgrfw: ack MSGR031 -- b',
      '  sip tcp',
      '# msgrfw: ack MSGR073 -- c',
      '',
      'firewall x {',
      '# msgrfw: ack MSGR073 -- at the end',
    ].join('\n');
    const acks = scanAcknowledgements(text).acknowledgements;
    expect(acks.map((a) => [a.line, a.target, a.justification])).toEqual([
      [1, 4, 'a'],
      [3, 4, 'b'],
      [5, undefined, 'c'],
      [8, undefined, 'at the end'],
    ]);
  });

  it('reads only comments that start with msgrfw: (not a # inside a string, not msgrfw: later in a comment)', () => {
    const text = [
      'description "# msgrfw: ack MSGR032 -- in a string"',
      'description "a \\" # msgrfw: ack MSGR032 -- still in the string"',
      'sip tcp # see msgrfw: ack MSGR032 -- prose',
      'sip tcp #msgrfw: ack MSGR032 -- tight\r',
    ].join('\n');
    expect(scanAcknowledgements(text)).toMatchObject({ acknowledgements: [{ line: 4, target: 4, codes: [{ code: 'MSGR032', column: 22 }], justification: 'tight' }], malformed: [] });
    expect(scanAcknowledgements(text).acknowledgements).toHaveLength(1);
  });

  it('calls every other msgrfw: comment malformed, saying what is wrong', () => {
    const problems = (comment: string) => scanAcknowledgements(`sip tcp ${comment}\n`).malformed.map((m) => [m.column, m.endColumn, m.problem]);
    expect(problems('# msgrfw: ignore MSGR032 -- x')).toEqual([[11, 38, "unknown directive 'ignore': msgrfw reads one directive in comments, ack"]]);
    expect(problems('# msgrfw:')).toEqual([[11, 18, 'a directive without a word: msgrfw reads one directive in comments, ack']]);
    expect(problems('# msgrfw: ack -- no code')).toEqual([[11, 33, 'acknowledgement names no code']]);
    expect(problems('# msgrfw: ack MSGR032')).toEqual([[11, 30, 'acknowledgement gives no reason']]);
    expect(problems('# msgrfw: ack MSGR032 --   ')).toEqual([[11, 33, 'acknowledgement gives no reason']]);
    expect(problems('# msgrfw: ack MSGR032 MSGR031 -- x')).toEqual([[11, 43, 'acknowledgement codes must be separated by commas']]);
    expect(problems('# msgrfw: ack MSGR032,MSGR031 -- x -- y')).toEqual([]);
  });

  it('finds a comment exactly where the lexer does, on any line', () => {
    const piece = fc.constantFrom('"', '\\', '#', 'a', ' ', '\t', '\\"', '\\\\', 'msgrfw:', '10.0.0.1', ',', '{', '-', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const line = pieces.join('');
        lexer.reset(line);
        let lexed = -1;
        for (let t = lexer.next(); t; t = lexer.next()) if (t.type === 'comment') lexed = t.offset;
        expect(commentStart(line)).toBe(lexed);
      }),
      { numRuns: 2000 },
    );
  });
});
