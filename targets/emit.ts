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

/**
 * IR → target text for the selection: the firewalls' files, and the clients' Group Policy
 * files when selected. What a target cannot express is decided first, from the IR alone (the
 * findings `check` reports too); a firewall a target refuses is never rendered for it, and one
 * it approximates is rendered with the finding saying how. Never a quietly different rule set.
 * So are the sizes: a firewall whose files a target counts past a documented size is not
 * rendered for it, and a run whose files would pass the total renders nothing (targets/size.ts).
 */
export function emitTargets(doc: IrDocument, selection: Selection): EmitResult {
  const findings = targetFindings(doc, selection);
  const problems = findings.filter((f) => f.kind === 'refused');
  const tooLarge = findings.filter((f) => f.kind === 'too-large');
  const approximations = findings.filter((f) => f.kind === 'approximated');
  if (tooLarge.some((f) => f.run)) return { files: [], groupPolicy: [], problems, approximations, tooLarge };
  const refused = new Set([...problems, ...tooLarge].map((f) => `${f.target} ${f.firewall.name}`));
  const files: Emitted[] = [];
  for (const { firewall, targets } of selectedFirewalls(doc, selection)) {
    for (const target of targets) {
      if (refused.has(`${target} ${firewall.name}`)) continue;
      for (const artefact of TARGET_REGISTRY[target].render(doc, firewall)) files.push({ firewall, target, artefact });
    }
  }
  return {
    files,
    groupPolicy: groupPolicySelected(selection) ? groupPolicyArtefacts(doc) : [],
    problems,
    approximations,
    tooLarge,
  };
}
