import { type Cidr, type Family, familyBits, formatCidr, hostMask } from './cidr.js';

/** An inclusive range of addresses of one family. */
export interface Interval {
  first: bigint;
  last: bigint;
}

/**
 * A set of addresses as sorted, disjoint, non-adjacent intervals per family. Union,
 * intersection and equality are exact, so projections and the optimiser never widen a rule.
 */
export interface AddressSet {
  v4: Interval[];
  v6: Interval[];
}

export const emptySet = (): AddressSet => ({ v4: [], v6: [] });

export const anySet = (): AddressSet => ({
  v4: [{ first: 0n, last: (1n << 32n) - 1n }],
  v6: [{ first: 0n, last: (1n << 128n) - 1n }],
});

export function fromCidrs(cidrs: readonly Cidr[]): AddressSet {
  const set = emptySet();
  for (const c of cidrs) {
    (c.family === 4 ? set.v4 : set.v6).push({ first: c.address, last: c.address | hostMask(c.family, c.prefix) });
  }
  // Most networks are a block or two: nothing to sort or merge.
  return { v4: set.v4.length > 1 ? normalizeIntervals(set.v4) : set.v4, v6: set.v6.length > 1 ? normalizeIntervals(set.v6) : set.v6 };
}

/** Sorted, merged (overlapping and adjacent joined) copies of the intervals. */
export function normalizeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) append(out, i);
  return out;
}

/*
 * Every AddressSet is normalised (sorted, disjoint, non-adjacent), and that form of a set of
 * addresses is unique, so the operations below work on the normalised lists directly: a merge
 * instead of a sort, and a binary search when one side is much smaller than the other (a site
 * joining the union of ten thousand sites, a host inside the union of all of them). Interval
 * objects are never changed once they are in a set, so results may share them with the inputs;
 * the arrays are always new.
 */

/** When one list is at least this many times longer than the other, search instead of merging. */
const SEARCH_RATIO = 8;

/**
 * The first index k >= from with list[k].last >= value (list.length if none). It gallops from
 * `from` (1, 2, 4, … ahead) before it bisects: the callers walk a list in order, and the next
 * answer is usually close (the sites of one region inside the list of all sites).
 */
function firstEndingAtOrAfter(list: readonly Interval[], from: number, value: bigint): number {
  let lo = from;
  let hi = list.length;
  for (let step = 1; lo + step < hi; step *= 2) {
    if (list[lo + step - 1]!.last >= value) {
      hi = lo + step - 1;
      break;
    }
    lo += step;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.last < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds `iv` at the end of a normalised list being built, merging it with the last interval if they touch. */
function append(out: Interval[], iv: Interval): void {
  const top = out[out.length - 1];
  if (top !== undefined && iv.first <= top.last + 1n) {
    if (iv.last > top.last) out[out.length - 1] = { first: top.first, last: iv.last };
  } else {
    out.push(iv);
  }
}

function unionIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  if (b.length === 0) return a.slice();
  if (a.length === 0) return b.slice();
  const [big, small] = a.length >= b.length ? [a, b] : [b, a];
  const out: Interval[] = [];
  if (small.length * SEARCH_RATIO <= big.length) {
    // Copy the runs of `big` between the intervals of `small`; merge only around each of them.
    let pos = 0;
    for (const iv of small) {
      const k = firstEndingAtOrAfter(big, pos, iv.first - 1n); // the first one that touches or follows iv
      for (let i = pos; i < k; i++) out.push(big[i]!);
      pos = k;
      while (pos < big.length && big[pos]!.first <= iv.first) append(out, big[pos++]!);
      append(out, iv);
      while (pos < big.length && big[pos]!.first <= out[out.length - 1]!.last + 1n) append(out, big[pos++]!);
    }
    for (let i = pos; i < big.length; i++) out.push(big[i]!);
    return out;
  }
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]!.first <= b[j]!.first) ? a[i++]! : b[j++]!;
    append(out, next);
  }
  return out;
}

export function union(a: AddressSet, b: AddressSet): AddressSet {
  return { v4: unionIntervals(a.v4, b.v4), v6: unionIntervals(a.v6, b.v6) };
}

/**
 * Adds the addresses of `more` to `into` itself, keeping it normalised, and returns it: for a
 * set that belongs to its caller alone (the optimiser's merged sets), so that merging thousands
 * of networks into one rule, in any order, moves array slots instead of copying the growing set
 * at every step. Intervals are never changed, only replaced: a set sharing them is unaffected.
 */
