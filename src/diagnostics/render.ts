import { NOT_ONE_LINE } from '../text/hidden.js';
import type { Diagnostic } from './diagnostic.js';

export interface RenderOptions {
  color: boolean;
  /** The policy text, to quote the offending line under each diagnostic. */
  source?: string;
  /** End with the count of errors and warnings (default true). */
  summary?: boolean;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/**
 * gcc-style text: `file:line:col: error MSGR014: message`, the source line, a caret, the hint.
 * Acknowledged warnings are not shown, only counted in the summary.
 */
export function renderText(diagnostics: readonly Diagnostic[], options: RenderOptions): string {
  const lines = options.source?.split(/\r?\n/);
  const out: string[] = [];
  for (const d of diagnostics) {
    if (d.suppressed) continue;
    const sev = paint(options.color, d.severity === 'error' ? '1;31' : '1;33', d.severity);
    out.push(`${d.file}:${d.line}:${d.column}: ${sev} ${d.code}: ${d.message}`);
    const text = lines?.[d.line - 1];
    if (text !== undefined) {
      // Cut first: the line may be megabytes long, and printable() keeps every length.
      const cut = excerpt(text, d.column - 1);
      const shown = printable(cut.shown);
      const caret = cut.caret;
      out.push(`  ${shown}`);
      // A range on the line is underlined: ^ at its start, ~ under the rest of it.
      const at = Math.max(0, Math.min(caret, shown.length));
      const width = d.endLine === d.line && d.endColumn !== undefined ? Math.max(1, Math.min(d.endColumn - d.column, shown.length - at)) : 1;
      out.push(`  ${' '.repeat(at)}${paint(options.color, '1;32', `^${'~'.repeat(width - 1)}`)}`);
    }
    if (d.hint) out.push(`  hint: ${d.hint}`);
  }
  if (diagnostics.length > 0 && options.summary !== false) out.push(countText(diagnostics));
  return out.length ? `${out.join('\n')}\n` : '';
}

/** `2 error(s), 3 warning(s)`, and how many more warnings were acknowledged (and not shown). */
export function countText(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const acknowledged = diagnostics.filter((d) => d.suppressed).length;
  const warnings = diagnostics.length - errors - acknowledged;
  return `${errors} error(s), ${warnings} warning(s)${acknowledged ? `; ${acknowledged} acknowledged (not shown)` : ''}`;
}

/**
 * Control characters in a quoted source line must not drive the user's terminal, nor may
 * bidirectional controls reorder it: each shows as `?`, where the caret of MSGR007 points.
 */
function printable(text: string): string {
  return text.replace(/\t/g, ' ').replace(NOT_ONE_LINE, '?');
}

/** Lines are quoted whole up to this width; a longer one shows a window around the column. */
const EXCERPT_WIDTH = 160;

/**
 * A long line (a policy may hold one of megabytes) is cut to a window around the column, with
 * `...` where text was left out, so a diagnostic never prints more than a screen line.
 */
function excerpt(text: string, column: number): { shown: string; caret: number } {
  if (text.length <= EXCERPT_WIDTH) return { shown: text, caret: column };
  const start = Math.max(0, Math.min(column - 60, text.length - EXCERPT_WIDTH));
  const end = Math.min(text.length, start + EXCERPT_WIDTH);
  const head = start > 0 ? '...' : '';
  return { shown: `${head}${text.slice(start, end)}${end < text.length ? '...' : ''}`, caret: column - start + head.length };
}
