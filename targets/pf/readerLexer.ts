/**
 * pfctl's lexer (parse.y: lgetc, lungetc, yylex) and a cursor over its tokens, for pf.ts: a
 * backslash before a newline joins lines anywhere, comments included; `#` starts a comment;
 * strings are quoted with " or '; words run over letters, digits and punctuation except
 * `( ) { } < > ! = / # ,`; `$name` expands a macro; `!=`, `<>`, `><`, `<=`, `>=` are operators.
 */
export class PfError extends Error {
  constructor(line: number, message: string) {
    super(`pf line ${line}: ${message}`);
  }
}

export interface Token {
  kind: 'word' | 'string' | 'op' | 'nl';
  text: string;
  line: number;
}

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isPunct = (c: string) => /^[!-/:-@[-`{-~]$/.test(c);
const allowedInString = (c: string) => isAlnum(c) || (isPunct(c) && !'(){}<>!=/#,'.includes(c));

/** pfctl's lexer. Macros are expanded where `$name` appears outside quotes. */
export function tokenizePf(text: string, macros: Map<string, string> = new Map()): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  // lgetc: backslash-newline is no character at all (and counts a line).
  const chars: { c: string; line: number }[] = [];
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (c === '\\' && text[k + 1] === '\n') {
      line++;
      k++;
      continue;
    }
    if (c === '\\' && (text[k + 1] === ' ' || text[k + 1] === '\t')) throw new PfError(line, 'whitespace after \\');
    if (c === '\r') throw new PfError(line, 'carriage return (pfctl reads LF line ends)');
    chars.push({ c, line });
    if (c === '\n') line++;
  }
  const at = (k: number) => chars[k]?.c;
  while (i < chars.length) {
    const { c, line: ln } = chars[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < chars.length && at(i) !== '\n') i++;
      continue;
    }
    if (c === '\n') {
      out.push({ kind: 'nl', text: '\n', line: ln });
      i++;
      continue;
    }
    if (c === '$') {
      let name = '';
      i++;
      while (i < chars.length && /[A-Za-z0-9_]/.test(at(i)!)) name += at(i++);
      const value = macros.get(name);
      if (value === undefined) throw new PfError(ln, `macro ${name} is not defined`);
      out.push(...tokenizePf(value, macros).filter((t) => t.kind !== 'nl').map((t) => ({ ...t, line: ln })));
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      for (;;) {
        const d = at(i);
        if (d === undefined || d === '\n') throw new PfError(ln, 'unterminated quoted string');
        if (d === '\\' && (at(i + 1) === c || at(i + 1) === '\\')) {
          s += at(i + 1);
          i += 2;
          continue;
        }
        i++;
        if (d === c) break;
        s += d;
      }
      out.push({ kind: 'string', text: s, line: ln });
      continue;
    }
    const two = c + (at(i + 1) ?? '');
    if (['!=', '<>', '><', '<=', '>='].includes(two)) {
      out.push({ kind: 'op', text: two, line: ln });
      i += 2;
      continue;
    }
    if (isAlnum(c) || c === ':' || c === '_' || c === '*') {
      let w = '';
      while (i < chars.length && allowedInString(at(i)!)) w += at(i++);
      out.push({ kind: 'word', text: w, line: ln });
      continue;
    }
    out.push({ kind: 'op', text: c, line: ln });
    i++;
  }
  return out;
}

export class Cursor {
  i = 0;
  constructor(readonly toks: Token[]) {}
  peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }
  next(): Token {
    const t = this.toks[this.i++];
    if (!t) throw new PfError(this.toks[this.toks.length - 1]?.line ?? 0, 'unexpected end of file');
    return t;
  }
  is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind !== 'string' && t.kind !== 'nl' && t.text === text;
  }
  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.i++;
    return true;
  }
  expect(text: string): Token {
    const t = this.next();
    if (t.kind === 'string' || t.text !== text) throw new PfError(t.line, `expected ${text}, found ${JSON.stringify(t.text)}`);
    return t;
  }
  word(what: string): Token {
    const t = this.next();
    if (t.kind !== 'word') throw new PfError(t.line, `expected ${what}, found ${JSON.stringify(t.text)}`);
    return t;
  }
  skipNewlines() {
    while (this.peek()?.kind === 'nl') this.i++;
  }
  atEnd(): boolean {
    const t = this.peek();
    return t === undefined || t.kind === 'nl';
  }
}