export function addInto(into: AddressSet, more: AddressSet): AddressSet {
  addIntervals(into.v4, more.v4);
  addIntervals(into.v6, more.v6);
  return into;
}

function addIntervals(list: Interval[], more: readonly Interval[]): void {
  // Nothing of `more` before the list's last interval (a region's sites after the regions merged
  // so far, the usual order): append them in one pass.
  if (more.length && (list.length === 0 || more[0]!.first >= list[list.length - 1]!.first)) {
    let k = 0;
    // Only the first few can touch the list's last interval; once one of them ends the list,
    // the rest (normalised: apart from each other) are pushed as they are.
    while (k < more.length) {
      append(list, more[k]!);
      if (list[list.length - 1]!.last === more[k++]!.last) break;
    }
    while (k < more.length) list.push(more[k++]!);
    return;
  }
  if (more.length * SEARCH_RATIO > list.length) {
    const joined = unionIntervals(list, more);
    list.length = 0;
    for (const iv of joined) list.push(iv);
    return;
  }
  for (const iv of more) {
    // list[k..j) touch or overlap iv: they and iv become one interval.
    const k = firstEndingAtOrAfter(list, 0, iv.first - 1n);
    let j = k;
    while (j < list.length && list[j]!.first <= iv.last + 1n) j++;
    if (j === k) {
      list.splice(k, 0, iv);
      continue;
    }
    const first = list[k]!.first < iv.first ? list[k]!.first : iv.first;
    const last = list[j - 1]!.last > iv.last ? list[j - 1]!.last : iv.last;
    list.splice(k, j - k, first === iv.first && last === iv.last ? iv : { first, last });
  }
}

/**
 * The union of many sets at once (a network naming a hundred others): one sort of all their
 * intervals, which finds the sorted runs the inputs already are, instead of a hundred merges
 * that each copy the growing result.
 */
export function unionAll(sets: readonly AddressSet[]): AddressSet {
  if (sets.length === 1) return { v4: sets[0]!.v4.slice(), v6: sets[0]!.v6.slice() };
  if (sets.length === 2) return union(sets[0]!, sets[1]!);
  return { v4: normalizeIntervals(sets.flatMap((s) => s.v4)), v6: normalizeIntervals(sets.flatMap((s) => s.v6)) };
}

/** The intervals in both lists; each list sorted and disjoint. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  if (a === b) return a.slice();
  const out: Interval[] = [];
  if (a.length === 0 || b.length === 0) return out;
  // Lists whose hulls do not meet (one region's sites against another's, on every host
  // firewall of a region) share nothing: two comparisons instead of a walk over both.
  if (a[a.length - 1]!.last < b[0]!.first || b[b.length - 1]!.last < a[0]!.first) return out;
  const [big, small] = a.length >= b.length ? [a, b] : [b, a];
  if (small.length * SEARCH_RATIO <= big.length) {
    let pos = 0;
    for (const iv of small) {
      pos = firstEndingAtOrAfter(big, pos, iv.first);
      for (let k = pos; k < big.length && big[k]!.first <= iv.last; k++) {
        const y = big[k]!;
        const first = iv.first > y.first ? iv.first : y.first;
        const last = iv.last < y.last ? iv.last : y.last;
        out.push(first === y.first && last === y.last ? y : first === iv.first && last === iv.last ? iv : { first, last });
      }
    }
    return out;
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const first = x.first > y.first ? x.first : y.first;
    const last = x.last < y.last ? x.last : y.last;
    if (first <= last) out.push(first === x.first && last === x.last ? x : first === y.first && last === y.last ? y : { first, last });
    if (x.last < y.last) i++;
    else j++;
  }
  return out;
}

/** The intervals of `a` outside every interval of `b`; each list sorted and disjoint. */
export function subtractIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  if (b.length === 0 || a.length === 0) return a.slice();
  const out: Interval[] = [];
  let pos = 0;
  for (const x of a) {
    pos = firstEndingAtOrAfter(b, pos, x.first); // the first interval of b that can still cut x
    let start = x.first;
    for (let k = pos; k < b.length && b[k]!.first <= x.last; k++) {
      const y = b[k]!;
      if (y.first > start) out.push({ first: start, last: y.first - 1n });
      start = y.last + 1n;
    }
    if (start === x.first) out.push(x);
    else if (start <= x.last) out.push({ first: start, last: x.last });
  }
  return out;
}

export function intersect(a: AddressSet, b: AddressSet): AddressSet {
  return { v4: intersectIntervals(a.v4, b.v4), v6: intersectIntervals(a.v6, b.v6) };
}

