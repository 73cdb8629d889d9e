import { type Cidr, type Family, familyBits, formatCidr } from './cidr.js';

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
    const size = 1n << BigInt(familyBits(c.family) - c.prefix);
    (c.family === 4 ? set.v4 : set.v6).push({ first: c.address, last: c.address + size - 1n });
  }
  return { v4: normalizeIntervals(set.v4), v6: normalizeIntervals(set.v6) };
}

/** Sorted, merged (overlapping and adjacent joined) copies of the intervals. */
export function normalizeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) {
    const top = out[out.length - 1];
    if (top && i.first <= top.last + 1n) {
      if (i.last > top.last) top.last = i.last;
    } else {
      out.push({ ...i });
    }
  }
  return out;
}

export function union(a: AddressSet, b: AddressSet): AddressSet {
  return { v4: normalizeIntervals([...a.v4, ...b.v4]), v6: normalizeIntervals([...a.v6, ...b.v6]) };
}

/** The intervals in both lists; each list sorted and disjoint. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const first = x.first > y.first ? x.first : y.first;
    const last = x.last < y.last ? x.last : y.last;
    if (first <= last) out.push({ first, last });
    if (x.last < y.last) i++;
    else j++;
  }
  return out;
}

export function intersect(a: AddressSet, b: AddressSet): AddressSet {
  return { v4: intersectIntervals(a.v4, b.v4), v6: intersectIntervals(a.v6, b.v6) };
}

export const isEmpty = (s: AddressSet) => s.v4.length === 0 && s.v6.length === 0;

export const families = (s: AddressSet): Family[] =>
  [...(s.v4.length ? [4 as const] : []), ...(s.v6.length ? [6 as const] : [])];

export function equals(a: AddressSet, b: AddressSet): boolean {
  const same = (x: Interval[], y: Interval[]) =>
    x.length === y.length && x.every((v, k) => v.first === y[k]!.first && v.last === y[k]!.last);
  return same(a.v4, b.v4) && same(a.v6, b.v6);
}

/** a ⊆ b */
export const isSubset = (a: AddressSet, b: AddressSet) => equals(intersect(a, b), a);

/** The fewest CIDR blocks that cover exactly one family's intervals. */
export function toCidrs(s: AddressSet, family: Family): Cidr[] {
  const bits = BigInt(familyBits(family));
  const out: Cidr[] = [];
  for (const { first, last } of family === 4 ? s.v4 : s.v6) {
    let start = first;
    while (start <= last) {
      let size = start === 0n ? 1n << bits : start & -start; // largest block aligned at start
      while (start + size - 1n > last) size >>= 1n;
      out.push({ family, address: start, prefix: Number(bits) - log2(size) });
      start += size;
    }
  }
  return out;
}

function log2(n: bigint): number {
  let k = 0;
  while (n > 1n) {
    n >>= 1n;
    k++;
  }
  return k;
}

export const cidrTexts = (s: AddressSet, family: Family) => toCidrs(s, family).map(formatCidr);

/** Whether the address lies in the set. */
export function containsAddress(s: AddressSet, family: Family, address: bigint): boolean {
  return (family === 4 ? s.v4 : s.v6).some((i) => i.first <= address && address <= i.last);
}
