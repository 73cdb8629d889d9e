import { assertValidIr } from './ir/validate.js';
import { diagnosePolicy, type CompileResult } from './pipeline.js';

export type { CompileResult } from './pipeline.js';

/**
 * A policy compiled to its IR, with every diagnostic: the pipeline (src/pipeline.ts), its IR
 * checked against the IR's schema. An IR that breaks it is a compiler bug, and nothing is
 * written from it.
 */
export function compilePolicy(text: string, file: string): CompileResult {
  const result = diagnosePolicy(text, file);
  return result.ir ? { ...result, ir: assertValidIr(result.ir) } : result;
}
