import { checkPolicy } from '../check.js';
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic.js';
import type { Deployment } from '../parse/ast.js';
import { parsePolicy } from '../parse/parse.js';
import type { Model } from '../resolve/model.js';
import { resolvePolicy } from '../resolve/resolve.js';
import { occurrences, type Occurrence } from './symbols.js';

/** What reading a policy gives the editor's questions: its tree (recovered past syntax errors), its model and its names. */
export interface Analysis {
  ast?: Deployment;
  model?: Model;
  occurrences: Occurrence[];
}

/**
 * One version of a policy open in an editor. Its diagnostics are exactly what `check` reports
 * (src/check.ts); its tree, model and names are read only when a question needs them, once per
 * version. Positions are 1-based lines and UTF-16 columns, as in diagnostics; a byte order mark
 * at the start of the text is not part of the policy (as `check` reads it), so columns on line 1
 * are shifted by one for an editor whose text keeps it.
 */
export class PolicyDocument {
  readonly text: string;
  /** 1 when the editor's text starts with a byte order mark the policy leaves out. */
  private readonly bom: number;
  private checked?: Diagnostic[];
  private analysed?: Analysis;

  constructor(
    editorText: string,
    readonly file: string,
  ) {
    this.bom = editorText.startsWith('\uFEFF') ? 1 : 0;
    this.text = editorText.slice(this.bom);
  }

  get diagnostics(): Diagnostic[] {
    return (this.checked ??= checkPolicy(this.text, this.file).diagnostics);
  }

  get analysis(): Analysis {
    if (!this.analysed) {
      const parsed = parsePolicy(this.text, this.file);
      const model = parsed.ast ? resolvePolicy(parsed.ast, this.file, parsed.failed).model : undefined;
      this.analysed = { ...(parsed.ast ? { ast: parsed.ast } : {}), ...(model ? { model } : {}), occurrences: parsed.ast ? occurrences(parsed.ast) : [] };
    }
    return this.analysed;
  }

  /** A position of the policy as the editor counts it. */
  toEditor(p: SourcePosition): SourcePosition {
    return p.line === 1 ? { line: 1, column: p.column + this.bom } : p;
  }

  /** A position of the editor as the policy counts it. */
  fromEditor(p: SourcePosition): SourcePosition {
    return p.line === 1 ? { line: 1, column: Math.max(1, p.column - this.bom) } : p;
  }

  /** Line `line` (1-based) of the policy, without its line break. */
  lineText(line: number): string {
    let start = 0;
    for (let i = 1; i < line; i++) {
      const next = this.text.indexOf('\n', start);
      if (next < 0) return '';
      start = next + 1;
    }
    const end = this.text.indexOf('\n', start);
    return this.text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '');
  }
}
