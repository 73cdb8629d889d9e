import lsp from 'vscode-languageserver/node.js';
import type * as L from 'vscode-languageserver/node.js';
import type { Diagnostic, SourcePosition, TextEdit } from '../diagnostics/diagnostic.js';
import type { CompletionKind } from '../language/complete.js';
import type { PolicyDocument } from '../language/document.js';
import type { OutlineSymbol } from '../language/outline.js';

/**
 * Between msgrfw's positions (1-based lines and UTF-16 columns, as diagnostics give them) and
 * LSP's (0-based lines and UTF-16 characters), through the document (which knows whether the
 * editor's text starts with a byte order mark the policy leaves out).
 */
export function toPosition(p: SourcePosition, doc: PolicyDocument): L.Position {
  const e = doc.toEditor(p);
  return { line: e.line - 1, character: e.column - 1 };
}

export function fromPosition(p: L.Position, doc: PolicyDocument): SourcePosition {
  return doc.fromEditor({ line: p.line + 1, column: p.character + 1 });
}

export const toRange = (at: SourcePosition, end: SourcePosition, doc: PolicyDocument): L.Range => ({ start: toPosition(at, doc), end: toPosition(end, doc) });

export const toTextEdit = (e: TextEdit, doc: PolicyDocument): L.TextEdit => ({ range: toRange(e, { line: e.endLine, column: e.endColumn }, doc), newText: e.text });

/** A diagnostic as the editor shows it: its range (its position alone when it points at no token), code, message, hint. */
export function lspDiagnostic(d: Diagnostic, doc: PolicyDocument): L.Diagnostic {
  const end = d.endLine !== undefined && d.endColumn !== undefined ? { line: d.endLine, column: d.endColumn } : { line: d.line, column: d.column + 1 };
  return {
    range: toRange(d, end, doc),
    severity: d.severity === 'error' ? lsp.DiagnosticSeverity.Error : lsp.DiagnosticSeverity.Warning,
    code: d.code,
    source: 'msgrfw',
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
  };
}

export function completionKind(kind: CompletionKind): L.CompletionItemKind {
  switch (kind) {
    case 'keyword':
      return lsp.CompletionItemKind.Keyword;
    case 'value':
      return lsp.CompletionItemKind.EnumMember;
    case 'feature':
      return lsp.CompletionItemKind.Property;
    case 'network':
      return lsp.CompletionItemKind.Variable;
    case 'server':
      return lsp.CompletionItemKind.Module;
  }
}

const SYMBOL_KINDS: Record<OutlineSymbol['kind'], L.SymbolKind> = {
  deployment: lsp.SymbolKind.Namespace,
  network: lsp.SymbolKind.Variable,
  server: lsp.SymbolKind.Module,
  clients: lsp.SymbolKind.Class,
  firewall: lsp.SymbolKind.Struct,
};

export function outlineSymbol(s: OutlineSymbol, doc: PolicyDocument): L.DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: SYMBOL_KINDS[s.kind],
    range: toRange(s.at, s.end, doc),
    selectionRange: toRange(s.nameAt, s.nameEnd, doc),
    children: s.children.map((c) => outlineSymbol(c, doc)),
  };
}
