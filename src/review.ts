import { acknowledge } from './diagnostics/acknowledge.js';
import { sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { withTokenRanges } from './diagnostics/ranges.js';
import type { CompileResult } from './pipeline.js';
import { targetDiagnostics } from '../targets/judge.js';
import type { Selection } from '../targets/selection.js';

/**
 * Everything `check` reports about one policy, after the compiler: what its firewalls' targets
 * refuse or approximate (MSGR060/061, judged from the IR alone as every command judges it), then
 * the policy's acknowledgements applied (`# msgrfw: ack CODE -- reason`), and each diagnostic's
 * range where the place that reported it did not give one (the token it points at). `check`,
 * `compile` and the language server report exactly this.
 */
export function reviewDiagnostics(text: string, file: string, compiled: { ir?: CompileResult['ir']; diagnostics: readonly Diagnostic[] }, selection: Selection = {}): Diagnostic[] {
  const targets = compiled.ir ? targetDiagnostics(compiled.ir, file, selection) : [];
  const all = targets.length ? sortDiagnostics([...compiled.diagnostics, ...targets]) : compiled.diagnostics;
  const narrowed = selection.firewall !== undefined || selection.target !== undefined;
  return withTokenRanges(acknowledge(all, text, file, { judgedAll: compiled.ir !== undefined && !narrowed }), text);
}
