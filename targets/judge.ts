import { diagnostic } from '../src/diagnostics/codes.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import type { IrDocument, IrFamily, IrFirewall, IrTarget } from '../src/ir/types.js';
import type { TargetNote, TargetNotes } from '../src/ir/targets.js';
import { IR_MATCHES, type IrMatch, type Support, type TargetCapabilities, type TargetFinding } from './capability.js';
import { iptablesCapabilities } from './iptables/capabilities.js';
import { netshCapabilities } from './netsh/capabilities.js';
import { nftablesCapabilities } from './nftables/capabilities.js';
import { pfCapabilities } from './pf/capabilities.js';
import { ruleOrderFindings } from './ruleOrder.js';
import { groupPolicySelected, selectedFirewalls, type Selection } from './selection.js';
import { groupPolicyBytes } from './gpo/size.js';
import { count, MAX_ARTEFACT_BYTES, MAX_RUN_BYTES, mib } from './size.js';
import { zoneListText } from '../src/ir/zonePairs.js';

/** Every target's declared capabilities: a complete record, so a target cannot be left out. */
export const TARGET_CAPABILITIES: Record<IrTarget, TargetCapabilities> = {
  nftables: nftablesCapabilities,
  iptables: iptablesCapabilities,
  netsh: netshCapabilities,
  pf: pfCapabilities,
};

/** What a firewall's IR asks of any target it is compiled for. */
export interface Requirements {
  placement: IrFirewall['placement']['kind'];
  families: IrFamily[];
  matches: IrMatch[];
}

export function requirementsOf(fw: IrFirewall): Requirements {
  const families = new Set<IrFamily>(fw.rules.flatMap((r) => r.families));
  for (const s of fw.addressSets) {
    if (s.ipv4.length) families.add(4);
    if (s.ipv6.length) families.add(6);
  }
  const needs: Record<IrMatch, boolean> = {
    'connection-state': fw.preamble.includes('established') || fw.preamble.includes('invalid'),
    icmp: fw.preamble.includes('icmp'),
    // A host's ICMP preamble accepts IPv6 neighbour and router discovery with hop limit 255 only.
    'nd-hop-limit': fw.placement.kind === 'host' && fw.preamble.includes('icmp'),
    'log-denied': fw.logDenied,
    // Plain rules that name ICMP messages (`allow icmp echo-request from …`).
    'icmp-rules': fw.rules.some((r) => r.protocol === 'icmp'),
  };
  return { placement: fw.placement.kind, families: [...families].sort(), matches: IR_MATCHES.filter((m) => needs[m]) };
}

/**
 * What one target makes of one firewall, from the IR alone: nothing when it expresses the
 * firewall exactly. A refused placement ends the judgement (nothing else could be written).
 */
export function judgeFirewall(fw: IrFirewall, target: IrTarget, caps: TargetCapabilities = TARGET_CAPABILITIES[target]): TargetFinding[] {
  const needs = requirementsOf(fw);
  const placement = caps.placements[needs.placement];
  if (placement.level === 'none') {
    const where = fw.placement.kind === 'host' ? `a host firewall on ${fw.placement.on}` : `a gateway between ${zoneListText(fw.placement.between)}`;
    return [{ kind: 'refused', message: `${fw.name} is ${where}: ${placement.why}`, hint: placement.instead }];
  }
  const supports: Support[] = [
    ...needs.families.map((f) => caps.families[f]),
    ...needs.matches.map((m) => caps.matches[m]),
  ];
  return [
    ...supports.flatMap((s): TargetFinding[] => {
      if (s.level === 'none') return [{ kind: 'refused', message: s.why, hint: s.instead }];
      if (s.level === 'approximate') return [{ kind: 'approximated', message: s.how }];
      return [];
    }),
    ...ruleOrderFindings(fw, caps.order, target),
    ...(caps.judge?.findings(fw) ?? []),
  ];
}

export interface FirewallFinding extends TargetFinding {
  firewall: IrFirewall;
  target: IrTarget;
  /** A too-large finding about all the selection writes (MAX_RUN_BYTES), not one firewall's files: nothing is written. */
  run?: true;
}

/**
 * Every finding of the selected firewalls on the targets they are compiled for: what each
 * target refuses or approximates, then what would pass a documented size (MSGR053), counted
 * for the firewalls a target accepts.
 */
export function targetFindings(doc: IrDocument, selection: Selection = {}): FirewallFinding[] {
  const judged = capabilityFindings(doc, selection);
  const refused = new Set(judged.filter((f) => f.kind === 'refused').map((f) => `${f.target} ${f.firewall.name}`));
  const written = selectedFirewalls(doc, selection).flatMap(({ firewall, targets }) =>
    targets.filter((t) => !refused.has(`${t} ${firewall.name}`)).map((target) => ({ firewall, target })),
  );
  return [...judged, ...sizeFindings(doc, written, groupPolicySelected(selection))];
}

