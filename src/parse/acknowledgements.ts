import { rules } from './lexer.js';

/**
 * Acknowledgements: comments that accept a warning on purpose, on the statement it points at.
 *
 *   firewall lcs-host {   # msgrfw: ack MSGR073 -- managed from the console, never over the network
 *
 * The lexer drops comments, and both parsers (nearley and the fast path) take their tokens from
 * it, so acknowledgements are read here, from the text, line by line: a comment starts at the
 * first `#` outside a string, exactly as the lexer's `comment` token does (strings never span a
 * line). A comment is a directive when its text starts with `msgrfw:`; the one directive is
 * `ack CODE[, CODE…] -- reason`.
 */

export interface AcknowledgedCode {
  code: string;
  /** 1-based column of the code in its line (UTF-16 code units). */
  column: number;
}

export interface Acknowledgement {
  /** The line the comment stands on. */
  line: number;
  /**
   * The line whose warnings it acknowledges: its own when it trails code; for a comment on a
   * line of its own, the next line with code, past other comment-only lines. Absent when a
   * blank line or the end of the file comes first: it then stands above no statement.
   */
  target?: number;
  codes: AcknowledgedCode[];
  justification: string;
  /** Where its comment stands: what an edit that removes or extends it needs. */
  comment: CommentPlace;
}

export interface CommentPlace {
  /** 1-based column of its `#`, and just past its last character that is not blank. */
  column: number;
  endColumn: number;
  /** It follows code on its line; then `codeEnd` is the column just past that code. */
  trailing: boolean;
  codeEnd: number;
}

/** A `# msgrfw:` comment that is not a well-formed directive. */
export interface MalformedDirective {
  line: number;
  /** 1-based columns of the directive's text (from `msgrfw:` to the end of the comment), end exclusive. */
  column: number;
  endColumn: number;
  problem: string;
  hint: string;
}

export interface AcknowledgementScan {
  acknowledgements: Acknowledgement[];
  malformed: MalformedDirective[];
}

const DIRECTIVE = 'msgrfw:';
/** The syntax, for hints. */
export const ACK_SYNTAX = '# msgrfw: ack MSGR0NN -- why the warning is accepted';

/** Every acknowledgement and malformed directive of a policy text. */
export function scanAcknowledgements(text: string): AcknowledgementScan {
  const scan: AcknowledgementScan = { acknowledgements: [], malformed: [] };
  // Most policies have none: one search of the text instead of a walk through every line.
  if (!text.includes(DIRECTIVE)) return scan;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (!raw.includes(DIRECTIVE)) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const hash = commentStart(line);
    if (hash < 0) return;
    const body = line.slice(hash + 1);
    const lead = body.length - body.trimStart().length;
    if (!body.startsWith(DIRECTIVE, lead)) return;
    const start = hash + 1 + lead; // 0-based index of `msgrfw:`
    const trailing = line.slice(0, hash).trim() !== '';
    const parsed = parseDirective(line.slice(start + DIRECTIVE.length), start + DIRECTIVE.length);
    if ('problem' in parsed) {
      scan.malformed.push({ line: i + 1, column: start + 1, endColumn: line.trimEnd().length + 1, ...parsed });
      return;
    }
    const target = trailing ? i + 1 : statementBelow(lines, i);
    const comment = { column: hash + 1, endColumn: line.trimEnd().length + 1, trailing, codeEnd: line.slice(0, hash).trimEnd().length + 1 };
    scan.acknowledgements.push({ line: i + 1, ...(target !== undefined ? { target } : {}), ...parsed, comment });
  });
  return scan;
}

/** The lexer's own string patterns (a string, or a broken one), anchored where they are tried. */
const STRING = new RegExp((rules.string as RegExp).source, 'y');
const BAD_STRING = new RegExp((rules.badstring as RegExp).source, 'y');

/**
 * The index of the `#` that starts the line's comment, or -1: the first `#` outside a string,
 * strings read with the lexer's own patterns (no other token holds a `"` or a `#`).
 */
export function commentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '#') return i;
    if (c !== '"') continue;
    STRING.lastIndex = i;
    if (!STRING.test(line)) {
      BAD_STRING.lastIndex = i;
      BAD_STRING.test(line);
      i = BAD_STRING.lastIndex - 1;
    } else i = STRING.lastIndex - 1;
  }
  return -1;
}

/** The 1-based line of the first line with code below line index `i`, past comment-only lines; a blank line ends the search. */
function statementBelow(lines: readonly string[], i: number): number | undefined {
  for (let j = i + 1; j < lines.length; j++) {
    const code = lines[j]!.trim();
    if (code === '') return undefined;
    if (!code.startsWith('#')) return j + 1;
  }
  return undefined;
}

type Parsed = { codes: AcknowledgedCode[]; justification: string } | { problem: string; hint: string };

/** `ack CODE[, CODE…] -- reason`, from the text after `msgrfw:`; `offset` is its 0-based index in the line. */
function parseDirective(rest: string, offset: number): Parsed {
  const verb = /^\s*([^\s,]*)/.exec(rest)!;
  if (verb[1] !== 'ack') {
    const what = verb[1] ? `unknown directive '${verb[1]}'` : 'a directive without a word';
    return { problem: `${what}: msgrfw reads one directive in comments, ack`, hint: `write ${ACK_SYNTAX}, or remove 'msgrfw:' to make it a plain comment` };
  }
  const afterVerb = verb[0].length;
  const dashes = rest.indexOf('--', afterVerb);
  const list = dashes < 0 ? rest.slice(afterVerb) : rest.slice(afterVerb, dashes);
  const codes: AcknowledgedCode[] = [];
  const item = /[^\s,]+/g;
  for (let m = item.exec(list); m; m = item.exec(list)) codes.push({ code: m[0], column: offset + afterVerb + m.index + 1 });
  if (codes.length === 0) return { problem: 'acknowledgement names no code', hint: `name the warning it accepts: ${ACK_SYNTAX}` };
  if (!/^\s*[^\s,]+(\s*,\s*[^\s,]+)*\s*$/.test(list)) return { problem: 'acknowledgement codes must be separated by commas', hint: `write ${ACK_SYNTAX.replace('MSGR0NN', 'MSGR0NN, MSGR0MM')}` };
  const justification = dashes < 0 ? '' : rest.slice(dashes + 2).trim();
  if (justification === '') {
    return { problem: 'acknowledgement gives no reason', hint: `say why the warning is accepted after '--': ${ACK_SYNTAX}` };
  }
  return { codes, justification };
}
