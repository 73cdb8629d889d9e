import { MAX_NAME, rules, type MsgrToken } from './lexer.js';

/**
 * The tokens of lexer.ts's StatementLexer for a well-formed policy, read without moo: the fast
 * path's scanner (fast.ts). moo runs one combined regex with a capture group per token type at
 * every token, blanks included; this looks at the first character, skips blanks and comments
 * in place, and tries only the patterns that can start there, in moo's order, with moo's own
 * regexes. The first character decides which of them can match, so the tokens are moo's.
 *
 * It reads only what a well-formed policy holds: at anything else (an unterminated string, a
 * character no rule takes, a name moo's wrapper would cut or flag) it gives up, and the caller
 * parses with nearley and moo, which report the error.
 */

/** Thrown to give up; fast.ts catches it. */
export const SCAN_GIVE_UP = Symbol('scan gives up');

const sticky = (r: unknown) => new RegExp((r as RegExp).source, 'y');
const IPV6 = sticky(rules.ipv6);
const IPV4 = sticky(rules.ipv4);
const NUMBER = sticky(rules.number);
const WORD = sticky(rules.word);
const STRING = sticky(rules.string);

const PUNCTUATION: Record<string, string> = { '{': 'lbrace', '}': 'rbrace', ',': 'comma', '=': 'equals', '-': 'dash', ';': 'semi' };
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHexLetter = (c: number) => (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** Token types after which a newline does not end the statement (StatementLexer). */
const CONTINUES = new Set(['comma', 'equals', 'lbrace']);

export class Scanner {
  private index = 0;
  private line = 1;
  private lineStart = 0;
  private last: MsgrToken | undefined;
  private pending: MsgrToken | undefined;

  constructor(private readonly text: string) {}

  /** The next token as StatementLexer hands it to the grammar (separators folded). */
  next(): MsgrToken | undefined {
    for (;;) {
      const tok = this.pending ?? this.raw();
      this.pending = undefined;
      if (tok === undefined) return undefined;
      if (tok.type === 'nl' || tok.type === 'semi') {
        if (this.last === undefined || this.last.type === 'nl' || CONTINUES.has(this.last.type!)) continue;
        // A separator directly before `}` (or the end) adds nothing.
        const after = (this.pending = this.significant());
        if (after === undefined || after.type === 'rbrace') continue;
        const sep = { ...tok, type: 'nl', value: '\n' };
        this.last = sep;
        return sep;
      }
      this.last = tok;
      return tok;
    }
  }

  private significant(): MsgrToken | undefined {
    for (;;) {
      const tok = this.raw();
      if (tok === undefined || (tok.type !== 'nl' && tok.type !== 'semi')) return tok;
    }
  }

  /** The next token of moo's stream, blanks and comments skipped. */
  private raw(): MsgrToken | undefined {
    const text = this.text;
    for (;;) {
      const at = this.index;
      if (at >= text.length) return undefined;
      const c = text.charCodeAt(at);
      if (c === 32 || c === 9) {
        this.index++;
        continue;
      }
      if (c === 35) {
        // `#` to the end of the line (the newline stays).
        const end = text.indexOf('\n', at);
        this.index = end < 0 ? text.length : end;
        continue;
      }
      if (c === 10 || (c === 13 && text.charCodeAt(at + 1) === 10)) {
        const tok = this.token('nl', c === 10 ? '\n' : '\r\n', 1);
        this.line++;
        this.lineStart = this.index;
        return tok;
      }
      const punctuation = PUNCTUATION[text[at]!];
      if (punctuation) return this.token(punctuation, text[at]!, 0);
      if (c === 34) return this.token('string', this.match(STRING), 0);
      if (isDigit(c) || isHexLetter(c) || c === 58) {
        const v6 = this.tryMatch(IPV6);
        if (v6 !== undefined) return this.token('ipv6', v6, 0);
      }
      if (isDigit(c)) {
        const v4 = this.tryMatch(IPV4);
        return v4 !== undefined ? this.token('ipv4', v4, 0) : this.token('number', this.match(NUMBER), 0);
      }
      if (isLetter(c)) {
        const word = this.match(WORD);
        // StatementLexer cuts a word at `--` or a trailing `-` and flags a long one: both are
        // errors, nearley's to report.
        if (word.length > MAX_NAME || word.endsWith('-') || word.includes('--')) throw SCAN_GIVE_UP;
        return this.token('word', word, 0);
      }
      throw SCAN_GIVE_UP;
    }
  }

  private tryMatch(re: RegExp): string | undefined {
    re.lastIndex = this.index;
    const m = re.exec(this.text);
    return m ? m[0] : undefined;
  }

  private match(re: RegExp): string {
    const m = this.tryMatch(re);
    if (m === undefined) throw SCAN_GIVE_UP;
    return m;
  }

  /** A token as moo builds it (its fields in moo's order), ending the scan past it. */
  private token(type: string, text: string, lineBreaks: number): MsgrToken {
    const offset = this.index;
    this.index += text.length;
    return { type, value: text, text, toString: tokenToString, offset, lineBreaks, line: this.line, col: offset - this.lineStart + 1 };
  }
}

function tokenToString(this: MsgrToken): string {
  return this.value;
}
