import { familyBits, type Family } from '../addresses/cidr.js';
import type { AddressSet } from '../addresses/set.js';
import type { FirewallView } from '../evaluate/view.js';
import type { IrDirection, IrPorts, IrProtocol, IrRule, IrVerdict } from '../ir/types.js';
import { intersect, minus, product, union, type Region, type Span } from './boxes.js';

/**
 * The new connections a firewall accepts, as exact regions of
 * (source address, destination address, source port, destination port) — one slice per
 * direction, family and protocol, split by what decides each part (first match).
 */
export interface Slice {
  direction: IrDirection;
  family: Family;
  protocol: IrProtocol;
}

export const FAMILIES: readonly Family[] = [4, 6];
export const PROTOCOLS: readonly IrProtocol[] = ['tcp', 'udp'];
export const DIRECTIONS: readonly IrDirection[] = ['input', 'output', 'forward'];

/** What decides a part of a slice: a rule, the direction's policy, or nothing (the firewall does not judge it). */
export type Decider = { kind: 'rule'; rule: IrRule } | { kind: 'policy'; direction: IrDirection } | { kind: 'unjudged' };

export interface Decided {
  decider: Decider;
  /** Absent for unjudged traffic: the firewall neither accepts nor drops it. */
  verdict?: IrVerdict;
  region: Region;
}

/** Ports 1-65535: a connection never uses port 0. */
export const ALL_PORTS: Span = { lo: 1n, hi: 65535n };
export const allAddresses = (f: Family): Span => ({ lo: 0n, hi: (1n << BigInt(familyBits(f))) - 1n });

const spansOf = (set: AddressSet, f: Family): Span[] => (f === 4 ? set.v4 : set.v6).map((i) => ({ lo: i.first, hi: i.last }));
const portSpans = (p: IrPorts | undefined): Span[] => (p ? p.ranges.map((r) => ({ lo: BigInt(r.from), hi: BigInt(r.to) })) : [ALL_PORTS]);

/**
 * The traffic a firewall judges in a slice: a host on NET judges input to NET and output from
 * NET; a gateway judges forwarded traffic from one zone to the other.
 */
export function judged(view: FirewallView, s: Slice): Region {
  const any = [allAddresses(s.family)];
  const ports = [[ALL_PORTS], [ALL_PORTS]];
  const z = view.zones;
  if (view.ir.policy[s.direction] === undefined) return [];
  if (z.kind === 'host') {
    const net = spansOf(z.on.set, s.family);
    if (s.direction === 'input') return product([any, net, ...ports]);
    if (s.direction === 'output') return product([net, any, ...ports]);
    return [];
  }
  if (s.direction !== 'forward') return [];
  const a = spansOf(z.a.set, s.family);
  const b = spansOf(z.b.set, s.family);
  return [...product([a, b, ...ports]), ...product([b, a, ...ports])];
}

function ruleRegion(view: FirewallView, rule: IrRule, s: Slice): Region {
  if (rule.direction !== s.direction || rule.protocol !== s.protocol || !rule.families.includes(s.family)) return [];
  const side = (name: string | undefined) => {
    if (name === undefined) return [allAddresses(s.family)];
    const set = view.sets.get(name);
    if (!set) throw new Error(`firewall ${view.ir.name}: rule ${rule.id} names address set ${name}, which the IR lacks`);
    return spansOf(set, s.family);
  };
  return product([side(rule.src), side(rule.dst), portSpans(rule.srcPorts), portSpans(rule.dstPorts)]);
}

/**
 * The whole space of a slice split by decider: each rule gets what it matches that no earlier
 * rule matched, the policy what no rule matched, and traffic the firewall does not judge is
 * `unjudged`. The parts are disjoint and cover every connection of the slice.
 */
export function decisions(view: FirewallView | undefined, s: Slice): Decided[] {
  const everything = product([[allAddresses(s.family)], [allAddresses(s.family)], [ALL_PORTS], [ALL_PORTS]]);
  if (!view) return [{ decider: { kind: 'unjudged' }, region: everything }];
  const scope = judged(view, s);
  const out: Decided[] = [];
  let taken: Region = [];
  for (const rule of view.ir.rules) {
    const region = minus(intersect(ruleRegion(view, rule, s), scope), taken);
    if (region.length === 0) continue;
    out.push({ decider: { kind: 'rule', rule }, verdict: rule.action, region });
    taken = union(taken, region);
  }
  const rest = minus(scope, taken);
  const policy = view.ir.policy[s.direction];
  if (rest.length && policy) out.push({ decider: { kind: 'policy', direction: s.direction }, verdict: policy, region: rest });
  const outside = minus(everything, scope);
  if (outside.length) out.push({ decider: { kind: 'unjudged' }, region: outside });
  return out;
}

/** The new connections the firewall accepts in the slice. */
export const accepted = (parts: readonly Decided[]): Region => parts.filter((p) => p.verdict === 'accept').flatMap((p) => p.region);
