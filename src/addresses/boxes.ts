import { ListIds } from './listIds.js';
import { intersectIntervals, normalizeIntervals, subtractIntervals, type Interval } from './set.js';
import { Work, type IntervalList, type Memo } from './work.js';

/**
 * Exact set algebra on boxes. A box is a product of interval lists, one per dimension (for
 * connections: source addresses, destination addresses, source ports, destination ports), each
 * list sorted, disjoint, non-adjacent and not empty; a region is a list of pairwise disjoint
 * boxes. A rule with a hundred ports or a network of a hundred hosts is one box, not a hundred,
 * so the work follows the number of rules, not the number of their ports and hosts. Nothing is
 * ever widened or rounded: every result holds exactly the points it should. Every operation
 * counts its steps in a `Work` (src/addresses/work.ts).
 */
export type Box = readonly IntervalList[];
export type Region = Box[];

// The algebra's users need these too: one module to import from.
export { ListIds, Work, type IntervalList };
export { WorkLimitExceeded } from './work.js';

/** One operation on two lists: the shorter one is walked (the longer is searched), the result written. */
const listCost = (a: IntervalList, b: IntervalList, out: IntervalList) => 1 + Math.min(a.length, b.length) + out.length;

/** Whether the lists' hulls overlap: a constant-time test that settles most pairs of disjoint boxes. */
const hullsMeet = (a: IntervalList, b: IntervalList) => a[0]!.first <= b[b.length - 1]!.last && b[0]!.first <= a[a.length - 1]!.last;

/** Lists shorter than this together are cheaper to work out again than to look up. */
const LONG = 16;

function remembered(memo: Memo, op: (a: IntervalList, b: IntervalList) => IntervalList, a: IntervalList, b: IntervalList, work: Work): IntervalList {
  if (a.length + b.length < LONG) {
    const out = op(a, b);
    work.spend(listCost(a, b, out));
    return out;
  }
  let byB = memo.get(a);
  if (!byB) memo.set(a, (byB = new WeakMap()));
  let out = byB.get(b);
  if (out) work.spend(1);
  else {
    byB.set(b, (out = op(a, b)));
    work.spend(listCost(a, b, out));
  }
  return out;
}

/** Whether `a` is one interval that holds all of `b`: "any port", "any address", a whole zone. */
const holds = (a: IntervalList, b: IntervalList) => a.length === 1 && a[0]!.first <= b[0]!.first && b[b.length - 1]!.last <= a[0]!.last;

const NOTHING: IntervalList = [];

/** a ∩ b; when one list holds the other, that other list itself (kept the same object: cheap to meet again). */
function intersectLists(a: IntervalList, b: IntervalList, work: Work): IntervalList {
  if (a === b || holds(b, a)) return a;
  if (holds(a, b)) return b;
  return remembered(work.memo.intersections, intersectIntervals, a, b, work);
}

function subtractLists(a: IntervalList, b: IntervalList, work: Work): IntervalList {
  if (!hullsMeet(a, b)) return a;
  if (a === b || holds(b, a)) return NOTHING;
  return remembered(work.memo.differences, subtractIntervals, a, b, work);
}

export function boxIntersect(a: Box, b: Box, work: Work = new Work()): Box | undefined {
  work.spend(1);
  for (let k = 0; k < a.length; k++) if (!hullsMeet(a[k]!, b[k]!)) return undefined;
  // Short lists first (ports before a list of ten thousand networks): the first empty one settles it.
  const order = a.map((_, k) => k).sort((x, y) => a[x]!.length + b[x]!.length - (a[y]!.length + b[y]!.length));
  const out: IntervalList[] = [];
  for (const k of order) {
    const both = intersectLists(a[k]!, b[k]!, work);
    if (both.length === 0) return undefined;
    out[k] = both;
  }
  return out;
}

/**
 * a − b as at most one box per dimension: the k-th holds the points of a that b misses first in
 * dimension k (inside b in every dimension before k, outside it in k), so the pieces are disjoint.
 */
