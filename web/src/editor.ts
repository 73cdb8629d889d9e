import { basicSetup } from 'codemirror';
import { EditorState, type Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { lintGutter, setDiagnostics, type Diagnostic as LintDiagnostic } from '@codemirror/lint';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { msgrHighlighting, msgrLanguage } from './msgrLanguage.js';

/**
 * The policy editor: CodeMirror 6 with .msgr highlighting and the compiler's diagnostics inline
 * (underlined, in the gutter, on hover). Its text is only ever text: it comes from and goes to
 * the document model, never through HTML.
 */
export class PolicyEditor {
  readonly view: EditorView;

  constructor(parent: HTMLElement, text: string, onChange: (text: string) => void) {
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: text,
        extensions: [
          basicSetup,
          msgrLanguage,
          msgrHighlighting,
          lintGutter(),
          EditorView.contentAttributes.of({ 'aria-label': 'policy (.msgr)' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Replaces the whole text (an example chosen, a link opened, the policy formatted). */
  setText(text: string): void {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  /** Shows diagnostics of `forText`, unless the text has changed since they were computed. */
  showDiagnostics(diagnostics: readonly Diagnostic[], forText: string): void {
    const doc = this.view.state.doc;
    if (doc.toString() !== forText) return;
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics.map((d) => lintDiagnostic(doc, d))));
  }

  /** Puts the cursor on a diagnostic's position. */
  reveal(line: number, column: number): void {
    const { from } = range(this.view.state.doc, line, column);
    this.view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    this.view.focus();
  }
}

function lintDiagnostic(doc: Text, d: Diagnostic): LintDiagnostic {
  const { from, to } = range(doc, d.line, d.column);
  return { from, to, severity: d.severity, source: d.code, message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message };
}

/** A diagnostic's line and column (1-based, UTF-16 units) as a range over the word there. */
function range(doc: Text, line: number, column: number): { from: number; to: number } {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const from = l.from + Math.min(Math.max(column - 1, 0), l.length);
  let to = from;
  while (to < l.to && /[A-Za-z0-9_.:/-]/.test(doc.sliceString(to, to + 1))) to++;
  return { from, to: to > from ? to : Math.min(from + 1, l.to) };
}