/** a \ b: the addresses of `a` that are not in `b`. */
export function difference(a: AddressSet, b: AddressSet): AddressSet {
  return { v4: subtractIntervals(a.v4, b.v4), v6: subtractIntervals(a.v6, b.v6) };
}

export const isEmpty = (s: AddressSet) => s.v4.length === 0 && s.v6.length === 0;

export const families = (s: AddressSet): Family[] =>
  [...(s.v4.length ? [4 as const] : []), ...(s.v6.length ? [6 as const] : [])];

function sameIntervals(x: readonly Interval[], y: readonly Interval[]): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) {
    const v = x[k]!;
    const w = y[k]!;
    if (v !== w && (v.first !== w.first || v.last !== w.last)) return false;
  }
  return true;
}

export function equals(a: AddressSet, b: AddressSet): boolean {
  return a === b || (sameIntervals(a.v4, b.v4) && sameIntervals(a.v6, b.v6));
}

/** Every interval of `inner` lies in one interval of `outer` (which has no two that touch). */
function coveredBy(inner: readonly Interval[], outer: readonly Interval[]): boolean {
  if (inner === outer) return true;
  let pos = 0;
  for (const iv of inner) {
    pos = firstEndingAtOrAfter(outer, pos, iv.last);
    const o = outer[pos];
    if (o === undefined || o.first > iv.first) return false;
  }
  return true;
}

/** a ⊆ b */
export const isSubset = (a: AddressSet, b: AddressSet) => a === b || (coveredBy(a.v4, b.v4) && coveredBy(a.v6, b.v6));

/** The fewest CIDR blocks that cover exactly one family's intervals. */
export function toCidrs(s: AddressSet, family: Family): Cidr[] {
  const out: Cidr[] = [];
  for (const iv of family === 4 ? s.v4 : s.v6) eachBlock(iv, family, (address, prefix) => out.push({ family, address, prefix }));
  return out;
}

/** How many blocks `toCidrs` gives for the set, both families: what writing it out costs, without building it. */
export function cidrCount(s: AddressSet): number {
  let n = 0;
  const count = () => n++;
  for (const iv of s.v4) eachBlock(iv, 4, count);
  for (const iv of s.v6) eachBlock(iv, 6, count);
  return n;
}

/** Each block of the fewest CIDR blocks that cover one interval, in order. */
function eachBlock({ first, last }: Interval, family: Family, block: (address: bigint, prefix: number) => void): void {
  const bits = familyBits(family);
  // Most intervals are one block: a power of two long, aligned on its size.
  const size = last - first + 1n;
  const hostBits = size - 1n;
  if ((size & hostBits) === 0n && (first & hostBits) === 0n) {
    block(first, bits - log2(size));
    return;
  }
  let start = first;
  while (start <= last) {
    let size = start === 0n ? 1n << BigInt(bits) : start & -start; // largest block aligned at start
    while (start + size - 1n > last) size >>= 1n;
    block(start, bits - log2(size));
    start += size;
  }
}

/** log2 of a power of two. */
const log2 = (n: bigint): number => n.toString(2).length - 1;

/** The CIDR blocks of `toCidrs`, as text (`formatCidr`). */
export const cidrTexts = (s: AddressSet, family: Family): string[] =>
  family === 4 ? ipv4CidrTexts(s.v4) : toCidrs(s, family).map(formatCidr);

/**
 * `toCidrs(s, 4).map(formatCidr)` in plain numbers: IPv4 addresses fit a double exactly, and a
 * large policy prints tens of thousands of them.
 */
function ipv4CidrTexts(intervals: readonly Interval[]): string[] {
  const out: string[] = [];
  for (const iv of intervals) {
    let start = Number(iv.first);
    const last = Number(iv.last);
    while (start <= last) {
      let size = start === 0 ? 2 ** 32 : (start & -start) >>> 0; // largest block aligned at start
      while (start + size - 1 > last) size /= 2;
      const prefix = size === 2 ** 32 ? 0 : 32 - (31 - Math.clz32(size));
      const text = `${start >>> 24}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.${start & 255}`;
      out.push(prefix === 32 ? text : `${text}/${prefix}`);
      start += size;
    }
  }
  return out;
}

/** Whether the address lies in the set. */
export function containsAddress(s: AddressSet, family: Family, address: bigint): boolean {
  return (family === 4 ? s.v4 : s.v6).some((i) => i.first <= address && address <= i.last);
}
