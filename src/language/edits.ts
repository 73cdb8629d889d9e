import { acknowledgementFix } from '../diagnostics/acknowledge.js';
import type { Diagnostic, SourcePosition, TextEdit } from '../diagnostics/diagnostic.js';
import { formatPolicy } from '../fmt/format.js';
import type { PolicyDocument } from './document.js';

export type Formatting =
  /** Nothing to change: the policy is formatted, or does not parse (its diagnostics say why). */
  | { kind: 'none' }
  /** Line by line. */
  | { kind: 'edits'; edits: TextEdit[] }
  /** The whole text: its line ends or byte order mark change too. */
  | { kind: 'whole'; text: string };

/**
 * What `fmt` makes of the document, as edits: `fmt` rewrites each line on its own and keeps every
 * line break, so changed lines are replaced one by one (the cursor stays where it was); text
 * whose line ends or byte order mark `fmt` changes is replaced whole. Applied, either gives
 * exactly `fmt`'s output.
 */
export function formatting(doc: PolicyDocument, editorText: string): Formatting {
  const formatted = formatPolicy(doc.text, doc.file);
  if (!formatted.ok || formatted.text === editorText) return { kind: 'none' };
  if (editorText !== doc.text || editorText.includes('\r')) return { kind: 'whole', text: formatted.text };
  const before = doc.text.split('\n');
  const after = formatted.text.split('\n');
  const edits: TextEdit[] = [];
  const common = Math.min(before.length, after.length) - 1;
  for (let i = 0; i < common; i++) {
    if (before[i] !== after[i]) edits.push({ line: i + 1, column: 1, endLine: i + 1, endColumn: before[i]!.length + 1, text: after[i]! });
  }
  // The end: blank lines removed, a final newline added.
  const tailBefore = before.slice(common).join('\n');
  const tailAfter = after.slice(common).join('\n');
  if (tailBefore !== tailAfter) {
    const last = before.length;
    edits.push({ line: common + 1, column: 1, endLine: last, endColumn: before[last - 1]!.length + 1, text: tailAfter });
  }
  return { kind: 'edits', edits };
}

export interface CodeAction {
  title: string;
  diagnostic: Diagnostic;
  edits: TextEdit[];
  /** The fix the diagnostic's hint names: an editor may apply it at once. */
  preferred: boolean;
}

/**
 * The quick fixes of the diagnostics that touch a range: each diagnostic's own fix (the hint as
 * an edit), and for a warning, acknowledging it on its line.
 */
export function codeActions(doc: PolicyDocument, from: SourcePosition, to: SourcePosition): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of doc.diagnostics) {
    if (d.suppressed || !touches(d, from, to)) continue;
    if (d.fix) out.push({ title: d.fix.title, diagnostic: d, edits: d.fix.edits, preferred: true });
    const ack = acknowledgementFix(doc.text, d);
    if (ack) out.push({ title: ack.title, diagnostic: d, edits: ack.edits, preferred: false });
  }
  return out;
}

const before = (a: SourcePosition, b: SourcePosition) => a.line < b.line || (a.line === b.line && a.column < b.column);

/** Whether a diagnostic's range (its position alone, when it has no end) meets [from, to]. */
function touches(d: Diagnostic, from: SourcePosition, to: SourcePosition): boolean {
  const start = { line: d.line, column: d.column };
  const end = d.endLine !== undefined && d.endColumn !== undefined ? { line: d.endLine, column: d.endColumn } : start;
  return !before(to, start) && !before(end, from);
}