/** What each selected firewall's targets refuse or approximate (judgeFirewall). */
function capabilityFindings(doc: IrDocument, selection: Selection): FirewallFinding[] {
  return selectedFirewalls(doc, selection).flatMap(({ firewall, targets }) =>
    targets.flatMap((target) => judgeFirewall(firewall, target).map((f) => ({ ...f, firewall, target }))),
  );
}

/**
 * The files a target would write past MAX_ARTEFACT_BYTES, and the run when all the files of the
 * selection (the clients' Group Policy files among them) would pass MAX_RUN_BYTES: counted from
 * the IR by each target's declared `size`, before anything is written.
 */
function sizeFindings(doc: IrDocument, written: readonly { firewall: IrFirewall; target: IrTarget }[], groupPolicy: boolean): FirewallFinding[] {
  const findings: FirewallFinding[] = [];
  let total = groupPolicy ? doc.groupPolicy.reduce((n, g) => n + groupPolicyBytes(doc, g), 0) : 0;
  let files = 0;
  let crossed: { firewall: IrFirewall; target: IrTarget } | undefined;
  for (const { firewall, target } of written) {
    const artefacts = TARGET_CAPABILITIES[target].size.artefacts(doc, firewall);
    const over = artefacts.filter((a) => a.bytes > MAX_ARTEFACT_BYTES);
    for (const a of over) {
      findings.push({
        kind: 'too-large',
        firewall,
        target,
        message: `${a.name} would be ${mib(a.bytes)}${a.why ? ` in ${a.why}` : ''}; msgrfw writes at most ${mib(MAX_ARTEFACT_BYTES)} per file`,
        hint: target === 'netsh' ? 'aggregate the addresses into fewer, larger blocks, or split the rule' : 'split what the firewall filters over several firewalls',
      });
    }
    // A firewall refused for its size writes nothing on this target: none of its files count.
    if (over.length) continue;
    for (const a of artefacts) {
      total += a.bytes;
      files++;
      if (total > MAX_RUN_BYTES) crossed ??= { firewall, target };
    }
  }
  if (crossed) {
    findings.push({
      kind: 'too-large',
      run: true,
      ...crossed,
      message:
        `the ${count(files)} files of this compile would come to ${mib(total)}, past ${mib(MAX_RUN_BYTES)} from firewall ${crossed.firewall.name} (${crossed.target}) on; ` +
        `msgrfw writes at most ${mib(MAX_RUN_BYTES)} in one run (every file is held until all can be written)`,
      hint: 'compile fewer firewalls or targets at a time (-f FIREWALL, -t TARGET), or split the deployment into several policies',
    });
  }
  return findings;
}

const codeOf = (f: TargetFinding) => (f.kind === 'refused' ? 'MSGR060' : f.kind === 'too-large' ? 'MSGR053' : 'MSGR061');

/** The findings of every firewall on its own targets, by firewall name, for explain and diff. */
export function targetNotes(doc: IrDocument): TargetNotes {
  const notes = new Map<string, TargetNote[]>();
  // What each target makes of the policy's meaning, not how large its files are (compile's concern).
  for (const f of capabilityFindings(doc, {})) {
    let list = notes.get(f.firewall.name);
    if (!list) notes.set(f.firewall.name, (list = []));
    list.push({ target: f.target, code: f.kind === 'refused' ? 'MSGR060' : 'MSGR061', message: f.message });
  }
  return notes;
}

/**
 * The findings as diagnostics: MSGR060 (refused: nothing is written), MSGR061 (written
 * approximately) and MSGR053 (too large: nothing is written). Each points at the firewall's
 * `targets` statement, or, for a target the firewall does not list (forced with `-t`), at the
 * firewall; a run too large as a whole, at the firewall whose files pass the total.
 */
export function targetDiagnostics(doc: IrDocument, file: string, selection: Selection = {}): Diagnostic[] {
  return targetFindings(doc, selection).map((f) => {
    const fw = f.firewall;
    if (f.run) return diagnostic('MSGR053', file, fw.origin, f.message, f.hint);
    const listed = fw.targets.includes(f.target);
    const at = listed ? fw.targetsOrigin : fw.origin;
    const instead = listed ? `remove ${f.target} from the targets of firewall ${fw.name}` : `compile firewall ${fw.name} for another target`;
    const fallback = f.kind === 'approximated' ? `if that matters here, ${instead}` : instead;
    return diagnostic(codeOf(f), file, at, `target ${f.target}, firewall ${fw.name}: ${f.message}`, f.hint ? `${f.hint}; or ${fallback}` : fallback);
  });
}
