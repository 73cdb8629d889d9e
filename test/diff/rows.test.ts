import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsPoint, minus, union, volume, type Box, type Region } from '../../src/addresses/boxes.js';
import { canonicalRows, rows } from '../../src/diff/rows.js';
import { smallSpace, toList } from '../addresses/boxArbitraries.js';

/** Small spaces (0..5 per dimension) so every point can be checked. */
const { box, region, points: POINTS } = smallSpace(6, 3);

const pointsOf = (r: Region) => POINTS.filter((p) => containsPoint(r, p)).map((p) => p.join(','));
/** The same points as one box each: the most splintered way to write a region. */
const asPoints = (r: Region): Region => POINTS.filter((p) => containsPoint(r, p)).map((p) => p.map((x) => [{ first: x, last: x }]));

describe('the rows a diff shows a region in', () => {
  it('hold exactly the points of the region, as disjoint boxes, never more than its own boxes', () => {
    fc.assert(
      fc.property(region, (r) => {
        const shown = rows(r);
        expect(pointsOf(shown)).toEqual(pointsOf(r));
        expect(volume(shown)).toBe(BigInt(pointsOf(r).length));
        expect(shown.length).toBeLessThanOrEqual(r.length);
      }),
      { numRuns: 200 },
    );
  });

  it('are laid out the same whatever boxes the same points come in', () => {
    fc.assert(
      fc.property(region, fc.array(box, { maxLength: 3 }), (r, cuts) => {
        // The same points, cut up differently: along other boxes, and into single points.
        const recut = [...minus(r, cuts), ...cuts.reduce<Region>((acc, c) => union(acc, minus([c], minus([c], r))), [])];
        expect(pointsOf(recut)).toEqual(pointsOf(r));
        const expected = canonicalRows(r);
        expect(canonicalRows(recut)).toEqual(expected);
        expect(canonicalRows(asPoints(r))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('differ first in the first dimension: a square minus a smaller one reads as two rows, split on the first', () => {
    const all = (lo: bigint, hi: bigint) => [{ first: lo, last: hi }];
    // The README's example in two dimensions: 60x60 port pairs minus the old 40x40.
    const square: Box = [all(0n, 59n), all(0n, 59n)];
    const old: Box = [all(0n, 39n), all(0n, 39n)];
    expect(rows(minus([square], [old]))).toEqual([
      [all(0n, 39n), all(40n, 59n)],
      [all(40n, 59n), all(0n, 59n)],
    ]);
  });

  it('join a region cut into slabs back into one row', () => {
    const whole: Box = [[{ first: 0n, last: 7n }], [{ first: 2n, last: 5n }], [{ first: 1n, last: 1n }]];
    const cut = minus([whole], [[[{ first: 3n, last: 4n }], [{ first: 0n, last: 7n }], [{ first: 0n, last: 7n }]]]);
    const pieces = [...cut, [[{ first: 3n, last: 4n }], [{ first: 2n, last: 5n }], [{ first: 1n, last: 1n }]] as Box];
    expect(pieces.length).toBeGreaterThan(1);
    expect(rows(pieces)).toEqual([whole]);
  });

  it('keep a region’s own boxes when they are fewer: two rules, each for two networks and one port', () => {
    const l = (...xs: number[]) => toList(xs);
    // (A ∪ D) × {22} and (A ∪ E) × {1503}: the canonical layout needs three rows (A, D, E).
    const own: Region = [
      [l(0, 2), l(22)],
      [l(0, 4), l(1503)],
    ];
    expect(canonicalRows(own)).toHaveLength(3);
    expect(rows(own)).toEqual(own);
  });
});
