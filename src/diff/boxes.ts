/**
 * Exact set algebra on boxes: a box is a product of inclusive integer spans, one per dimension
 * (for connections: source address, destination address, source port, destination port); a
 * region is a list of pairwise disjoint boxes. Subtraction splits a box into at most two slabs
 * per dimension, so every result is exact: nothing is widened or rounded.
 */
export interface Span {
  lo: bigint;
  hi: bigint;
}

export type Box = readonly Span[];
export type Region = Box[];

export function boxIntersect(a: Box, b: Box): Box | undefined {
  const out: Span[] = [];
  for (let k = 0; k < a.length; k++) {
    const lo = a[k]!.lo > b[k]!.lo ? a[k]!.lo : b[k]!.lo;
    const hi = a[k]!.hi < b[k]!.hi ? a[k]!.hi : b[k]!.hi;
    if (lo > hi) return undefined;
    out.push({ lo, hi });
  }
  return out;
}

/** a − b as disjoint boxes: per dimension, the slabs of a below and above b, then narrow to b. */
export function boxMinus(a: Box, b: Box): Box[] {
  if (!boxIntersect(a, b)) return [a];
  const out: Box[] = [];
  const rest = a.map((s) => ({ ...s }));
  for (let k = 0; k < a.length; k++) {
    const r = rest[k]!;
    const cut = b[k]!;
    if (r.lo < cut.lo) {
      out.push(rest.map((s, i) => (i === k ? { lo: s.lo, hi: cut.lo - 1n } : { ...s })));
      r.lo = cut.lo;
    }
    if (r.hi > cut.hi) {
      out.push(rest.map((s, i) => (i === k ? { lo: cut.hi + 1n, hi: s.hi } : { ...s })));
      r.hi = cut.hi;
    }
  }
  return out; // what is left of `rest` lies inside b
}

export function minus(a: Region, b: Region): Region {
  let out = a;
  for (const cut of b) out = out.flatMap((box) => boxMinus(box, cut));
  return out;
}

export function intersect(a: Region, b: Region): Region {
  const out: Box[] = [];
  for (const x of a) for (const y of b) {
    const i = boxIntersect(x, y);
    if (i) out.push(i);
  }
  return out;
}

export const union = (a: Region, b: Region): Region => [...a, ...minus(b, a)];

export const isEmpty = (r: Region) => r.length === 0;

export const sameRegion = (a: Region, b: Region) => isEmpty(minus(a, b)) && isEmpty(minus(b, a));

/** How many points the region holds (its boxes are disjoint). */
export const volume = (r: Region) => r.reduce((n, box) => n + box.reduce((v, s) => v * (s.hi - s.lo + 1n), 1n), 0n);

export const containsPoint = (r: Region, point: readonly bigint[]) => r.some((box) => box.every((s, k) => s.lo <= point[k]! && point[k]! <= s.hi));

/** Sorted, disjoint, non-adjacent spans. */
export function normalizeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Span[] = [];
  for (const s of sorted) {
    const top = out[out.length - 1];
    if (top && s.lo <= top.hi + 1n) {
      if (s.hi > top.hi) top.hi = s.hi;
    } else out.push({ ...s });
  }
  return out;
}

/** Every box of the product of per-dimension span lists (each list disjoint, so the boxes are). */
export function product(lists: readonly (readonly Span[])[]): Region {
  let out: Span[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((s) => [...prefix, s]));
  return lists.some((l) => l.length === 0) ? [] : out;
}

/**
 * A product of span lists: the compact form a region is shown in (one row of a report). Two
 * products that agree in every dimension but one are merged by joining that dimension's lists,
 * which keeps the union exact; merging repeats until no pair agrees that way.
 */
export type Product = Span[][];

const listKey = (l: readonly Span[]) => l.map((s) => `${s.lo}-${s.hi}`).join(',');

export function compact(region: Region): Product[] {
  const dims = region[0]?.length ?? 0;
  let items: Product[] = region.map((box) => box.map((s) => [{ ...s }]));
  for (let changed = true; changed; ) {
    changed = false;
    // Ports first (the last dimensions): rows then differ in addresses, the way people read them.
    for (let k = dims - 1; k >= 0; k--) {
      const groups = new Map<string, Product[]>();
      for (const it of items) {
        const key = it.map((l, i) => (i === k ? '' : listKey(l))).join('|');
        groups.set(key, [...(groups.get(key) ?? []), it]);
      }
      if (groups.size < items.length) changed = true;
      items = [...groups.values()].map((g) => g[0]!.map((l, i) => (i === k ? normalizeSpans(g.flatMap((p) => p[k]!)) : l)));
    }
  }
  return items.sort(compareProducts);
}

function compareProducts(a: Product, b: Product): number {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]![0]!.lo;
    const y = b[k]![0]!.lo;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
