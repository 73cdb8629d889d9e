import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxIntersect, type Box, type Region } from '../../src/addresses/boxes.js';
import { GrowingRegionIndex, HullList, mergeHulls, RegionIndex, sortedHulls } from '../../src/addresses/regionIndex.js';
import { toList } from './boxArbitraries.js';

// Issue 15: the lints and Windows Firewall's order check compare a rule only with the rules the
// index proposes. It may propose too many (each is checked exactly) but never too few: every region that meets
// the box must be among them, each once, in ascending order.

const list = fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 6 }).map(toList);
const box: fc.Arbitrary<Box> = fc.tuple(fc.constantFrom(4, 6), list, list, list, list).map(([family, ...dims]) => [toList([family]), ...dims]);
const region: fc.Arbitrary<Region> = fc.array(box, { maxLength: 3 });
const meets = (r: Region, b: Box) => r.some((x) => boxIntersect(x, b) !== undefined);

describe('the region index', () => {
  it('proposes every region that meets a box, once each, in order', () => {
    fc.assert(
      fc.property(fc.array(region, { maxLength: 40 }), fc.array(box, { minLength: 1, maxLength: 3 }), (regions, query) => {
        const index = new RegionIndex(regions);
        const growing = new GrowingRegionIndex(regions);
        regions.forEach((_, k) => {
          // The growing index holds the regions added so far, and proposes only those.
          const sofar = growing.meetingRegion(query)!;
          expect(sofar.every((at) => at < k)).toBe(true);
          for (let j = 0; j < k; j++) if (query.some((b) => meets(regions[j]!, b))) expect(sofar).toContain(j);
          growing.add(k);
        });
        for (const b of query) {
          const found = index.meetingRegion([b])!;
          expect(found).toEqual([...new Set(found)].sort((x, y) => x - y));
          for (let k = 0; k < regions.length; k++) if (meets(regions[k]!, b)) expect(found).toContain(k);
        }
        const all = index.meetingRegion(query)!;
        expect(all).toEqual([...new Set(all)].sort((x, y) => x - y));
        for (let k = 0; k < regions.length; k++) if (query.some((b) => meets(regions[k]!, b))) expect(all).toContain(k);
        const grown = growing.meetingRegion(query)!;
        for (let k = 0; k < regions.length; k++) if (query.some((b) => meets(regions[k]!, b))) expect(grown).toContain(k);
      }),
      { numRuns: 1500 },
    );
  });

  it('grows past the regions it checks one by one into joined indexes, and still proposes every region that meets a box', () => {
    fc.assert(
      fc.property(fc.array(region, { minLength: 150, maxLength: 500 }), region, (regions, query) => {
        const growing = new GrowingRegionIndex(regions);
        regions.forEach((_, k) => {
          if (k % 37 === 0) {
            const sofar = growing.meetingRegion(query)!;
            expect(sofar.every((at) => at < k)).toBe(true);
            for (let j = 0; j < k; j++) if (query.some((b) => meets(regions[j]!, b))) expect(sofar).toContain(j);
          }
          growing.add(k);
        });
        const all = growing.meetingRegion(query)!;
        expect(all).toEqual([...new Set(all)].sort((x, y) => x - y));
        for (let j = 0; j < regions.length; j++) if (query.some((b) => meets(regions[j]!, b))) expect(all).toContain(j);
      }),
      { numRuns: 40 },
    );
  });

  it('proposes every region that meets a box also where the points need more than 52 bits (IPv6)', () => {
    // Each point becomes a block of 2^70 points: what meets what stays the same.
    const wide = (b: Box): Box => b.map((l, d) => (d === 0 ? l : l.map((i) => ({ first: i.first << 70n, last: (i.last << 70n) + (1n << 70n) - 1n }))));
    fc.assert(
      fc.property(fc.array(region, { maxLength: 30 }), box, (regions, b) => {
        const wideRegions = regions.map((r) => r.map(wide));
        const found = new RegionIndex(wideRegions).meetingRegion([wide(b)])!;
        for (let k = 0; k < regions.length; k++) if (meets(regions[k]!, b)) expect(found).toContain(k);
      }),
      { numRuns: 800 },
    );
  });

  it('joins two sorted hull lists into the list of all their hulls (the growing index joins its indexes so)', () => {
    const hulls = fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 10 })), { minLength: 1, maxLength: 30 });
    const sorted = (hs: [number, number][], from: number) =>
      sortedHulls(
        hs.map(([f]) => f),
        hs.map(([f, w]) => f + w),
        hs.map((_, k) => from + k),
      );
    fc.assert(
      fc.property(hulls, hulls, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 10 }), (a, b, q, w) => {
        const joined = new HullList(mergeHulls(sorted(a, 0), sorted(b, 100)));
        const meets = [...a.map((h, k) => [h, k] as const), ...b.map((h, k) => [h, 100 + k] as const)].filter(([[f, hw]]) => f <= q + w && q <= f + hw);
        expect(joined.count(q, q + w)).toBe(meets.length);
        const out: number[] = [];
        joined.meeting(q, q + w, out);
        expect(out.sort((x, y) => x - y)).toEqual(meets.map(([, at]) => at).sort((x, y) => x - y));
      }),
      { numRuns: 1000 },
    );
  });

  it('files each region under the position it is given', () => {
    const b: Box = [toList([4]), toList([1]), toList([2]), toList([3]), toList([4])];
    expect(new RegionIndex([[b], [], [b]], [7, 8, 9]).meetingRegion([b])).toEqual([7, 9]);
  });

  it('proposes only regions whose hulls meet the box in the dimension it chose', () => {
    const at = (port: number): Region => [[toList([4]), toList([0, 1, 2, 3]), toList([0, 1, 2, 3]), toList([0, 1, 2, 3]), toList([port])]];
    const regions = Array.from({ length: 16 }, (_, k) => at(k));
    expect(new RegionIndex(regions).meetingRegion(at(5))).toEqual([5]);
  });

  it('says "too many" when more candidates than the limit would be listed, having listed none', () => {
    const same: Region = [[toList([4]), toList([1]), toList([1]), toList([1]), toList([1])]];
    const growing = new GrowingRegionIndex(Array.from({ length: 50 }, () => same));
    for (let k = 0; k < 50; k++) growing.add(k);
    expect(growing.meetingRegion(same, 50)).toHaveLength(50);
    expect(growing.meetingRegion(same, 49)).toBeUndefined();
    expect(new RegionIndex(Array.from({ length: 50 }, () => same)).meetingRegion(same, 10)).toBeUndefined();
  });
});
