import { anySet, intersectIntervals as intersectSpans, normalizeIntervals as normalize, type AddressSet, type Interval } from '../addresses/set.js';
import type { Family } from '../addresses/cidr.js';
import type { PortRange } from '../resolve/model.js';
import type { PlacedRule } from '../place/placed.js';

/**
 * The packets a rule matches, as a union of boxes: per address family, the product of its
 * source addresses, destination addresses, source ports and destination ports. Subtracting one
 * box from another is exact, so "is this rule entirely covered by those?" has an exact answer
 * (not just "is it inside one earlier rule?").
 */
type Span = Interval;

type Dims = [src: Span[], dst: Span[], srcPorts: Span[], dstPorts: Span[]];

export interface Box {
  family: Family;
  dims: Dims;
}

export type Region = Box[];

const ALL_PORTS: Span[] = [{ first: 0n, last: 65535n }];

/** Above this many pieces the answer is "don't know": lints then stay silent rather than guess. */
const MAX_PIECES = 4096;

/** a \ b */
function subtractSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const x of a) {
    let start = x.first;
    for (const y of b) {
      if (y.last < start || y.first > x.last) continue;
      if (y.first > start) out.push({ first: start, last: y.first - 1n });
      start = y.last + 1n;
      if (start > x.last) break;
    }
    if (start <= x.last) out.push({ first: start, last: x.last });
  }
  return out;
}

const ports = (ranges: readonly PortRange[] | undefined): Span[] =>
  ranges === undefined ? ALL_PORTS : normalize(ranges.map((r) => ({ first: BigInt(r.from), last: BigInt(r.to) })));

/**
 * The region of a placed rule. On a host firewall an input rule without a destination still
 * only reaches the host (and an output rule only leaves it), so `host` stands in for the
 * missing side: that keeps address families right (an IPv6 source never reaches an IPv4-only host).
 */
export function regionOf(rule: PlacedRule, host?: AddressSet): Region {
  const any = anySet();
  const src = rule.src?.set ?? (host && rule.direction === 'output' ? host : any);
  const dst = rule.dst?.set ?? (host && rule.direction === 'input' ? host : any);
  const boxes: Region = [];
  for (const family of [4, 6] as const) {
    const s = spansOf(family === 4 ? src.v4 : src.v6);
    const d = spansOf(family === 4 ? dst.v4 : dst.v6);
    if (s.length === 0 || d.length === 0) continue;
    boxes.push({ family, dims: [s, d, ports(rule.srcPorts?.ranges), ports(rule.dstPorts?.ranges)] });
  }
  return boxes;
}

/**
 * A set's own intervals when they are already sorted and merged (an AddressSet's always are),
 * else a normalised copy: a policy's sets hold up to tens of thousands of intervals, and a
 * region only ever reads its spans (every operation here builds new ones).
 */
function spansOf(list: readonly Span[]): Span[] {
  for (let k = 0; k < list.length; k++) {
    const x = list[k]!;
    if (x.first > x.last) return normalize(list);
    if (k > 0 && x.first <= list[k - 1]!.last + 1n) return normalize(list);
  }
  return list as Span[];
}

function boxesIntersect(a: Box, b: Box): boolean {
  return a.family === b.family && a.dims.every((d, k) => intersectSpans(d, b.dims[k]!).length > 0);
}

export function regionsIntersect(a: Region, b: Region): boolean {
  return a.some((x) => b.some((y) => boxesIntersect(x, y)));
}

/** b \ a as disjoint boxes (at most four). */
function subtractBox(b: Box, a: Box): Box[] {
  if (!boxesIntersect(a, b)) return [b];
  const out: Box[] = [];
  const cur = [...b.dims] as Dims;
  for (let k = 0; k < 4; k++) {
    const rest = subtractSpans(cur[k]!, a.dims[k]!);
    if (rest.length > 0) {
      const piece = [...cur] as Dims;
      piece[k] = rest;
      out.push({ family: b.family, dims: piece });
    }
    cur[k] = intersectSpans(cur[k]!, a.dims[k]!);
  }
  return out;
}

/** What remains of `region` outside every region of `by`; undefined when that gets too large to tell. */
export function subtract(region: Region, by: readonly Region[]): Region | undefined {
  let remaining = region;
  for (const r of by) {
    for (const box of r) {
      remaining = remaining.flatMap((piece) => subtractBox(piece, box));
      if (remaining.length > MAX_PIECES) return undefined;
      if (remaining.length === 0) return [];
    }
  }
  return remaining;
}
