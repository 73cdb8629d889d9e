import { compilePolicy, type CompileResult } from './compile.js';
import { reviewDiagnostics } from './review.js';

// The review lives in its own module: the command line's `check` runs it without loading the
// IR's schema validator (src/pipeline.ts).
export { reviewDiagnostics } from './review.js';

/** A policy compiled, with everything `check` reports about it. */
export function checkPolicy(text: string, file: string): CompileResult {
  const compiled = compilePolicy(text, file);
  return { ...compiled, diagnostics: reviewDiagnostics(text, file, compiled) };
}
