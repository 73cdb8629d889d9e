import type { IrDocument, IrFamily, IrFirewall, IrPlacement } from '../src/ir/types.js';
import type { ArtefactSize } from './size.js';

/**
 * How well a target expresses one thing a firewall's IR can ask for: exactly, approximately
 * (written anyway, slightly different: a warning, MSGR061), or not at all (refused: MSGR060).
 */
export type Support =
  | { level: 'exact' }
  | { level: 'approximate'; how: string }
  | { level: 'none'; why: string; instead: string };

export const EXACT: Support = { level: 'exact' };

/**
 * What the IR asks of a target beyond rules of addresses, ports and protocols (which every
 * target matches): each is decided from the firewall's IR alone (see `requirementsOf`).
 */
export const IR_MATCHES = ['connection-state', 'icmp', 'nd-hop-limit', 'log-denied', 'icmp-rules'] as const;
export type IrMatch = (typeof IR_MATCHES)[number];

/**
 * How a target orders rules. `first-match`: the IR's order, the first matching rule decides.
 * `block-before-allow`: Windows Firewall's, where a block rule beats every allow rule it
 * overlaps whatever their order, so a deny after an overlapping allow cannot be expressed.
 */
export type RuleOrder = 'first-match' | 'block-before-allow';

/** A finding about one firewall on one target, decided from the IR without rendering it. */
export interface TargetFinding {
  /**
   * `refused`: the target cannot express the firewall and writes nothing (MSGR060);
   * `approximated`: it writes it, slightly different (MSGR061); `too-large`: what it would write
   * passes a size msgrfw documents (MSGR053, targets/size.ts), so it writes nothing.
   */
  kind: 'refused' | 'approximated' | 'too-large';
  message: string;
  /** How to fix it, without the generic "or use another target" the diagnostic adds. */
  hint?: string;
}

/**
 * What a target can express, declared next to its code as data, so `check`, `compile`,
 * `explain` and `diff` all ask the same question and nothing needs to render a template to
 * answer it. `judge` holds what depends on more than the features a firewall uses (names the
 * target derives, for example); the rule order is judged by targets/ruleOrder.ts.
 */
export interface TargetCapabilities {
  placements: Record<IrPlacement['kind'], Support>;
  families: Record<IrFamily, Support>;
  matches: Record<IrMatch, Support>;
  order: RuleOrder;
  /** A check of what the target derives itself, with what it checks in words (for the README). */
  judge?: { about: string; findings: (fw: IrFirewall) => TargetFinding[] };
  /**
   * The files the target would write for a firewall it accepts, each with a count of its bytes
   * that is never below what it writes, worked out from the IR without writing them (what
   * decides MSGR053), with what is counted in words (for the README).
   */
  size: { about: string; artefacts: (doc: IrDocument, fw: IrFirewall) => ArtefactSize[] };
}
