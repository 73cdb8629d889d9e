/**
 * msgrfw as a library, for automation: the package's entry point (`import { compilePolicy,
 * emitTargets } from 'msgrfw'`). The command line is built on exactly these functions.
 *
 *   const { ir, diagnostics } = compilePolicy(text, 'site.msgr');   // text → IR, every problem found
 *   if (ir) for (const f of emitTargets(ir, {}).files) write(f.artefact.name, f.artefact.content);
 *   // what a target refuses (MSGR060) or approximates (MSGR061): targetDiagnostics(ir, 'site.msgr')
 */
export { compilePolicy, type CompileResult } from './compile.js';
export { emitTargets, type Emitted, type EmitResult, type Selection } from '../targets/emit.js';
export { targetDiagnostics, targetFindings, type FirewallFinding } from '../targets/judge.js';
export type { GroupPolicyArtefact } from '../targets/gpo/index.js';
export type { Artefact } from '../targets/target.js';
export type { Diagnostic, Severity, SourcePosition } from './diagnostics/diagnostic.js';
export type * from './ir/types.js';
