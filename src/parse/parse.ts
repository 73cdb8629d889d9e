import nearley from 'nearley';
import type { Token } from 'moo';
import grammar from './grammar.generated.js';
import type { Deployment } from './ast.js';
import { diagnostic, endOf as tokenEnd, replacing } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { nearest } from '../diagnostics/suggest.js';
import { blankFailedStatement } from './recover.js';
import { lexer, MAX_NAME } from './lexer.js';
import { materialize } from './build.js';
import { parseFast } from './fast.js';
import { reportHiddenCharacters } from './hidden.js';

export interface ParseResult {
  /** Absent only when no statement could be recovered at all. */
  ast?: Deployment;
  diagnostics: Diagnostic[];
  /** The statements that failed to parse and were blanked, in the order they failed. */
  failed: FailedStatement[];
  /** How many parses the grammar produced; 1 for every valid policy (tested: the grammar is unambiguous). */
  parseCount: number;
}

export interface ParseOptions {
  /**
   * Try the recursive-descent fast path first (default). False parses with nearley only: what
   * the grammar tests use to count the parses (`parseCount`) of a policy.
   */
  fastPath?: boolean;
}

/**
 * A statement the parser could not read: the line it stands on and its first words (`network
 * d`, `sip dynamc`), so that later stages can tell what it may have said and stay quiet about
 * its absence.
 */
export interface FailedStatement {
  line: number;
  words: string[];
}

const MAX_SYNTAX_ERRORS = 50;
/**
 * The largest policy read (MSGR050): a deployment's policy is kilobytes; 4 MiB holds 100,000
 * networks and keeps the worst input's compile within seconds.
 */
export const MAX_POLICY_CHARS = 4 * 1024 * 1024;
const compiled = nearley.Grammar.fromCompiled(grammar);

/**
 * Parses a policy. On a syntax error it reports it, blanks the failing statement (keeping every
 * position) and parses again, so one run reports every syntax error, and the recovered tree
 * still reaches resolution for the semantic errors.
 */
export function parsePolicy(text: string, file: string, options: ParseOptions = {}): ParseResult {
  if (text.length > MAX_POLICY_CHARS) {
    const size = (text.length / (1024 * 1024)).toFixed(1);
    const message = `policy of ${size} MiB; at most ${MAX_POLICY_CHARS / (1024 * 1024)} MiB is read`;
    return { diagnostics: [diagnostic('MSGR050', file, { line: 1, column: 1 }, message, 'split the deployment into several policies')], failed: [], parseCount: 0 };
  }
  // Text that hides what it does is refused before either parser reads it (one place, so the
  // two cannot disagree); they read it blanked, so the rest of the file is still checked.
  const hidden = reportHiddenCharacters(text, file);
  if (options.fastPath !== false) {
    // A well-formed policy takes the fast path (the same tree, see fast.ts); anything else, and
    // every syntax error, goes to nearley below.
    const fast = parseFast(hidden.readable);
    if (fast) return { ast: fast, diagnostics: hidden.diagnostics, failed: [], parseCount: 1 };
  }
  const diagnostics: Diagnostic[] = [...hidden.diagnostics];
  const failed: FailedStatement[] = [];
  let current = hidden.readable;
  for (let attempt = 0; attempt <= MAX_SYNTAX_ERRORS; attempt++) {
    const outcome = parseOnce(current, file);
    if (outcome.kind === 'ok') {
      return { ast: materialize(outcome.results[0]!), diagnostics, failed, parseCount: outcome.results.length };
    }
    diagnostics.push(outcome.diagnostic);
    failed.push(failedStatementAt(current, outcome.offset, outcome.diagnostic.line));
    const next = blankFailedStatement(current, outcome.offset);
    if (next === current) break;
    current = next;
  }
  return { diagnostics, failed, parseCount: 0 };
}

/** The first two words of the line the failed statement stands on. */
function failedStatementAt(text: string, offset: number, line: number): FailedStatement {
  const start = text.lastIndexOf('\n', Math.min(offset, text.length) - 1) + 1;
  const end = text.indexOf('\n', start);
  const head = /^[ \t]*([A-Za-z_][A-Za-z0-9_-]*)(?:[ \t]+([A-Za-z_][A-Za-z0-9_-]*))?/.exec(text.slice(start, end < 0 ? undefined : end));
  return { line, words: head ? head.slice(1).filter((w): w is string => w !== undefined) : [] };
}

type Outcome =
  | { kind: 'ok'; results: Deployment[] }
  | { kind: 'error'; diagnostic: Diagnostic; offset: number };