export function boxMinus(a: Box, b: Box, work: Work = new Work()): Box[] {
  const inside = boxIntersect(a, b, work);
  if (!inside) return [a];
  const out: Box[] = [];
  for (let k = 0; k < a.length; k++) {
    const rest = subtractLists(a[k]!, b[k]!, work);
    if (rest.length) out.push([...inside.slice(0, k), rest, ...a.slice(k + 1)]);
  }
  return out;
}

/** a − b; b's boxes may overlap each other. */
export function minus(a: Region, b: Region, work: Work = new Work()): Region {
  let out = a;
  let coalescedAt = a.length;
  for (const cut of b) {
    if (out.length === 0) break;
    const next: Box[] = [];
    for (const box of out) for (const piece of boxMinus(box, cut, work)) next.push(piece);
    out = next;
    // Many cuts can splinter a region; joining the splinters again keeps it small.
    if (out.length > 2 * coalescedAt + 8) coalescedAt = (out = coalesce(out, work)).length;
  }
  return out === a ? a : coalesce(out, work);
}

export function intersect(a: Region, b: Region, work: Work = new Work()): Region {
  const out: Box[] = [];
  for (const x of a) {
    for (const y of b) {
      const both = boxIntersect(x, y, work);
      if (both) out.push(both);
    }
  }
  return coalesce(out, work);
}

export const union = (a: Region, b: Region, work: Work = new Work()): Region => coalesce([...a, ...minus(b, a, work)], work);

export const isEmpty = (r: Region) => r.length === 0;

const listSize = (l: IntervalList) => l.reduce((n, i) => n + (i.last - i.first + 1n), 0n);

/** How many points the region holds (its boxes are disjoint). */
export const volume = (r: Region) => r.reduce((n, box) => n + box.reduce((v, l) => v * listSize(l), 1n), 0n);

const listHas = (l: IntervalList, x: bigint) => l.some((i) => i.first <= x && x <= i.last);

export const containsPoint = (r: Region, point: readonly bigint[]) => r.some((box) => box.every((l, k) => listHas(l, point[k]!)));

/**
 * A list as boxes need it: the intervals themselves when they are already sorted and merged (an
 * AddressSet's always are; a policy's sets hold up to tens of thousands), else a normalised copy.
 */
export function listOf(intervals: readonly Interval[]): IntervalList {
  for (let k = 0; k < intervals.length; k++) {
    const x = intervals[k]!;
    if (x.first > x.last || (k > 0 && x.first <= intervals[k - 1]!.last + 1n)) return normalizeIntervals(intervals.filter((i) => i.first <= i.last));
  }
  return intervals;
}

/** The box of the given lists, or nothing when one of them is empty. */
export const boxOf = (lists: readonly IntervalList[]): Region => (lists.some((l) => l.length === 0) ? [] : [lists]);

/**
 * Joins boxes that agree in every dimension but one into one box (the union of that
 * dimension's lists, which are disjoint as the boxes are), until no two agree that way: the
 * region stays exact and disjoint, and splinters of one rule's box become one box again.
 */
export function coalesce(region: Region, work: Work = new Work()): Region {
  if (region.length < 2) return region;
  const dims = region[0]!.length;
  const ids = new ListIds(work);
  let items = region;
  for (let changed = true; changed && items.length > 1; ) {
    changed = false;
    for (let k = dims - 1; k >= 0 && items.length > 1; k--) {
      work.spend(items.length * dims);
      const groups = new Map<string, Box[]>();
      for (const box of items) {
        const key = box.map((l, i) => (i === k ? '' : ids.id(l))).join('|');
        const group = groups.get(key);
        if (group) group.push(box);
        else groups.set(key, [box]);
      }
      if (groups.size === items.length) continue;
      changed = true;
      items = [...groups.values()].map((g) => {
        if (g.length === 1) return g[0]!;
        const joined = normalizeIntervals(g.flatMap((box) => box[k]!));
        work.spend(joined.length + g.length);
        return g[0]!.map((l, i) => (i === k ? joined : l));
      });
    }
  }
  return items;
}
