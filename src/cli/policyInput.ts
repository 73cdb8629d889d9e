import { reviewDiagnostics } from '../review.js';
import type { CompileResult } from '../pipeline.js';
import type { Selection } from '../../targets/selection.js';
import type { IrDocument } from '../ir/types.js';
import { readPolicy } from './input.js';
import type { FileReport } from './render.js';

/** A policy file read and compiled: its report, and its IR when it has no errors. */
export interface CompiledFile extends FileReport {
  ir?: IrDocument;
}

/**
 * Reads one policy file and compiles it with `compile` (src/compile.ts, or for `check` the
 * pipeline without the IR's schema check); what cannot be read is in the report, never thrown.
 */
export function readAndCompile(path: string, compile: (text: string, file: string) => CompileResult): CompiledFile {
  const input = readPolicy(path);
  if (input.kind === 'unreadable') return { file: input.file, diagnostics: [], unreadable: input.message };
  if (input.kind === 'invalid') return { file: input.file, diagnostics: [input.diagnostic] };
  const text = input.text.replace(/^\uFEFF/, '');
  const { ir, diagnostics } = compile(text, input.file);
  return { file: input.file, source: text, diagnostics, ...(ir ? { ir } : {}) };
}

/**
 * A compiled file with everything `check` reports (src/review.ts): what its firewalls' targets
 * refuse or approximate (MSGR060/061), and its acknowledgements applied. check judges what
 * compile judges.
 */
export function withCheckDiagnostics(c: CompiledFile, selection: Selection = {}): CompiledFile {
  return c.source === undefined ? c : { ...c, diagnostics: reviewDiagnostics(c.source, c.file, c, selection) };
}
