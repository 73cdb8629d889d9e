// The playground's compiler: the command line's library functions, called the way each command
// calls them, so that the page shows what `msgrfw check`, `compile`, `ir`, `explain`, `diff` and
// `graph` print for the same policy. It runs in a worker (worker.ts); nothing here touches the page.
import { Work } from '../../src/addresses/boxes.js';
import { checkPolicy } from '../../src/check.js';
import { compilePolicy } from '../../src/compile.js';
import { renderText } from '../../src/diagnostics/render.js';
import { DIFF_WORK_LIMIT, DiffTooComplex, diffPolicies, type PolicyVersion } from '../../src/diff/diff.js';
import { renderDiff } from '../../src/diff/render.js';
import { parsePacket } from '../../src/evaluate/packet.js';
import { firewallViews, placementText } from '../../src/evaluate/view.js';
import { explainPacket } from '../../src/explain/explain.js';
import { renderExplanation } from '../../src/explain/render.js';
import { formatPolicy } from '../../src/fmt/format.js';
import { renderDot } from '../../src/graph/dot.js';
import { renderMermaid } from '../../src/graph/mermaid.js';
import { buildGraph } from '../../src/graph/model.js';
import { IR_TARGETS } from '../../src/ir/targets.js';
import type { IrDocument, IrTarget } from '../../src/ir/types.js';
import { emitTargets } from '../../targets/emit.js';
import { targetNotes } from '../../targets/judge.js';
import { PARTS, type FileText, type Part, type RunRequest, type RunResult, type TargetOutput } from './protocol.js';

/** Everything the page shows for one version of the policy. */
export function run(req: RunRequest, now: () => number = () => performance.now()): RunResult {
  const start = now();
  const text = req.text.replace(/^\uFEFF/, '');
  // What `check` reports: target findings, acknowledgements applied, ranges (src/check.ts).
  const { ir, diagnostics } = checkPolicy(text, req.file);
  const result: RunResult = {
    parts: [...(req.want ?? PARTS)],
    ms: 0,
    diagnostics,
    checkText: diagnostics.length ? renderText(diagnostics, { color: false, summary: true, source: text }) : `${req.file}: ok\n`,
    firewalls: [],
    outputs: [],
    groupPolicy: [],
  };
  const want = (part: Part) => req.want === undefined || req.want.includes(part);
  if (ir) {
    result.firewalls = firewallViews(ir).map((v) => ({ name: v.ir.name, placement: placementText(v.zones), targets: [...v.ir.targets] }));
    const chosen = ir.firewalls.find((f) => f.name === req.firewall) ?? ir.firewalls[0];
    result.firewall = chosen?.name;
    if (want('ir')) result.ir = `${JSON.stringify(ir, null, 2)}\n`;
    if (chosen && want('outputs')) result.outputs = IR_TARGETS.map((target) => targetOutput(ir, chosen.name, target, chosen.targets.includes(target)));
    if (want('groupPolicy')) result.groupPolicy = emitTargets(ir, { target: 'gpo' }).groupPolicy.map((g) => ({ name: g.name, content: g.content }));
    if (want('explain') && req.packet?.trim()) result.explain = explain(ir, { file: req.file, text }, req.packet);
    if (want('diff') && req.base) result.diff = diff(req.base, { ir, source: { file: req.file, text }, targetNotes: targetNotes(ir) });
    if (want('graph')) {
      const graph = buildGraph(ir, req.graphFirewallOnly ? result.firewall : undefined);
      result.graph = { mermaid: renderMermaid(graph), dot: renderDot(graph), edges: graph.edges.length };
    }
  }
  result.ms = now() - start;
  return result;
}

/** One target's files for one firewall, as `msgrfw compile -t TARGET -f FIREWALL` writes them. */
function targetOutput(ir: IrDocument, firewall: string, target: IrTarget, listed: boolean): TargetOutput {
  const emitted = emitTargets(ir, { firewall, target });
  const out: TargetOutput = {
    target,
    listed,
    files: emitted.files.map((f) => ({ name: f.artefact.name, content: f.artefact.content })),
    approximated: emitted.approximations.map((a) => a.message),
  };
  const refused = emitted.problems[0];
  if (refused) out.refused = refused.message;
  return out;
}

function explain(ir: IrDocument, source: { file: string; text: string }, packetText: string): RunResult['explain'] {
  const parsed = parsePacket(packetText);
  if (!parsed.ok) return { problem: parsed.problem };
  return { text: renderExplanation(explainPacket({ views: firewallViews(ir), source, targetNotes: targetNotes(ir) }, parsed.packet)) };
}

function diff(base: { file: string; text: string }, current: PolicyVersion): RunResult['diff'] {
  const text = base.text.replace(/^\uFEFF/, '');
  const old = compilePolicy(text, base.file).ir;
  if (!old) return { problem: `${base.file} has errors: no difference computed` };
  try {
    const d = diffPolicies({ ir: old, source: { file: base.file, text }, targetNotes: targetNotes(old) }, current, undefined, new Work(DIFF_WORK_LIMIT));
    return { text: renderDiff(d), changed: d.changed };
  } catch (e) {
    if (e instanceof DiffTooComplex) return { problem: `comparing firewall ${e.firewall} takes more than ${e.limit.toLocaleString('en')} steps: its rules cut each other into too many pieces` };
    throw e;
  }
}

/** The files `msgrfw compile` writes: every firewall for its targets and the Group Policy files, or one target's. */
export function artefacts(text: string, file: string, target?: IrTarget): FileText[] | { diagnostics: RunResult['diagnostics'] } {
  const { ir, diagnostics } = compilePolicy(text.replace(/^\uFEFF/, ''), file);
  if (!ir) return { diagnostics };
  const emitted = emitTargets(ir, target ? { target } : {});
  return [...emitted.files.map((f) => ({ name: f.artefact.name, content: f.artefact.content })), ...emitted.groupPolicy.map((g) => ({ name: g.name, content: g.content }))];
}

/** `msgrfw fmt`: the policy laid out, or why it cannot be. */
export function format(text: string, file: string): { text: string } | { problem: string } {
  const r = formatPolicy(text, file);
  return r.ok ? { text: r.text } : { problem: `fix the syntax errors first (${r.diagnostics.map((d) => `line ${d.line}`).join(', ')})` };
}
