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
import { selectedFirewalls, type Selection } from './selection.js';
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
}

/** Every finding of the selected firewalls on the targets they are compiled for. */
export function targetFindings(doc: IrDocument, selection: Selection = {}): FirewallFinding[] {
  return selectedFirewalls(doc, selection).flatMap(({ firewall, targets }) =>
    targets.flatMap((target) => judgeFirewall(firewall, target).map((f) => ({ ...f, firewall, target }))),
  );
}

const codeOf = (f: TargetFinding): TargetNote['code'] => (f.kind === 'refused' ? 'MSGR060' : 'MSGR061');

/** The findings of every firewall on its own targets, by firewall name, for explain and diff. */
export function targetNotes(doc: IrDocument): TargetNotes {
  const notes = new Map<string, TargetNote[]>();
  for (const f of targetFindings(doc)) {
    let list = notes.get(f.firewall.name);
    if (!list) notes.set(f.firewall.name, (list = []));
    list.push({ target: f.target, code: codeOf(f), message: f.message });
  }
  return notes;
}

/**
 * The findings as diagnostics: MSGR060 (refused: nothing is written) and MSGR061 (written
 * approximately). Each points at the firewall's `targets` statement, or, for a target the
 * firewall does not list (forced with `-t`), at the firewall.
 */
export function targetDiagnostics(doc: IrDocument, file: string, selection: Selection = {}): Diagnostic[] {
  return targetFindings(doc, selection).map((f) => {
    const fw = f.firewall;
    const listed = fw.targets.includes(f.target);
    const at = listed ? fw.targetsOrigin : fw.origin;
    const instead = listed ? `remove ${f.target} from the targets of firewall ${fw.name}` : `compile firewall ${fw.name} for another target`;
    const fallback = f.kind === 'refused' ? instead : `if that matters here, ${instead}`;
    return diagnostic(codeOf(f), file, at, `target ${f.target}, firewall ${fw.name}: ${f.message}`, f.hint ? `${f.hint}; or ${fallback}` : fallback);
  });
}
