import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { parsePolicy } from './parse/parse.js';
import { resolvePolicy } from './resolve/resolve.js';
import { deriveFlows } from './flows/flows.js';
import { placeFlows } from './place/place.js';
import { lintPolicy } from './lint/lint.js';
import { optimiseFirewall } from './optimise/optimise.js';
import { buildIr } from './ir/build.js';
import { assertValidIr } from './ir/validate.js';
import type { IrDocument } from './ir/types.js';
import type { Model } from './resolve/model.js';

export interface CompileResult {
  /** Present only when the policy has no errors. */
  ir?: IrDocument;
  model?: Model;
  diagnostics: Diagnostic[];
}

/** The whole front half of the pipeline: text → AST → model → flows → placed rules (→ lints) → IR. */
export function compilePolicy(text: string, file: string): CompileResult {
  const parsed = parsePolicy(text, file);
  if (!parsed.ast) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  const resolved = resolvePolicy(parsed.ast, file, parsed.failed);
  const front = [...parsed.diagnostics, ...resolved.diagnostics];
  if (hasErrors(front)) return { diagnostics: sortDiagnostics(front) };
  const flows = deriveFlows(resolved.model);
  const placed = placeFlows(resolved.model, flows);
  // Lints only warn: they never stop a compile.
  const lints = lintPolicy(resolved.model, placed.firewalls);
  const diagnostics = sortDiagnostics([...front, ...placed.diagnostics, ...lints]);
  if (hasErrors(diagnostics)) return { diagnostics };
  const ir = assertValidIr(buildIr(resolved.model, placed.firewalls.map((fw) => optimiseFirewall(fw))));
  return { ir, model: resolved.model, diagnostics };
}
