/**
 * Quoting the policy's own lines. A line is printed to a terminal or a review comment, so
 * nothing in it may act on what displays it: control characters (ANSI escapes among them) and
 * the Unicode controls that reorder or hide text are shown as `\u{…}` escapes.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;
const MAX_QUOTE = 200;

export function neutralise(s: string): string {
  return s.replace(/\t/g, ' ').replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** A policy file as read: its name for messages and its text for quoting. */
export interface PolicySource {
  file: string;
  text: string;
}

/** The lines of each policy, split once: a diff quotes lines of a large policy many times. */
const linesOf = new WeakMap<PolicySource, string[]>();

/** Line `line` (1-based) of the policy, trimmed and neutralised; empty when out of range. */
export function quoteLine(source: PolicySource, line: number): string {
  let lines = linesOf.get(source);
  if (!lines) linesOf.set(source, (lines = source.text.split(/\r\n|\n|\r/)));
  const raw = lines[line - 1] ?? '';
  const safe = neutralise(raw.trim());
  return safe.length > MAX_QUOTE ? `${safe.slice(0, MAX_QUOTE)}…` : safe;
}

/** A policy line a decision comes from: where it is, what it says (rebuilt), and its text. */
export interface QuotedLine {
  file: string;
  line: number;
  /** The statements on that line the decision comes from, rebuilt from identifiers and numbers. */
  statements: string[];
  /** The line as written in the policy, neutralised. */
  source: string;
}

/** Origins grouped by line, in line order, each with its quoted source. */
export function quoteOrigins(source: PolicySource, origins: readonly { line: number; text: string }[]): QuotedLine[] {
  const byLine = new Map<number, string[]>();
  for (const o of origins) {
    const list = byLine.get(o.line) ?? [];
    if (!list.includes(o.text)) list.push(o.text);
    byLine.set(o.line, list);
  }
  return [...byLine.entries()]
    .sort(([a], [b]) => a - b)
    .map(([line, statements]) => ({ file: source.file, line, statements, source: quoteLine(source, line) }));
}
