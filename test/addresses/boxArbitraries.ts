import fc from 'fast-check';
import { union, type Box, type Region } from '../../src/addresses/boxes.js';
import type { Interval } from '../../src/addresses/set.js';

/** Values as the sorted, merged interval list a box holds. */
export function toList(values: readonly number[]): Interval[] {
  const out: Interval[] = [];
  for (const v of [...new Set(values)].sort((a, b) => a - b)) {
    const top = out[out.length - 1];
    if (top && top.last + 1n === BigInt(v)) top.last = BigInt(v);
    else out.push({ first: BigInt(v), last: BigInt(v) });
  }
  return out;
}

/**
 * Boxes in a small space (0..side-1 in each of `dims` dimensions), small enough that every point
 * can be checked against a brute-force oracle: any non-empty subset of a dimension as a list, any
 * boxes, and any boxes folded into a region of disjoint ones.
 */
export function smallSpace(side: number, dims: number) {
  const list = fc.uniqueArray(fc.integer({ min: 0, max: side - 1 }), { minLength: 1, maxLength: side }).map(toList);
  const box = fc.array(list, { minLength: dims, maxLength: dims }) as fc.Arbitrary<Box>;
  const region = fc.array(box, { maxLength: 6 }).map((boxes) => boxes.reduce<Region>((r, b) => union(r, [b]), []));
  const points = Array.from({ length: side ** dims }, (_, i) => Array.from({ length: dims }, (_, k) => BigInt(Math.floor(i / side ** k) % side)));
  return { list, box, region, points };
}
