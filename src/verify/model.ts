import type { Cond } from '../../targets/readers/chains.js';
import type { IrDirection, IrVerdict } from '../ir/types.js';

/**
 * The live firewall as verify compares it: what each hook does with the opening packet of a
 * connection (and with its replies), as first-match rules read back from the live ruleset by
 * the target's reader, each rule named as the live ruleset names it.
 */
export interface LiveRule {
  /** Where it is: `chain input, handle 15` (nftables), `MSGR-desktop-IN rule 4, IPv4` (iptables). */
  where: string;
  /** The rule as the live ruleset prints it. */
  text: string;
}

export interface LiveVerdict {
  action: IrVerdict;
  cond: Cond;
  rule: LiveRule;
}

/** A base chain: its rules flattened (jumps inlined, first match), then its policy. */
export interface LiveChain {
  rules: LiveVerdict[];
  policy: IrVerdict;
  /** What happens to a packet no rule decides, for a report: `dropped by chain input's policy (drop)`. */
  policyText: string;
}

/**
 * What the firewall does on one hook: the base chains a packet meets there, in order (a drop in
 * any is final; a packet passes if every chain accepts it). No hook: the firewall does not
 * filter that traffic (`notFiltered` says why).
 */
export interface LiveHook {
  direction: IrDirection;
  /** Only this family reaches the hook (iptables: one ruleset per family). */
  family?: 4 | 6;
  chains: LiveChain[];
}

export type FindingKind = 'not-applied' | 'jump-missing' | 'foreign' | 'missing' | 'changed' | 'pre-empted' | 'pending';

/** Something about the live ruleset itself, beside the traffic: what is there that msgrfw did not write, or missing. */
export interface Finding {
  kind: FindingKind;
  message: string;
  rule?: LiveRule;
}

export interface LiveFirewall {
  /** What was read, for the report: `table inet msgr_edge`, `iptables and ip6tables filter tables (MSGR-edge-* chains)`. */
  source: string;
  applied: boolean;
  /** For opening packets of connections (conntrack `new`) and for replies (`established`). */
  opening: LiveHook[];
  replies: LiveHook[];
  /** Why traffic on a hook without chains passes: `not filtered: table inet msgr_edge has no base chain on the forward hook`. */
  notFiltered: (direction: IrDirection, family: 4 | 6) => string;
  /** The name of the loopback interface in this ruleset (`lo`, pf's `lo0`). */
  loopback: string;
  findings: Finding[];
}
