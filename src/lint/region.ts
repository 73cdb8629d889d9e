import { boxIntersect, boxOf, listOf, minus, Work, WorkLimitExceeded, type IntervalList, type Region } from '../addresses/boxes.js';
import { anySet, type AddressSet, type Interval } from '../addresses/set.js';
import type { PortRange } from '../resolve/model.js';
import type { PlacedRule } from '../place/placed.js';

/**
 * The packets a rule matches, as a region of boxes over (address family, source addresses,
 * destination addresses, source ports, destination ports): the family is a dimension of its
 * own, so IPv4 and IPv6 never mix. The box algebra is exact, so "is this rule entirely covered
 * by those?" has an exact answer (not just "is it inside one earlier rule?").
 */
export type RuleRegion = Region;

const ALL_PORTS: IntervalList = [{ first: 0n, last: 65535n }];
const FAMILY: Record<4 | 6, IntervalList> = { 4: [{ first: 4n, last: 4n }], 6: [{ first: 6n, last: 6n }] };

/**
 * The work one coverage question may take before the answer is "don't know" (lints then stay
 * silent rather than guess): a compile runs them for every plain rule.
 */
const WORK_LIMIT = 100_000;

/**
 * The interval lists of one lint run's rules, each made once: the flows share their address sets
 * and port lists, so the rules of a hundred firewalls name the same few hundred (one of them all
 * ten thousand sites), and checking each set's order again per rule, and per firewall, would
 * dominate the lints. Keyed by the arrays themselves, which are never changed once made.
 */
export class RuleLists {
  private readonly addresses = new WeakMap<readonly Interval[], IntervalList>();
  private readonly portLists = new WeakMap<readonly PortRange[], IntervalList>();
  readonly any = anySet();

  addressList(intervals: readonly Interval[]): IntervalList {
    let list = this.addresses.get(intervals);
    if (!list) this.addresses.set(intervals, (list = listOf(intervals)));
    return list;
  }

  ports(ranges: readonly PortRange[] | undefined): IntervalList {
    if (ranges === undefined) return ALL_PORTS;
    let list = this.portLists.get(ranges);
    if (!list) this.portLists.set(ranges, (list = portList(ranges)));
    return list;
  }
}

const portList = (ranges: readonly PortRange[]): IntervalList => listOf(ranges.map((r) => ({ first: BigInt(r.from), last: BigInt(r.to) })));

/**
 * The region of a placed rule. On a host firewall an input rule without a destination still
 * only reaches the host (and an output rule only leaves it), so `host` stands in for the
 * missing side: that keeps address families right (an IPv6 source never reaches an IPv4-only host).
 */
export function regionOf(rule: PlacedRule, host?: AddressSet, lists: RuleLists = new RuleLists()): RuleRegion {
  const any = lists.any;
  const src = rule.src?.set ?? (host && rule.direction === 'output' ? host : any);
  const dst = rule.dst?.set ?? (host && rule.direction === 'input' ? host : any);
  return ([4, 6] as const).flatMap((family) =>
    boxOf([
      FAMILY[family],
      lists.addressList(family === 4 ? src.v4 : src.v6),
      lists.addressList(family === 4 ? dst.v4 : dst.v6),
      ...lastDimensions(rule, family, lists),
    ]),
  );
}

/**
 * Ports, or for an ICMP rule no source port and its types in the family: rules are only compared
 * with rules of their own protocol (lint.ts), so the two kinds never meet in one dimension.
 */
function lastDimensions(rule: PlacedRule, family: 4 | 6, lists: RuleLists): IntervalList[] {
  if (!rule.icmpTypes) return [lists.ports(rule.srcPorts?.ranges), lists.ports(rule.dstPorts?.ranges)];
  const types = rule.icmpTypes.flatMap((t) => ((family === 4 ? t.v4 : t.v6) ?? []));
  return [ALL_PORTS, portList(types.map((n) => ({ from: n, to: n })))];
}

export const regionsIntersect = (a: RuleRegion, b: RuleRegion): boolean => a.some((x) => b.some((y) => boxIntersect(x, y) !== undefined));

/** What remains of `region` outside every region of `by`; undefined when that takes too long to tell. */
export function subtract(region: RuleRegion, by: readonly RuleRegion[]): RuleRegion | undefined {
  try {
    return minus(region, by.flat(), new Work(WORK_LIMIT));
  } catch (e) {
    if (e instanceof WorkLimitExceeded) return undefined;
    throw e;
  }
}
