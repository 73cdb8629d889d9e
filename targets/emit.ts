import type { IrDocument, IrFirewall, IrTarget } from '../src/ir/types.js';
import type { Artefact } from './target.js';
import { groupPolicyArtefacts, type GroupPolicyArtefact } from './gpo/index.js';
import { TARGET_REGISTRY } from './index.js';
import { targetFindings, type FirewallFinding } from './judge.js';
import { groupPolicySelected, selectedFirewalls, type Selection } from './selection.js';

export type { Selection } from './selection.js';

export interface Emitted {
  firewall: IrFirewall;
  target: IrTarget;
  artefact: Artefact;
}

export interface EmitResult {
  files: Emitted[];
  /** The clients' Group Policy files (`<clients>.gpo.reg`), when the selection includes them. */
  groupPolicy: GroupPolicyArtefact[];
  /** Firewalls a target refuses (MSGR060): nothing was rendered for them. */
  problems: FirewallFinding[];
  /** What a target wrote only approximately (MSGR061). */
  approximations: FirewallFinding[];
  /** Files that would pass a documented size (MSGR053): nothing was rendered for their firewall and target, and nothing at all for a run too large as a whole. */
  tooLarge: FirewallFinding[];
}

/** One firewall to render, on the targets that accept it. */
export interface RenderJob {
  firewall: IrFirewall;
  targets: readonly IrTarget[];
}

/** What emitTargets will render: the findings, each firewall's accepted targets in order, and whether the Group Policy files are written. */
export interface EmitPlan extends Omit<EmitResult, 'files' | 'groupPolicy'> {
  jobs: RenderJob[];
  groupPolicy: boolean;
}

/**
 * IR → target text for the selection: the firewalls' files, and the clients' Group Policy
 * files when selected. What a target cannot express is decided first, from the IR alone (the
 * findings `check` reports too); a firewall a target refuses is never rendered for it, and one
 * it approximates is rendered with the finding saying how. Never a quietly different rule set.
 * So are the sizes: a firewall whose files a target counts past a documented size is not
 * rendered for it, and a run whose files would pass the total renders nothing (targets/size.ts).
 */
export function emitTargets(doc: IrDocument, selection: Selection): EmitResult {
  const { jobs, groupPolicy, ...findings } = planEmit(doc, selection);
  return { files: renderJobs(doc, jobs), groupPolicy: groupPolicy ? groupPolicyArtefacts(doc) : [], ...findings };
}

/** emitTargets' judgement, without the rendering: `compile` renders the jobs on several threads. */
export function planEmit(doc: IrDocument, selection: Selection): EmitPlan {
  const findings = targetFindings(doc, selection);
  const problems = findings.filter((f) => f.kind === 'refused');
  const tooLarge = findings.filter((f) => f.kind === 'too-large');
  const approximations = findings.filter((f) => f.kind === 'approximated');
  if (tooLarge.some((f) => f.run)) return { jobs: [], groupPolicy: false, problems, approximations, tooLarge };
  const refused = new Set([...problems, ...tooLarge].map((f) => `${f.target} ${f.firewall.name}`));
  const jobs = selectedFirewalls(doc, selection).map(({ firewall, targets }) => ({ firewall, targets: targets.filter((t) => !refused.has(`${t} ${firewall.name}`)) }));
  return { jobs: jobs.filter((j) => j.targets.length), groupPolicy: groupPolicySelected(selection), problems, approximations, tooLarge };
}

/**
 * The files of each job, in the jobs' order (firewall, then target, then the target's own
 * order). A target renders from the document's own fields and the firewall given, never from
 * another firewall: a render thread holds only the firewalls of its batch.
 */
export function renderJobs(doc: IrDocument, jobs: readonly RenderJob[]): Emitted[] {
  const files: Emitted[] = [];
  for (const { firewall, targets } of jobs) {
    for (const target of targets) {
      for (const artefact of TARGET_REGISTRY[target].render(doc, firewall)) files.push({ firewall, target, artefact });
    }
  }
  return files;
}
