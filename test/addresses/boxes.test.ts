import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxMinus, coalesce, containsPoint, intersect, ListIds, listOf, minus, union, volume, Work, WorkLimitExceeded, type Box, type Region } from '../../src/addresses/boxes.js';
import { subtractIntervals } from '../../src/addresses/set.js';
import { smallSpace } from './boxArbitraries.js';

/** Small spaces (0..7 per dimension) so every point can be checked against the brute-force oracle. */
const SIDE = 8;
const DIMS = 3;
const { box, region, points: POINTS } = smallSpace(SIDE, DIMS);

/** The oracle: a region as the set of its points, one by one. */
const pointsOf = (r: Region) => new Set(POINTS.filter((p) => containsPoint(r, p)).map((p) => p.join(',')));
const pointsOfBoxes = (boxes: readonly Box[]) => new Set(POINTS.filter((p) => boxes.some((b) => containsPoint([b], p))).map((p) => p.join(',')));
/** Disjoint boxes: the summed volume counts each point once. */
const disjoint = (r: Region) => volume(r) === BigInt(pointsOf(r).size);
/** Every list sorted, disjoint, not touching and not empty, as the algebra requires. */
const wellFormed = (r: Region) => r.every((b) => b.length === DIMS && b.every((l) => l.length > 0 && l.every((x, k) => x.first <= x.last && (k === 0 || x.first > l[k - 1]!.last + 1n))));

describe('box algebra on products of interval lists', () => {
  it('A − B, B − A and A ∩ B partition A ∪ B, each as disjoint, well-formed boxes', () => {
    fc.assert(
      fc.property(region, region, (a, b) => {
        const parts = [minus(a, b), minus(b, a), intersect(a, b)];
        const all = union(a, b);
        for (const p of [...parts, all]) {
          expect(disjoint(p)).toBe(true);
          expect(wellFormed(p)).toBe(true);
        }
        const inA = pointsOf(a);
        const inB = pointsOf(b);
        const inAll = pointsOf(all);
        const inParts = parts.map(pointsOf);
        const wrong = POINTS.map((p) => p.join(',')).filter((pt) => {
          const inUnion = inA.has(pt) || inB.has(pt);
          return inAll.has(pt) !== inUnion || inParts.filter((r) => r.has(pt)).length !== (inUnion ? 1 : 0);
        });
        expect(wrong).toEqual([]);
        expect(volume(parts[0]!) + volume(parts[1]!) + volume(parts[2]!)).toBe(volume(all));
      }),
      { numRuns: 150 },
    );
  });

  it('subtracts and intersects pointwise, also when the boxes cut away overlap each other', () => {
    fc.assert(
      fc.property(region, fc.array(box, { maxLength: 5 }), (a, cuts) => {
        const d = minus(a, cuts);
        const i = intersect(a, cuts.reduce<Region>((r, c) => union(r, [c]), []));
        const inA = pointsOf(a);
        const inCuts = pointsOfBoxes(cuts);
        expect([...pointsOf(d)].sort()).toEqual([...inA].filter((p) => !inCuts.has(p)).sort());
        expect([...pointsOf(i)].sort()).toEqual([...inA].filter((p) => inCuts.has(p)).sort());
        expect(disjoint(d)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('cuts one box out of another in at most one piece per dimension', () => {
    fc.assert(
      fc.property(box, box, (a, b) => {
        const pieces = boxMinus(a, b);
        expect(pieces.length).toBeLessThanOrEqual(DIMS);
        const inB = pointsOfBoxes([b]);
        expect([...pointsOfBoxes(pieces)].sort()).toEqual([...pointsOfBoxes([a])].filter((p) => !inB.has(p)).sort());
      }),
      { numRuns: 200 },
    );
  });

  it('coalesces a region into no more boxes with exactly its points, no two of them agreeing in all dimensions but one', () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 8 }), (boxes) => {
        const r = boxes.reduce<Region>((acc, b) => [...acc, ...minus([b], acc)], []);
        const joined = coalesce(r);
        expect(joined.length).toBeLessThanOrEqual(r.length);
        expect(disjoint(joined)).toBe(true);
        expect([...pointsOf(joined)].sort()).toEqual([...pointsOf(r)].sort());
        const ids = new ListIds(new Work());
        for (const [x, y] of joined.flatMap((x, i) => joined.slice(i + 1).map((y) => [x, y] as const))) {
          const differ = x.filter((l, k) => ids.id(l) !== ids.id(y[k]!)).length;
          expect(differ).toBeGreaterThan(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a rule with a hundred ports and a network of a hundred hosts one box each, and their difference a few', () => {
    const ports = listOf(Array.from({ length: 100 }, (_, i) => ({ first: BigInt(1001 + 2 * i), last: BigInt(1001 + 2 * i) })));
    const hosts = listOf(Array.from({ length: 100 }, (_, i) => ({ first: BigInt(10 + 2 * i), last: BigInt(10 + 2 * i) })));
    const any = [{ first: 0n, last: 1023n }];
    const anyPort = [{ first: 1n, last: 65535n }];
    const denyPorts: Box = [any, any, ports];
    const allowHosts: Box = [hosts, any, [{ first: 1n, last: 2000n }]];
    const work = new Work();
    const rest = minus([allowHosts], [denyPorts], work);
    expect(rest).toEqual([[hosts, any, subtractIntervals([{ first: 1n, last: 2000n }], ports)]]);
    expect(minus([[any, any, anyPort]], [denyPorts, allowHosts], work).length).toBeLessThanOrEqual(3);
    expect(work.used).toBeLessThan(2_000);
  });

  it('counts its work and stops with WorkLimitExceeded past the limit', () => {
    const strips = (k: number): Box => [[{ first: BigInt(k), last: BigInt(k) }], [{ first: 0n, last: BigInt(k) }], [{ first: BigInt(k), last: 1000n }]];
    const stairs = Array.from({ length: 200 }, (_, k) => strips(k));
    const everything: Box = [[{ first: 0n, last: 1000n }], [{ first: 0n, last: 1000n }], [{ first: 0n, last: 1000n }]];
    const counted = new Work();
    minus([everything], stairs, counted);
    expect(counted.used).toBeGreaterThan(1_000);
    // The same computation counts the same steps: the limit does not depend on the machine.
    const again = new Work();
    minus([everything], stairs, again);
    expect(again.used).toBe(counted.used);
    expect(() => minus([everything], stairs, new Work(counted.used - 1))).toThrow(WorkLimitExceeded);
  });

  it('normalises a list given unsorted or overlapping, and keeps one that is already right as it is', () => {
    const ok = [{ first: 1n, last: 2n }, { first: 5n, last: 9n }];
    expect(listOf(ok)).toBe(ok);
    expect(listOf([{ first: 5n, last: 9n }, { first: 1n, last: 2n }, { first: 3n, last: 4n }])).toEqual([{ first: 1n, last: 9n }]);
  });

  it('works with 128-bit addresses', () => {
    const all: Box = [[{ first: 0n, last: (1n << 128n) - 1n }]];
    const one: Box = [[{ first: 1n << 127n, last: 1n << 127n }]];
    expect(volume(minus([all], [one]))).toBe((1n << 128n) - 1n);
  });
});
