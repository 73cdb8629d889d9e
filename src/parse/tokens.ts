import moo from 'moo';
import { rules } from './lexer.js';

const lexer = moo.compile(rules);

/** The tokens of one line of a policy, as the lexer reads them (blanks included). */
export function lineTokens(line: string): moo.Token[] {
  lexer.reset(line);
  const out: moo.Token[] = [];
  for (let t = lexer.next(); t; t = lexer.next()) out.push(t);
  return out;
}

/** The token under a 1-based column of a line, the column just after it included (a cursor after a word is on it). */
export function tokenAt(line: string, column: number): moo.Token | undefined {
  const tokens = lineTokens(line).filter((t) => t.type !== 'ws');
  return tokens.find((t) => column - 1 >= t.offset && column - 1 < t.offset + t.text.length) ?? tokens.find((t) => column - 1 === t.offset + t.text.length);
}

/**
 * The token that starts at a 1-based column, read from there alone: a line may be megabytes long
 * and hold many diagnostics, so it is never lexed whole for one of them.
 */
export function tokenStartingAt(line: string, column: number): moo.Token | undefined {
  if (column < 1 || column > line.length) return undefined;
  lexer.reset(line.slice(column - 1));
  return lexer.next();
}
