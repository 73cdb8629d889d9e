import moo from 'moo';

/**
 * Tokens of the .msgr language. Words are not split into keywords here: `clients` is both a
 * statement keyword and a legal network name, so the grammar matches keywords by value.
 */
export const rules: moo.Rules = {
  // Single characters first: moo matches them by a table lookup instead of its combined regex
  // (a large policy is mostly names and commas). No other rule can start with any of them, so
  // the order changes no token.
  lbrace: '{',
  rbrace: '}',
  comma: ',',
  equals: '=',
  dash: '-',
  semi: ';',
  ws: /[ \t]+/,
  comment: /#[^\n]*/,
  nl: { match: /\r?\n/, lineBreaks: true },
  // Written as unrolled loops (no repeated alternation): a group repeated once per character
  // overflows the regex engine's backtrack stack on a string of a few megabytes.
  string: /"[^"\\\n\r]*(?:\\["\\][^"\\\n\r]*)*"/,
  badstring: /"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*/,
  // Before `word`: an IPv6 literal may start with letters (fe80::1). Validated in resolve.
  ipv6: /(?:[0-9A-Fa-f]{0,4}:){2,8}[0-9A-Fa-f.]*(?:%[A-Za-z0-9_.]*)?(?:\/[0-9]+)?/,
  ipv4: /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(?:%[A-Za-z0-9_.]*)?(?:\/[0-9]+)?/,
  number: /[0-9]+/,
  // Names are letters, digits, `_` and inner single `-`. The pattern takes every `-` (one
  // character class, so a huge name cannot overflow the regex engine); StatementLexer cuts a
  // word at a doubled or trailing `-`, which is where the stricter pattern would have ended it.
  word: /[A-Za-z_][A-Za-z0-9_-]*/,
  invalid: /[^\n]/,
};

export type MsgrToken = moo.Token;

/**
 * The longest name (and keyword) the language accepts. Names become table, chain, anchor and
 * rule names in every target; pf's anchor names hold 63 characters (PF_ANCHOR_NAME_SIZE 64).
 */
export const MAX_NAME = 63;

/**
 * Newlines end statements, but a line may continue after `,`, `=` or `{`; `;` is an explicit
 * statement end. This wrapper drops blanks and comments and folds those cases, so the grammar
 * sees at most one `nl` between statements and none where a line continues.
 */
export class StatementLexer {
  private readonly inner = moo.compile(rules);
  private last: MsgrToken | undefined;
  /** The token handed out before `last`: where an unfinished statement stands when `last` fails. */
  previous: MsgrToken | undefined;
  private pending: MsgrToken | undefined;

  reset(chunk: string, state?: unknown): void {
    this.inner.reset(chunk, state as moo.LexerState | undefined);
    this.last = undefined;
    this.previous = undefined;
    this.pending = undefined;
  }

  next(): MsgrToken | undefined {
    for (;;) {
      const tok = this.pending ?? this.inner.next();
      this.pending = undefined;
      if (tok === undefined) return undefined;
      if (tok.type === 'ws' || tok.type === 'comment') continue;
      if (tok.type === 'word') this.cutWord(tok);
      if (tok.type === 'nl' || tok.type === 'semi') {
        if (this.last === undefined || this.last.type === 'nl') continue;
        if (['comma', 'equals', 'lbrace'].includes(this.last.type ?? '')) continue;
        const sep: MsgrToken = { ...tok, type: 'nl', value: '\n', text: tok.text };
        // A separator directly before `}` adds nothing: drop it so blocks end cleanly.
        const after = this.peekSignificant();
        if (after === undefined || after.type === 'rbrace') continue;
        this.previous = this.last;
        this.last = sep;
        return sep;
      }
      this.previous = this.last;
      this.last = tok;
      return tok;
    }
  }

  /**
   * A word ends before a doubled or trailing `-` (`a--b`, `a-`): the word keeps what precedes
   * it and the `-` comes next, as a dash token. No rule lets a dash follow a name, so the parse
   * fails right there and what follows the dash is never read.
   */
  private cutWord(tok: MsgrToken): void {
    const m = /--|-$/.exec(tok.text);
    if (!m) {
      // No rule accepts this token type: the parse fails here and reports MSGR017.
      if (tok.text.length > MAX_NAME) tok.type = 'longword';
      return;
    }
    const cut = m.index;
    this.pending = { ...tok, type: 'dash', value: '-', text: '-', offset: tok.offset + cut, col: tok.col + cut, lineBreaks: 0 };
    tok.text = tok.value = tok.text.slice(0, cut);
  }

  private peekSignificant(): MsgrToken | undefined {
    for (;;) {
      const tok = this.inner.next();
      if (tok === undefined) return undefined;
      if (tok.type === 'ws' || tok.type === 'comment' || tok.type === 'nl' || tok.type === 'semi') continue;
      this.pending = tok;
      return tok;
    }
  }

  save(): moo.LexerState {
    return this.inner.save();
  }

  formatError(token: MsgrToken, message?: string): string {
    return this.inner.formatError(token, message);
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(rules, name);
  }
}

export const lexer = new StatementLexer();
