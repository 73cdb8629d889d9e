import { boxIntersect, boxOf, listOf, minus, Work, WorkLimitExceeded, type IntervalList, type Region } from '../addresses/boxes.js';
import { anySet, type AddressSet } from '../addresses/set.js';
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

/**
 * The work one coverage question may take before the answer is "don't know" (lints then stay
 * silent rather than guess): a compile runs them for every plain rule.
 */
const WORK_LIMIT = 100_000;

const ports = (ranges: readonly PortRange[] | undefined): IntervalList =>
  ranges === undefined ? ALL_PORTS : listOf(ranges.map((r) => ({ first: BigInt(r.from), last: BigInt(r.to) })));

/**
 * The region of a placed rule. On a host firewall an input rule without a destination still
 * only reaches the host (and an output rule only leaves it), so `host` stands in for the
 * missing side: that keeps address families right (an IPv6 source never reaches an IPv4-only host).
 */
export function regionOf(rule: PlacedRule, host?: AddressSet): RuleRegion {
  const any = anySet();
  const src = rule.src?.set ?? (host && rule.direction === 'output' ? host : any);
  const dst = rule.dst?.set ?? (host && rule.direction === 'input' ? host : any);
  return ([4, 6] as const).flatMap((family) =>
    boxOf([[{ first: BigInt(family), last: BigInt(family) }], listOf(family === 4 ? src.v4 : src.v6), listOf(family === 4 ? dst.v4 : dst.v6), ...lastDimensions(rule, family)]),
  );
}

/**
 * Ports, or for an ICMP rule no source port and its types in the family: rules are only compared
 * with rules of their own protocol (lint.ts), so the two kinds never meet in one dimension.
 */
function lastDimensions(rule: PlacedRule, family: 4 | 6): IntervalList[] {
  if (!rule.icmpTypes) return [ports(rule.srcPorts?.ranges), ports(rule.dstPorts?.ranges)];
  const types = rule.icmpTypes.flatMap((t) => ((family === 4 ? t.v4 : t.v6) ?? []));
  return [ALL_PORTS, ports(types.map((n) => ({ from: n, to: n })))];
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
