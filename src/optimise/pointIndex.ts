import type { AddressSet, Interval } from '../addresses/set.js';
import type { PortRange } from '../resolve/model.js';

/**
 * Which rules may hold a given point (an address, or a port) in one dimension: the candidates
 * for covering a rule that holds that point, each then checked exactly. Each interval of a rule
 * is filed in the one or two buckets it touches at the finest of a few fixed bucket sizes where
 * it touches at most two (a site's /24 under its /24, a region's /16 under its /16); a point is
 * then looked up once per bucket size. A rule without the dimension (any address, any port), an
 * interval wider than the largest bucket, and a rule with a list too long to file (all sites of
 * a large policy) are candidates for every point. So filing costs one or two entries per
 * interval, and a candidate shares at least a bucket with the point. Entries are only ever
 * added: the optimiser replaces a rule only by a merge, which holds everything the rule held.
 */
export class PointIndex {
  /** Per family (ports use 4) and bucket size: bucket number → rules. */
  private readonly buckets: { 4: Map<number, number[]>[]; 6: Map<number, number[]>[] };
  /** Rules without this dimension: they hold every point. */
  readonly everywhere: number[] = [];
  /** Rules with an interval wider than every bucket, or a list too long to file: candidates for every point. */
  private readonly wide: number[] = [];
  /** Intervals filed per rule (a rule past LONG_LIST is wide). */
  private readonly filed = new Map<number, number>();

  constructor(private readonly levels: { 4: Levels; 6: Levels }) {
    this.buckets = { 4: levels[4].shifts.map(() => new Map()), 6: levels[6].shifts.map(() => new Map()) };
  }

  /** Files rule `id` under the intervals (of one family) it holds. */
  add(id: number, family: 4 | 6, intervals: readonly Interval[]): void {
    if (intervals.length === 0) return;
    const before = this.filed.get(id) ?? 0;
    if (before > LONG_LIST) return;
    this.filed.set(id, before + intervals.length);
    if (before + intervals.length > LONG_LIST) {
      this.wide.push(id);
      return;
    }
    const { shifts } = this.levels[family];
    const maps = this.buckets[family];
    for (const iv of intervals) {
      // The finest bucket size at which the interval touches at most two buckets.
      let level = shifts.length - 1;
      while (level >= 0 && (iv.last >> shifts[level]!) - (iv.first >> shifts[level]!) > 1n) level--;
      if (level < 0) {
        this.wide.push(id);
        continue;
      }
      const first = bucketOf(iv.first, shifts[level]!);
      const last = bucketOf(iv.last, shifts[level]!);
      push(maps[level]!, first, id);
      if (last !== first) push(maps[level]!, last, id);
    }
  }

  /** The lists of the rules that may hold `point` (one family); a rule may be in several, or twice. */
  holding(family: 4 | 6, point: bigint): number[][] {
    const out = [this.everywhere, this.wide];
    const { shifts } = this.levels[family];
    const maps = this.buckets[family];
    for (let level = 0; level < shifts.length; level++) {
      const ids = maps[level]!.get(bucketOf(point, shifts[level]!));
      if (ids) out.push(ids);
    }
    return out;
  }
}

/** Bucket sizes, coarsest first, as the bits shifted off a point to get its bucket number. */
interface Levels {
  shifts: readonly bigint[];
}

/**
 * A bucket number as a double: exact for IPv4 and ports; for IPv6 its low 52 bits, so two far
 * buckets may share a number, which only adds a candidate.
 */
const bucketOf = (x: bigint, shift: bigint): number => Number(BigInt.asUintN(52, x >> shift));

function push(map: Map<number, number[]>, key: number, id: number): void {
  const ids = map.get(key);
  if (ids) ids.push(id);
  else map.set(key, [id]);
}

/** More intervals than this in one rule's dimension are not filed. */
const LONG_LIST = 32;

const shifts = (width: number, prefixes: readonly number[]): Levels => ({ shifts: prefixes.map((p) => BigInt(width - p)) });
/** IPv4 /8 /16 /24 /32, IPv6 /16 … /128, ports in 4096s, 256s, 16s and ones. */
export const addressIndex = () => new PointIndex({ 4: shifts(32, [8, 16, 24, 32]), 6: shifts(128, [16, 32, 48, 64, 96, 128]) });
export const portIndex = () => new PointIndex({ 4: shifts(16, [4, 8, 12, 16]), 6: shifts(16, [4, 8, 12, 16]) });

/** A port list's ranges as intervals (ports are filed as family 4 of a 16-bit index). */
export const portIntervals = (ranges: readonly PortRange[]): Interval[] => ranges.map((r) => ({ first: BigInt(r.from), last: BigInt(r.to) }));

/** A point of a set to look up, and its family: its first address; none for the empty set. */
export function firstPoint(set: AddressSet): { family: 4 | 6; point: bigint } | undefined {
  if (set.v4.length) return { family: 4, point: set.v4[0]!.first };
  if (set.v6.length) return { family: 6, point: set.v6[0]!.first };
  return undefined;
}
