import type { SourcePosition, TextEdit } from '../diagnostics/diagnostic.js';
import { MAX_NAME } from '../parse/lexer.js';
import type { PolicyDocument } from './document.js';
import { definitionOf, occurrenceAt, sameSymbol, type Occurrence } from './symbols.js';

export interface Span {
  at: SourcePosition;
  end: SourcePosition;
}

const span = (o: Occurrence): Span => ({ at: o.at, end: { line: o.at.line, column: o.endColumn } });

/** Where the name under the position is defined (see `definitionOf`). */
export function definitionAt(doc: PolicyDocument, at: SourcePosition): Span | undefined {
  const all = doc.analysis.occurrences;
  const o = occurrenceAt(all, at);
  const d = o && definitionOf(all, o);
  return d && span(d);
}

/** Every place the name under the position stands: its declaration (when asked) and every use. */
export function referencesAt(doc: PolicyDocument, at: SourcePosition, includeDeclaration: boolean): Span[] {
  const all = doc.analysis.occurrences;
  const o = occurrenceAt(all, at);
  if (!o) return [];
  // A network is declared by its `network` statement, a firewall by its own.
  return all.filter((x) => sameSymbol(x, o) && (includeDeclaration || (x.role !== 'network' && x.role !== 'firewall'))).map(span);
}

/** The name a rename would change, and its span; undefined where no name stands (or `any`, which is not declared). */
export function renameTarget(doc: PolicyDocument, at: SourcePosition): (Span & { name: string }) | undefined {
  const o = occurrenceAt(doc.analysis.occurrences, at);
  if (!o || o.name === 'any') return undefined;
  return { ...span(o), name: o.name };
}

export type RenameResult = { edits: TextEdit[] } | { problem: string };

/**
 * The edits that rename the name under the position everywhere it stands — a network with its
 * server and clients blocks and every use, or a firewall — or why they cannot: a name the
 * language would not accept, or one the policy already declares.
 */
export function renameAt(doc: PolicyDocument, at: SourcePosition, newName: string): RenameResult {
  const all = doc.analysis.occurrences;
  const o = occurrenceAt(all, at);
  if (!o || o.name === 'any') return { problem: 'there is no network or firewall name here to rename' };
  if (!/^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/.test(newName)) return { problem: `'${newName}' is not a name: letters, digits, _ and inner -, starting with a letter or _` };
  if (newName.length > MAX_NAME) return { problem: `'${newName}' is longer than ${MAX_NAME} characters` };
  if (o.role !== 'firewall' && newName === 'any') return { problem: "'any' is reserved: it means every address" };
  const taken = all.some((x) => x.name === newName && (x.role === 'firewall' ? o.role === 'firewall' : o.role !== 'firewall' && x.role === 'network'));
  if (taken && newName !== o.name) return { problem: `the policy already has a ${o.role === 'firewall' ? 'firewall' : 'network'} named '${newName}'` };
  return { edits: all.filter((x) => sameSymbol(x, o)).map((x) => ({ line: x.at.line, column: x.at.column, endLine: x.at.line, endColumn: x.endColumn, text: newName })) };
}
