import moo from 'moo';
import { rules } from '../parse/lexer.js';
import { withEnd, type Diagnostic } from './diagnostic.js';

const lexer = moo.compile(rules);

/**
 * Each diagnostic without an end gets the extent of the token it points at, read from the
 * policy text with the lexer's own rules: a name, an address with its prefix, a number, a
 * string, a keyword at the start of a statement. A diagnostic that points at no token (the end
 * of a line or of the file) keeps its position alone.
 */
export function withTokenRanges(diagnostics: readonly Diagnostic[], text: string): Diagnostic[] {
  if (!diagnostics.some((d) => d.endLine === undefined)) return [...diagnostics];
  const lines = text.split('\n');
  return diagnostics.map((d) => {
    if (d.endLine !== undefined) return d;
    const length = tokenLength(lines[d.line - 1]?.replace(/\r$/, ''), d.column);
    return length ? withEnd(d, { line: d.line, column: d.column + length }) : d;
  });
}

/** The length of the token that starts at `column` (1-based) of the line; 0 for none. */
function tokenLength(line: string | undefined, column: number): number {
  if (line === undefined || column < 1 || column > line.length) return 0;
  lexer.reset(line.slice(column - 1));
  const token = lexer.next();
  if (!token || token.type === 'ws' || token.type === 'nl' || token.type === 'comment') return 0;
  return token.text.length;
}
