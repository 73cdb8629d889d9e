import moo from 'moo';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Deployment } from '../parse/ast.js';
import { rules } from '../parse/lexer.js';
import { parsePolicy } from '../parse/parse.js';

/**
 * `msgrfw fmt`: one canonical layout for a policy, keeping every comment.
 *
 * Target outputs cite policy line numbers, so the formatter never moves a token to another line:
 * it rewrites each line on its own (indentation, the spaces between tokens, where a trailing
 * comment starts) and keeps every line break, blank lines included. The rules are listed in the
 * README ("Formatting and machine-readable diagnostics"); in short:
 *
 * - indentation: 2 spaces per open brace (a line that starts with `}` takes the level of its
 *   block's opening line); a line that continues a statement (after `,` or `=`) one level more;
 * - one space between tokens, none before `,` and `;`, none around the `-` of a port range;
 * - `=` of consecutive `network` lines aligned one space after the longest name;
 * - a trailing comment keeps its column relative to the start of its line's code, but at least
 *   two spaces after the code; a comment-only line sits at its line's indentation, unless it
 *   continues the comment of the line above in the same column;
 * - strings and comment text as written; no trailing blanks, LF line ends, no byte order mark,
 *   exactly one newline at the end.
 */

export type FormatResult =
  | { ok: true; text: string; changed: boolean }
  | { ok: false; diagnostics: Diagnostic[] };

/** Columns are counted with tabs expanded to the next multiple of this (what a terminal shows). */
export const TAB_WIDTH = 8;
const INDENT = 2;
/** The fewest spaces between code and its trailing comment. */
const COMMENT_GAP = 2;

const lexer = moo.compile(rules);

interface Line {
  /** The original text of the line, without its line break. */
  raw: string;
  code: moo.Token[];
  comment?: moo.Token;
  depth: number;
  continuation: boolean;
  /** `network NAME =` at the start of a statement line: its `=` takes part in alignment. */
  assignment: boolean;
}

/** Display width of a line prefix, tabs expanded. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w = ch === '\t' ? (Math.floor(w / TAB_WIDTH) + 1) * TAB_WIDTH : w + 1;
  return w;
}

/**
 * Formats a policy. A policy with a syntax error is refused with its diagnostics: the layout
 * of text the parser cannot read is not guessed at.
 */
export function formatPolicy(source: string, file: string): FormatResult {
  const text = source.replace(/^\uFEFF/, '');
  const parsed = parsePolicy(text, file);
  if (!parsed.ast || parsed.diagnostics.length > 0) return { ok: false, diagnostics: parsed.diagnostics };
  const out = layout(text);
  // The formatter must never change what a policy says: check it, every time.
  const again = parsePolicy(out, file);
  if (!again.ast || again.diagnostics.length > 0 || astSignature(again.ast) !== astSignature(parsed.ast)) {
    throw new Error(`internal error: formatting ${file} would change what it says; the file was left as it is`);
  }
  return { ok: true, text: out, changed: out !== source };
}

/** The AST without columns (the one thing formatting may change), as a comparable string. */
export function astSignature(ast: Deployment): string {
  return JSON.stringify(ast, (key, value) => (key === 'column' ? undefined : value));
}

function lines(text: string): Line[] {
  const raws = text.split('\n');
  if (raws[raws.length - 1] === '') raws.pop();
  const out: Line[] = raws.map((raw) => ({ raw, code: [], depth: 0, continuation: false, assignment: false }));
  lexer.reset(text);
  for (let tok = lexer.next(); tok !== undefined; tok = lexer.next()) {
    if (tok.type === 'ws' || tok.type === 'nl') continue;
    const line = out[tok.line - 1]!;
    if (tok.type === 'comment') line.comment = tok;
    else line.code.push(tok);
  }
  let depth = 0;
  let previous: moo.Token | undefined;
  for (const line of out) {
    line.depth = depth;
    line.continuation = previous !== undefined && (previous.type === 'comma' || previous.type === 'equals');
    const [a, b, c] = line.code;
    line.assignment = !line.continuation && a?.type === 'word' && a.value === 'network' && b?.type === 'word' && c?.type === 'equals';
    for (const tok of line.code) {
      if (tok.type === 'lbrace') depth++;
      else if (tok.type === 'rbrace') depth--;
    }
    previous = line.code[line.code.length - 1] ?? previous;
  }
  return out;
}

function layout(text: string): string {
  const all = lines(text);
  const equalsColumn = alignAssignments(all);
  const rendered: string[] = [];
  /** The comment of the line above: where it stood and where it went. */
  let above: { from: number; to: number } | undefined;
  all.forEach((line, i) => {
    const closers = leadingClosers(line.code);
    const level = Math.max(0, line.depth - closers) + (line.continuation ? 1 : 0);
    const indent = ' '.repeat(level * INDENT);
    let code = '';
    if (line.code.length > 0) {
      code = indent;
      line.code.forEach((tok, k) => {
        if (k > 0) code += k === 2 && line.assignment ? ' '.repeat(Math.max(1, equalsColumn.get(i)! - displayWidth(code))) : gap(line.code[k - 1]!, tok);
        code += tok.text;
      });
    }
    let result = code;
    let placed: { from: number; to: number } | undefined;
    if (line.comment) {
      const from = displayWidth(line.raw.slice(0, line.comment.col - 1));
      const body = line.comment.text.replace(/\s+$/, '');
      let to: number;
      if (line.code.length > 0) {
        // Keep the column relative to the code's start: re-indenting moves the comment along.
        const kept = from - displayWidth(line.raw.match(/^[ \t]*/)![0]) + indent.length;
        to = Math.max(kept, displayWidth(code) + COMMENT_GAP);
      } else {
        to = above !== undefined && above.from === from ? above.to : indent.length;
      }
      result = `${code}${' '.repeat(to - displayWidth(code))}${body}`;
      placed = { from, to };
    }
    above = placed;
    rendered.push(result);
  });
  while (rendered.length > 0 && rendered[rendered.length - 1] === '') rendered.pop();
  return `${rendered.join('\n')}\n`;
}

function leadingClosers(code: readonly moo.Token[]): number {
  let n = 0;
  while (code[n]?.type === 'rbrace') n++;
  return n;
}

/** The space between two tokens of one line. */
function gap(before: moo.Token, tok: moo.Token): string {
  if (tok.type === 'comma' || tok.type === 'semi') return '';
  if (before.type === 'dash' || tok.type === 'dash') return '';
  return ' ';
}

/**
 * The column of `=` on each line of a run of consecutive `network NAME =` lines: one space after
 * the longest `network NAME` of the run. Any other line (blank, comment, continuation, another
 * statement) ends a run.
 */
function alignAssignments(all: readonly Line[]): Map<number, number> {
  const columns = new Map<number, number>();
  let i = 0;
  while (i < all.length) {
    if (!all[i]!.assignment) {
      i++;
      continue;
    }
    let j = i;
    let widest = 0;
    while (j < all.length && all[j]!.assignment) {
      const line = all[j]!;
      const prefix = line.depth * INDENT + 'network '.length + displayWidth(line.code[1]!.text);
      widest = Math.max(widest, prefix);
      j++;
    }
    for (let k = i; k < j; k++) columns.set(k, widest + 1);
    i = j;
  }
  return columns;
}
