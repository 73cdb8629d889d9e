import type { Box, Region } from './boxes.js';

/*
 * Which of a list of regions may meet a given box: the candidates a lint then checks exactly, so
 * that a firewall of tens of thousands of plain rules is not compared pair by pair. Per address
 * family and dimension (source and destination addresses, source and destination ports), each
 * box's hull — its first and last point in that dimension — is kept sorted by first point, with
 * a tree of the largest last point; a query counts the hulls that meet the box's hull in each
 * dimension (two binary searches) and lists them in the dimension with the fewest. Two boxes
 * that meet have hulls that meet in every dimension, so no region that meets the box is missed.
 * A query may set a limit: past it the answer is "too many to tell", found by counting before
 * anything is listed.
 *
 * Points are kept as doubles: their offset from the smallest point of the dimension, shifted
 * right just enough to fit 52 bits (no shift for IPv4 addresses and ports, nor for IPv6 hulls
 * within 2^52 addresses of each other). The projection never reorders points, so hulls that
 * meet still meet: a listing keeps every candidate (with a shift it may add a few).
 */

type Hull = { first: bigint; last: bigint };

/** What `list` would give for a box: how many candidates, and the listing (unsorted, maybe repeated). */
interface Plan {
  count: number;
  list: () => number[];
}

/** A dimension's points as doubles (see above); points outside its hulls are clamped to their ends. */
class Projection {
  private readonly shift: bigint;

  constructor(
    private readonly min: bigint,
    private readonly max: bigint,
  ) {
    this.shift = BigInt(Math.max(0, (max - min).toString(2).length - 52));
  }

  static of(hulls: Iterable<Hull>): Projection {
    let min: bigint | undefined;
    let max: bigint | undefined;
    for (const h of hulls) {
      if (min === undefined || h.first < min) min = h.first;
      if (max === undefined || h.last > max) max = h.last;
    }
    return new Projection(min ?? 0n, max ?? 0n);
  }

  near(x: bigint): number {
    if (x <= this.min) return 0;
    return Number(((x >= this.max ? this.max : x) - this.min) >> this.shift);
  }
}

/** Hulls of one dimension as doubles, sorted by first point; `sortedLasts` their last points, sorted. */
export interface Hulls {
  firsts: Float64Array;
  lasts: Float64Array;
  at: Int32Array;
  sortedLasts: Float64Array;
}

export function sortedHulls(firsts: readonly number[], lasts: readonly number[], at: readonly number[]): Hulls {
  const order = Array.from({ length: firsts.length }, (_, k) => k).sort((x, y) => firsts[x]! - firsts[y]!);
  return {
    firsts: Float64Array.from(order, (k) => firsts[k]!),
    lasts: Float64Array.from(order, (k) => lasts[k]!),
    at: Int32Array.from(order, (k) => at[k]!),
    sortedLasts: Float64Array.from(lasts).sort(),
  };
}

/** Two sorted hull lists as one, in linear time. */
export function mergeHulls(a: Hulls, b: Hulls): Hulls {
  const n = a.firsts.length + b.firsts.length;
  const out: Hulls = { firsts: new Float64Array(n), lasts: new Float64Array(n), at: new Int32Array(n), sortedLasts: new Float64Array(n) };
  for (let i = 0, j = 0, k = 0; k < n; k++) {
    const fromA = j >= b.firsts.length || (i < a.firsts.length && a.firsts[i]! <= b.firsts[j]!);
    const [src, at] = fromA ? [a, i++] : [b, j++];
    out.firsts[k] = src.firsts[at]!;
    out.lasts[k] = src.lasts[at]!;
    out.at[k] = src.at[at]!;
  }
  for (let i = 0, j = 0, k = 0; k < n; k++) {
    out.sortedLasts[k] = j >= b.sortedLasts.length || (i < a.sortedLasts.length && a.sortedLasts[i]! <= b.sortedLasts[j]!) ? a.sortedLasts[i++]! : b.sortedLasts[j++]!;
  }
  return out;
}

/** Sorted hulls with the tree of the largest last point below each node. */
export class HullList {
  /** Segment tree (leaves from `size`). */
  private readonly maxLast: Float64Array;
  private readonly size: number;

