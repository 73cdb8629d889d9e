import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { parsePolicy } from './parse/parse.js';
import { resolvePolicy } from './resolve/resolve.js';
import { deriveFlows } from './flows/flows.js';
import { placeFlows } from './place/place.js';
import { lintPolicy } from './lint/lint.js';
import { optimiseFirewalls } from './optimise/optimise.js';
import { buildIr, MAX_IR_ADDRESS_BLOCKS, type IrBuild } from './ir/build.js';
import { diagnostic } from './diagnostics/codes.js';
import type { IrDocument } from './ir/types.js';
import type { Model } from './resolve/model.js';

export interface CompileResult {
  /** Present only when the policy has no errors. */
  ir?: IrDocument;
  model?: Model;
  diagnostics: Diagnostic[];
}

/**
 * The whole front half of the pipeline: text → AST → model → flows → placed rules (→ lints) → IR,
 * every diagnostic of the policy. The IR is not yet checked against its schema: that guards what
 * is written from it (src/compile.ts), and its validator is a large module that `check`, which
 * writes nothing, does not load.
 */
export function diagnosePolicy(text: string, file: string): CompileResult {
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
  const built = buildIr(resolved.model, optimiseFirewalls(placed.firewalls));
  if (!built.ok) return { diagnostics: sortDiagnostics([...diagnostics, irTooLarge(built, file)]) };
  return { ir: built.ir, model: resolved.model, diagnostics };
}

function irTooLarge(b: Extract<IrBuild, { ok: false }>, file: string): Diagnostic {
  const n = (x: number) => x.toLocaleString('en-US');
  return diagnostic(
    'MSGR053',
    file,
    b.firewall.origin,
    `the firewalls up to ${b.firewall.name} would list ${n(b.blocks)} address blocks in their rules (each firewall writes out every network it uses, ` +
      `in every target; the largest so far, ${b.largest.name}, has ${n(b.largest.blocks)}); msgrfw builds at most ${n(MAX_IR_ADDRESS_BLOCKS)}`,
    'split the deployment into several policies, or let fewer firewalls use the largest networks',
  );
}
