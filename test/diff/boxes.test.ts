import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compact, containsPoint, intersect, minus, product, union, volume, type Box, type Region } from '../../src/diff/boxes.js';

/** Small spaces (0..7 per dimension) so every point can be checked. */
const SIDE = 8;
const DIMS = 3;

const span = fc.tuple(fc.integer({ min: 0, max: SIDE - 1 }), fc.integer({ min: 0, max: SIDE - 1 })).map(([a, b]) => ({ lo: BigInt(Math.min(a, b)), hi: BigInt(Math.max(a, b)) }));
const box = fc.array(span, { minLength: DIMS, maxLength: DIMS }) as fc.Arbitrary<Box>;
/** Any boxes, overlapping or not, folded into a region of disjoint boxes. */
const region = fc.array(box, { maxLength: 6 }).map((boxes) => boxes.reduce<Region>((r, b) => union(r, [b]), []));

const POINTS = Array.from({ length: SIDE ** DIMS }, (_, i) => Array.from({ length: DIMS }, (_, k) => BigInt(Math.floor(i / SIDE ** k) % SIDE)));
const points = () => POINTS;
const pointCount = (r: Region) => [...points()].filter((p) => containsPoint(r, p)).length;
/** Disjoint boxes: the summed volume counts each point once. */
const disjoint = (r: Region) => volume(r) === BigInt(pointCount(r));

describe('box algebra', () => {
  it('A − B, B − A and A ∩ B partition A ∪ B', () => {
    fc.assert(
      fc.property(region, region, (a, b) => {
        const parts = [minus(a, b), minus(b, a), intersect(a, b)];
        const all = union(a, b);
        for (const p of [...parts, all]) expect(disjoint(p)).toBe(true);
        const wrong = [...points()].filter((pt) => {
          const inUnion = containsPoint(a, pt) || containsPoint(b, pt);
          return containsPoint(all, pt) !== inUnion || parts.filter((r) => containsPoint(r, pt)).length !== (inUnion ? 1 : 0);
        });
        expect(wrong).toEqual([]);
        expect(volume(parts[0]!) + volume(parts[1]!) + volume(parts[2]!)).toBe(volume(all));
      }),
      { numRuns: 200 },
    );
  });

  it('subtracts and intersects pointwise', () => {
    fc.assert(
      fc.property(region, region, (a, b) => {
        const d = minus(a, b);
        const i = intersect(a, b);
        const wrong = [...points()].filter(
          (pt) => containsPoint(d, pt) !== (containsPoint(a, pt) && !containsPoint(b, pt)) || containsPoint(i, pt) !== (containsPoint(a, pt) && containsPoint(b, pt)),
        );
        expect(wrong).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('compacts a region into products that hold exactly its points, and never more rows than boxes', () => {
    fc.assert(
      fc.property(region, (r) => {
        const rows = compact(r);
        const back = rows.flatMap((p) => product(p));
        expect(disjoint(back)).toBe(true);
        expect([...points()].filter((pt) => containsPoint(back, pt) !== containsPoint(r, pt))).toEqual([]);
        expect(rows.length).toBeLessThanOrEqual(r.length);
      }),
      { numRuns: 200 },
    );
  });

  it('merges a region cut into slabs back into one row', () => {
    const whole: Box = [{ lo: 0n, hi: 7n }, { lo: 2n, hi: 5n }, { lo: 1n, hi: 1n }];
    const cut = minus([whole], [[{ lo: 3n, hi: 4n }, { lo: 0n, hi: 7n }, { lo: 0n, hi: 7n }]]);
    const joined = union(cut, [[{ lo: 3n, hi: 4n }, { lo: 2n, hi: 5n }, { lo: 1n, hi: 1n }]]);
    expect(joined.length).toBeGreaterThan(1);
    expect(compact(joined)).toEqual([[[{ lo: 0n, hi: 7n }], [{ lo: 2n, hi: 5n }], [{ lo: 1n, hi: 1n }]]]);
  });

  it('works with 128-bit addresses', () => {
    const all: Box = [{ lo: 0n, hi: (1n << 128n) - 1n }];
    const one: Box = [{ lo: 1n << 127n, hi: 1n << 127n }];
    expect(volume(minus([all], [one]))).toBe((1n << 128n) - 1n);
  });
});