function parseOnce(text: string, file: string): Outcome {
  const parser = new nearley.Parser(compiled);
  try {
    parser.feed(text);
  } catch (e) {
    const token = (e as { token?: Token }).token;
    if (!token) throw e; // not a syntax error: a bug of ours, let it surface
    return { kind: 'error', diagnostic: syntaxError(parser, token, file), offset: failedStatementOffset(token) };
  }
  if (parser.results.length === 0) {
    const { line, column, offset } = endOf(text);
    const expected = expectedTokens(parser);
    return {
      kind: 'error',
      offset,
      diagnostic: diagnostic(
        'MSGR005',
        file,
        { line, column },
        `unexpected end of file; expected ${describeExpected(expected)}`,
        expected.includes("'}'") ? "a block is not closed: add the missing '}'" : 'complete the last statement',
      ),
    };
  }
  return { kind: 'ok', results: parser.results as Deployment[] };
}

const CONTINUES = new Set(['comma', 'equals', 'dash', 'word', 'number', 'string', 'ipv4', 'ipv6']);

/**
 * Where the statement to blank stands. A statement left unfinished at the end of its line
 * (`media ports 5000-`) fails on the next line's token, which belongs to another statement.
 */
function failedStatementOffset(token: Token): number {
  const prev = lexer.previous;
  if (prev && CONTINUES.has(prev.type ?? '') && prev.line < token.line) return prev.offset;
  return token.offset;
}

function syntaxError(parser: nearley.Parser, token: Token, file: string): Diagnostic {
  const prev = lexer.previous;
  if (prev && CONTINUES.has(prev.type ?? '') && prev.line < token.line) {
    // The statement stopped short at the end of its line: point there, not at the next line.
    const end = { line: prev.line, column: prev.col + prev.text.length };
    return diagnostic('MSGR001', file, end, `unexpected end of line; expected ${describeExpected(expectedTokens(parser))}`, 'complete the statement on this line');
  }
  const pos = { line: token.line, column: token.col };
  if (token.type === 'invalid') {
    return diagnostic('MSGR003', file, pos, `unexpected character ${JSON.stringify(token.text)}`, 'names are letters, digits, _ and -; strings go in double quotes');
  }
  if (token.type === 'longword') {
    return diagnostic('MSGR017', file, pos, `name of ${token.text.length} characters; names have at most ${MAX_NAME}`, 'use a shorter name');
  }
  if (token.type === 'badstring') {
    return diagnostic('MSGR004', file, pos, 'unterminated string', 'close the string with " on the same line; write \\" for a quote and \\\\ for a backslash');
  }
  const expected = expectedTokens(parser);
  const keywords = expected.filter((e) => e.startsWith("'") && /^'[a-z]/.test(e)).map((e) => e.slice(1, -1));
  if (token.type === 'word' && keywords.length > 0 && !expected.includes('a name')) {
    const meant = nearest(token.value, keywords);
    const message = `unknown keyword '${token.value}' here; expected ${describeExpected(expected)}`;
    if (meant === undefined) return diagnostic('MSGR002', file, pos, message, `use one of: ${keywords.join(', ')}`, { end: tokenEnd(pos, token.text) });
    return diagnostic('MSGR002', file, pos, message, `did you mean '${meant}'?`, replacing(pos, token.text, meant));
  }
  return diagnostic(
    'MSGR001',
    file,
    pos,
    `unexpected ${describeToken(token)}; expected ${describeExpected(expected)}`,
    'see the language reference in the README',
  );
}

/** What the parser could have accepted instead, read from the last column of the Earley table. */
function expectedTokens(parser: nearley.Parser): string[] {
  const p = parser as unknown as { table: { states: { rule: { symbols: unknown[] }; dot: number }[] }[]; current: number };
  const column = p.table[p.current];
  const seen = new Set<string>();
  for (const state of column?.states ?? []) {
    const symbol = state.rule.symbols[state.dot];
    if (symbol && typeof symbol === 'object') {
      const s = symbol as { literal?: string; type?: string };
      if (s.literal !== undefined) seen.add(`'${s.literal}'`);
      else if (s.type !== undefined) seen.add(TOKEN_NAMES[s.type] ?? s.type);
    }
  }
  return [...seen].sort();
}

const TOKEN_NAMES: Record<string, string> = {
  word: 'a name',
  number: 'a number',
  nl: 'end of line',
  string: 'a "quoted string"',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
};

function describeExpected(expected: string[]): string {
  if (expected.length === 0) return 'nothing more';
  if (expected.length === 1) return expected[0]!;
  return `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
}

function describeToken(token: Token): string {
  if (token.type === 'nl') return 'end of line';
  if (token.type === 'word') return `'${token.value}'`;
  if (token.type === 'number') return `number ${token.value}`;
  if (token.type === 'string') return 'string';
  if (token.type === 'ipv4' || token.type === 'ipv6') return `address ${token.value}`;
  return `'${token.text}'`;
}

function endOf(text: string): { line: number; column: number; offset: number } {
  const trimmed = text.replace(/\s+$/, '');
  const lines = trimmed.split('\n');
  return { line: Math.max(1, lines.length), column: (lines[lines.length - 1]?.length ?? 0) + 1, offset: text.length };
}
