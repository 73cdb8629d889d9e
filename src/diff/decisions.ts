import { familyBits, type Family } from '../addresses/cidr.js';
import type { AddressSet, Interval } from '../addresses/set.js';
import type { FirewallView } from '../evaluate/view.js';
import type { IrDirection, IrPorts, IrProtocol, IrRule, IrVerdict } from '../ir/types.js';
import { boxOf, intersect, listOf, minus, Work, type IntervalList, type Region } from '../addresses/boxes.js';
import { OPENING_ICMP } from '../icmp/messages.js';
import { zonePairs } from '../ir/zonePairs.js';

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
export const PROTOCOLS: readonly IrProtocol[] = ['tcp', 'udp', 'icmp'];
export const DIRECTIONS: readonly IrDirection[] = ['input', 'output', 'forward'];

/** What decides a part of a slice: a rule, the direction's policy, or nothing (the firewall does not judge it). */
export type Decider = { kind: 'rule'; rule: IrRule } | { kind: 'policy'; direction: IrDirection } | { kind: 'others' } | { kind: 'unjudged' };

export interface Decided {
  decider: Decider;
  /** Absent for unjudged traffic: the firewall neither accepts nor drops it. */
  verdict?: IrVerdict;
  region: Region;
}

/** Ports 1-65535: a connection never uses port 0. */
export const ALL_PORTS: Interval = { first: 1n, last: 65535n };
const allAddresses = (f: Family): Interval => ({ first: 0n, last: (1n << BigInt(familyBits(f))) - 1n });
/** The same list object every time: the box algebra then recognises it at once. */
const ANY_ADDRESS: Record<Family, IntervalList> = { 4: [allAddresses(4)], 6: [allAddresses(6)] };

const addresses = (set: AddressSet, f: Family): IntervalList => listOf(f === 4 ? set.v4 : set.v6);
const ANY_PORT: IntervalList = [ALL_PORTS];
/** Each rule's ports as one list, kept: the same list object makes the box algebra's memo work. */
const portLists = new WeakMap<IrPorts, IntervalList>();
function portList(p: IrPorts | undefined): IntervalList {
  if (!p) return ANY_PORT;
  let list = portLists.get(p);
  if (!list) portLists.set(p, (list = listOf(p.ranges.map((r) => ({ first: BigInt(r.from), last: BigInt(r.to) })))));
  return list;
}

/**
 * An ICMP slice's last two dimensions: no port (one point, 0), and the type of the query, among
 * those that open an exchange (src/icmp/messages.ts): the traffic a rule may decide.
 */
const NO_PORT: IntervalList = [{ first: 0n, last: 0n }];
const typeList = (numbers: readonly number[]): IntervalList => listOf(numbers.map((n) => ({ first: BigInt(n), last: BigInt(n) })));
const OPENING_TYPES: Record<Family, IntervalList> = {
  4: typeList(OPENING_ICMP.flatMap((t) => (t.v4 === undefined ? [] : [t.v4]))),
  6: typeList(OPENING_ICMP.flatMap((t) => (t.v6 === undefined ? [] : [t.v6]))),
};
/** The ports (or ICMP types) of every packet of a slice: its last two dimensions. */
export const everyPort = (s: Slice): IntervalList[] => (s.protocol === 'icmp' ? [NO_PORT, OPENING_TYPES[s.family]] : [ANY_PORT, ANY_PORT]);

/**
 * The traffic a firewall judges in a slice: a host on NET judges input to NET and output from
 * NET; a gateway judges forwarded traffic from one zone to the other.
 */
export function judged(view: FirewallView, s: Slice): Region {
  const any = ANY_ADDRESS[s.family];
  const ports = everyPort(s);
  const z = view.zones;
  if (view.ir.policy[s.direction] === undefined) return [];
  if (z.kind === 'host') {
    const net = addresses(z.on.set, s.family);
    if (s.direction === 'input') return boxOf([any, net, ...ports]);
    if (s.direction === 'output') return boxOf([net, any, ...ports]);
    return [];
  }
  if (s.direction !== 'forward') return [];
  // The zones do not overlap, so neither do the boxes of their ordered pairs.
  return zonePairs(z.zones).flatMap(([a, b]) => boxOf([addresses(a.set, s.family), addresses(b.set, s.family), ...ports]));
}

function ruleRegion(view: FirewallView, rule: IrRule, s: Slice): Region {
  if (rule.direction !== s.direction || rule.protocol !== s.protocol || !rule.families.includes(s.family)) return [];
  const side = (name: string | undefined) => {
    if (name === undefined) return ANY_ADDRESS[s.family];
    const set = view.sets.get(name);
    if (!set) throw new Error(`firewall ${view.ir.name}: rule ${rule.id} names address set ${name}, which the IR lacks`);
    return addresses(set, s.family);
  };
  if (rule.protocol === 'icmp') {
    const types = typeList((rule.icmpTypes ?? []).flatMap((t) => ((s.family === 4 ? t.v4 : t.v6) ?? [])));
    return boxOf([side(rule.src), side(rule.dst), NO_PORT, types]);
  }
  return boxOf([side(rule.src), side(rule.dst), portList(rule.srcPorts), portList(rule.dstPorts)]);
}

/**
 * The whole space of a slice split by decider: each rule gets what it matches that no earlier
 * rule matched, the policy what no rule matched, and traffic the firewall does not judge is
 * `unjudged`. The parts are disjoint and cover every connection of the slice. `scope` replaces
 * what the firewall judges (verify: a host's chains judge every packet of the host, whatever its
 * address).
 */
export function decisions(view: FirewallView | undefined, s: Slice, work: Work = new Work(), scope?: Region): Decided[] {
  const everything = everyConnection(s);
  if (!view) return [{ decider: { kind: 'unjudged' }, region: everything }];
  scope ??= judged(view, s);
  const out: Decided[] = [];
  // What earlier rules match, as they are written: cutting a rule's box out is the same as
  // cutting out the part it decided, and a rule's one box splinters a region less than its parts.
  const taken: Region = [];
  for (const rule of view.ir.rules) {
    const matched = ruleRegion(view, rule, s);
    if (matched.length === 0) continue;
    const region = minus(intersect(matched, scope, work), taken, work);
    taken.push(...matched);
    if (region.length === 0) continue;
    out.push({ decider: { kind: 'rule', rule }, verdict: rule.action, region });
  }
  const rest = minus(scope, taken, work);
  const policy = view.ir.policy[s.direction];
  if (rest.length && policy) out.push({ decider: { kind: 'policy', direction: s.direction }, verdict: policy, region: rest });
  const outside = minus(everything, scope, work);
  // A gateway's `others deny` drops the forwarded traffic between none of its zones.
  const othersDeny = view.zones.kind === 'gateway' && view.zones.others === 'drop' && s.direction === 'forward';
  if (outside.length) out.push(othersDeny ? { decider: { kind: 'others' }, verdict: 'drop', region: outside } : { decider: { kind: 'unjudged' }, region: outside });
  return out;
}

/** Every connection of a slice: any addresses of its family, any ports. */
export const everyConnection = (s: Slice): Region => boxOf([ANY_ADDRESS[s.family], ANY_ADDRESS[s.family], ...everyPort(s)]);

/** The new connections the firewall accepts in the slice. */
export const accepted = (parts: readonly Decided[]): Region => parts.filter((p) => p.verdict === 'accept').flatMap((p) => p.region);
