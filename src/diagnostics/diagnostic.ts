/** A problem found in a policy. Collected, never thrown, so a user sees every problem in one run. */
export type Severity = 'error' | 'warning';

export interface SourcePosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface Diagnostic extends SourcePosition {
  code: string;
  severity: Severity;
  file: string;
  message: string;
  /** Where the text it points at ends (exclusive), when known: with line and column, its range. */
  endLine?: number;
  endColumn?: number;
  /** How to fix it. */
  hint?: string;
  /** The hint as an edit of the policy text, where it says exactly what to write. */
  fix?: Fix;
  /**
   * Accepted on purpose by an acknowledgement in the policy (`# msgrfw: ack CODE -- reason`, see
   * src/diagnostics/acknowledge.ts): a warning still reported, but not counted against the policy.
   */
  suppressed?: Suppression;
}

/** A change of the policy text that fixes a diagnostic: what an editor's quick fix applies. */
export interface Fix {
  /** What it does, for a menu: `replace 'dynamc' with 'dynamic'`. */
  title: string;
  /** Edits of the diagnostic's file, none overlapping another. */
  edits: TextEdit[];
}

/** Replace the text from (line, column) up to (endLine, endColumn), exclusive, with `text`; 1-based, UTF-16 columns. */
export interface TextEdit extends SourcePosition {
  endLine: number;
  endColumn: number;
  text: string;
}

export interface Suppression {
  /** The reason the acknowledgement gives. */
  justification: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** The diagnostic with the end of the text it points at (placed after its start, as JSON shows it). */
export function withEnd(d: Diagnostic, end: SourcePosition): Diagnostic {
  const { code, severity, file, line, column, endLine: _line, endColumn: _column, ...rest } = d;
  return { code, severity, file, line, column, endLine: end.line, endColumn: end.column, ...rest };
}

/** Warnings nobody acknowledged: what `--warnings-as-errors` counts. */
export function unacknowledgedWarnings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'warning' && d.suppressed === undefined);
}

/** Sort by position, then code, so output is deterministic whatever order stages found problems in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

const CODE = /^MSGR[0-9]{3}$/;

/**
 * `a.localeCompare(b)`, without its collator where the answer is known: equal strings (one file
 * for every diagnostic), and two codes `MSGRnnn`, which collate in code-unit order. The collator's
 * first use costs a noticeable part of a small compile.
 */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (CODE.test(a) && CODE.test(b)) return a < b ? -1 : 1;
  return a.localeCompare(b);
}
