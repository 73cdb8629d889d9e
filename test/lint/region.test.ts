import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AddressSet } from '../../src/addresses/set.js';
import { containsPoint } from '../../src/addresses/boxes.js';
import { regionOf, regionsIntersect, subtract, type RuleRegion } from '../../src/lint/region.js';
import type { PlacedRule } from '../../src/place/placed.js';

// A small universe (addresses and ports 0-15) so every point can be checked by brute force.
const span = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 })).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
const set = fc.array(span, { minLength: 1, maxLength: 2 }).map((spans): AddressSet => ({ v4: spans.map((s) => ({ first: BigInt(s.from), last: BigInt(s.to) })), v6: [] }));
const ruleArb = fc.record({ src: set, dst: set, ports: fc.array(span, { minLength: 1, maxLength: 2 }) }).map(
  (r): PlacedRule => ({ direction: 'forward', action: 'accept', protocol: 'tcp', src: { name: 's', set: r.src }, dst: { name: 'd', set: r.dst }, dstPorts: { label: '', ranges: r.ports }, origins: [] }),
);

/** An IPv4 packet from source port 1000 (the arbitrary rules leave source ports alone). */
const inRegion = (region: RuleRegion, s: number, d: number, p: number) => containsPoint(region, [4n, BigInt(s), BigInt(d), 1000n, BigInt(p)]);

describe('rule regions (the lints’ coverage arithmetic)', () => {
  it('subtract is exact: a point stays exactly when it is in the region and in none of the others', () => {
    fc.assert(
      fc.property(ruleArb, fc.array(ruleArb, { maxLength: 4 }), (rule, others) => {
        const region = regionOf(rule);
        const regions = others.map((o) => regionOf(o));
        const rest = subtract(region, regions)!;
        for (let s = 0; s < 16; s++)
          for (let d = 0; d < 16; d++)
            for (let p = 0; p < 16; p++) {
              const expected = inRegion(region, s, d, p) && !regions.some((r) => inRegion(r, s, d, p));
              if (inRegion(rest, s, d, p) !== expected) return false;
            }
        return regions.every((r) => regionsIntersect(region, r) === [...Array(4096).keys()].some((i) => inRegion(region, i >> 8, (i >> 4) & 15, i & 15) && inRegion(r, i >> 8, (i >> 4) & 15, i & 15)));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps address families apart: an IPv6 source never reaches an IPv4-only host', () => {
    const v6: AddressSet = { v4: [], v6: [{ first: 1n, last: 1n }] };
    const host: AddressSet = { v4: [{ first: 5n, last: 5n }], v6: [] };
    expect(regionOf({ direction: 'input', action: 'accept', protocol: 'tcp', src: { name: 'x', set: v6 }, origins: [] }, host)).toEqual([]);
  });
});