  constructor(readonly hulls: Hulls) {
    let size = 1;
    while (size < hulls.firsts.length) size *= 2;
    this.size = size;
    this.maxLast = new Float64Array(2 * size).fill(-1);
    this.maxLast.set(hulls.lasts, size);
    for (let k = size - 1; k >= 1; k--) this.maxLast[k] = Math.max(this.maxLast[2 * k]!, this.maxLast[2 * k + 1]!);
  }

  /** How many hulls meet [a, b]: those that start by b, less those that end before a (which all start by b). */
  count(a: number, b: number): number {
    return countAtMost(this.hulls.firsts, b) - countBelow(this.hulls.sortedLasts, a);
  }

  /** The positions of the hulls that meet [a, b]. */
  meeting(a: number, b: number, out: number[]): void {
    const end = countAtMost(this.hulls.firsts, b); // hulls [0, end) start by b
    const visit = (node: number, lo: number, hi: number) => {
      if (lo >= end || this.maxLast[node]! < a) return;
      if (hi - lo === 1) {
        out.push(this.hulls.at[lo]!);
        return;
      }
      const mid = (lo + hi) >> 1;
      visit(2 * node, lo, mid);
      visit(2 * node + 1, mid, hi);
    };
    visit(1, 0, this.size);
  }
}

const hullOf = (box: Box, d: number): Hull => ({ first: box[d]![0]!.first, last: box[d]![box[d]!.length - 1]!.last });
const familyOf = (box: Box) => box[0]![0]!.first;

/** The projections of every dimension of one address family, from the boxes of that family. */
function projectionsOf(boxes: readonly Box[]): Projection[] {
  const dims = boxes[0]!.length;
  return Array.from({ length: dims - 1 }, (_, k) => Projection.of(boxes.map((b) => hullOf(b, k + 1))));
}

/** The boxes of some regions by family, each with its region's position. */
function boxesByFamily(regions: readonly Region[], positions: readonly number[] | undefined) {
  const out = new Map<bigint, { boxes: Box[]; at: number[] }>();
  regions.forEach((region, k) => {
    for (const box of region) {
      let entry = out.get(familyOf(box));
      if (!entry) out.set(familyOf(box), (entry = { boxes: [], at: [] }));
      entry.boxes.push(box);
      entry.at.push(positions ? positions[k]! : k);
    }
  });
  return out;
}

/** A box's hull in each dimension, as points of the projections. */
function nearHulls(projections: readonly Projection[], box: Box): (readonly [number, number])[] {
  return projections.map((p, k) => {
    const h = hullOf(box, k + 1);
    return [p.near(h.first), p.near(h.last)] as const;
  });
}

/** One family's boxes in one hull list per dimension. */
class FamilyIndex {
  constructor(
    readonly projections: readonly Projection[],
    readonly lists: readonly HullList[],
  ) {}

  static build(projections: readonly Projection[], boxes: readonly Box[], at: readonly number[]): FamilyIndex {
    return new FamilyIndex(
      projections,
      projections.map((p, k) => new HullList(sortedHulls(boxes.map((b) => p.near(hullOf(b, k + 1).first)), boxes.map((b) => p.near(hullOf(b, k + 1).last)), at))),
    );
  }

  /** The dimension with the fewest hulls meeting the box's. */
  sharpest(hulls: readonly (readonly [number, number])[]): number {
    let best = 0;
    let bestCount = Infinity;
    for (let k = 0; k < this.lists.length; k++) {
      const count = this.lists[k]!.count(...hulls[k]!);
      if (count < bestCount) [best, bestCount] = [k, count];
    }
    return best;
  }

  plan(hulls: readonly (readonly [number, number])[], best = this.sharpest(hulls)): Plan {
    const bestCount = this.lists[best]!.count(...hulls[best]!);
    return {
      count: bestCount,
      list: () => {
        const out: number[] = [];
        this.lists[best]!.meeting(...hulls[best]!, out);
        return out;
      },
    };
  }
}

