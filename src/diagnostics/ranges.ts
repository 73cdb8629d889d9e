import { tokenStartingAt } from '../parse/tokens.js';
import { withEnd, type Diagnostic } from './diagnostic.js';

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
    const line = lines[d.line - 1]?.replace(/\r$/, '');
    const token = line === undefined ? undefined : tokenStartingAt(line, d.column);
    const spans = token && token.type !== 'ws' && token.type !== 'nl' && token.type !== 'comment';
    return spans ? withEnd(d, { line: d.line, column: d.column + token.text.length }) : d;
  });
}
