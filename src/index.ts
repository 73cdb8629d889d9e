/**
 * msgrfw as a library, for automation: the package's entry point (`import { compilePolicy,
 * emitTargets } from 'msgrfw'`). The command line is built on exactly these two functions.
 *
 *   const { ir, diagnostics } = compilePolicy(text, 'site.msgr');   // text → IR, every problem found
 *   if (ir) for (const f of emitTargets(ir, {}).files) write(f.artefact.name, f.artefact.content);
 */
export { compilePolicy, type CompileResult } from './compile.js';
export { emitTargets, type Emitted, type EmitProblem, type Selection } from '../targets/emit.js';
export type { Artefact } from '../targets/target.js';
export type { Diagnostic, Severity, SourcePosition } from './diagnostics/diagnostic.js';
export type * from './ir/types.js';