/** A fixed list of regions. */
export class RegionIndex {
  private readonly byFamily = new Map<bigint, FamilyIndex>();

  /** `regions[k]` is filed as position `positions[k]` (or k). */
  constructor(regions: readonly Region[], positions?: readonly number[]) {
    for (const [family, { boxes, at }] of boxesByFamily(regions, positions)) this.byFamily.set(family, FamilyIndex.build(projectionsOf(boxes), boxes, at));
  }

  /**
   * Positions (ascending, each once) of the regions with a box whose hulls meet a box of
   * `region`; undefined when there would be more than `limit` candidates.
   */
  meetingRegion(region: Region, limit = Infinity): number[] | undefined {
    return listed(
      region.flatMap((box) => {
        const f = this.byFamily.get(familyOf(box));
        return f ? [f.plan(nearHulls(f.projections, box))] : [];
      }),
      limit,
    );
  }
}

/**
 * Regions added one by one, in order, out of a list known from the start (a lint asks about the
 * rules before the one it looks at): the latest few in a list checked one by one, the others in
 * indexes of 32, 64, 128, … regions, two of one size joined into one of the next (Bentley and
 * Saxe), each join a linear merge of sorted lists. Adding n regions takes O(n log n) steps, and a
 * query asks O(log n) indexes.
 */
export class GrowingRegionIndex {
  private readonly families = new Map<
    bigint,
    { projections: Projection[]; levels: (FamilyIndex | undefined)[]; recent: { hulls: (readonly [number, number])[]; at: number; box: Box }[] }
  >();

  constructor(private readonly regions: readonly Region[]) {
    for (const [family, { boxes }] of boxesByFamily(regions, undefined)) this.families.set(family, { projections: projectionsOf(boxes), levels: [], recent: [] });
  }

  /** Adds `regions[k]`, as position k. */
  add(k: number): void {
    for (const box of this.regions[k]!) {
      const f = this.families.get(familyOf(box))!;
      f.recent.push({ hulls: nearHulls(f.projections, box), at: k, box });
      if (f.recent.length < RECENT) continue;
      let joined = FamilyIndex.build(f.projections, f.recent.map((r) => r.box), f.recent.map((r) => r.at));
      f.recent = [];
      let level = 0;
      for (; f.levels[level]; level++) {
        const other = f.levels[level]!;
        joined = new FamilyIndex(
          f.projections,
          joined.lists.map((list, d) => new HullList(mergeHulls(list.hulls, other.lists[d]!.hulls))),
        );
        f.levels[level] = undefined;
      }
      f.levels[level] = joined;
    }
  }

  meetingRegion(region: Region, limit = Infinity): number[] | undefined {
    return listed(
      region.flatMap((box) => {
        const f = this.families.get(familyOf(box));
        if (!f) return [];
        const hulls = nearHulls(f.projections, box);
        const recent = f.recent.filter((r) => r.hulls.every(([first, last], d) => first <= hulls[d]![1] && hulls[d]![0] <= last)).map((r) => r.at);
        // The dimension the largest index finds sharpest serves for the smaller ones too.
        const levels = f.levels.filter((l) => l !== undefined);
        const best = levels.length ? levels[levels.length - 1]!.sharpest(hulls) : 0;
        const plans = levels.map((level) => level.plan(hulls, best));
        return [...plans, { count: recent.length, list: () => recent }];
      }),
      limit,
    );
  }
}

/** Regions a GrowingRegionIndex checks one by one before it indexes them. */
const RECENT = 32;

function listed(plans: readonly Plan[], limit: number): number[] | undefined {
  if (plans.reduce((n, p) => n + p.count, 0) > limit) return undefined;
  const found = plans.length === 1 ? plans[0]!.list() : plans.flatMap((p) => p.list());
  found.sort((a, b) => a - b);
  // A region may have several boxes of one family: each position once.
  let kept = 0;
  for (let k = 0; k < found.length; k++) if (k === 0 || found[k] !== found[k - 1]) found[kept++] = found[k]!;
  found.length = kept;
  return found;
}

/** How many of the sorted values are <= x. */
function countAtMost(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted values are < x. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
