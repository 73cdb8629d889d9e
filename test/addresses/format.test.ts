import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatAddress, formatCidr, parseCidr } from '../../src/addresses/cidr.js';

/** The canonical text of an IPv6 address by another implementation: the WHATWG URL host serializer (RFC 5952's rules, never dotted). */
const canonical = (groups: readonly number[]) => new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
const valueOf = (groups: readonly number[]) => groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n);

describe('IPv6 addresses as text', () => {
  it('follow RFC 5952: no leading zeros, lower case, the first longest run of two or more zero groups as ::', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['fe80:00a0:0b00:c000:0:0:0:1', 'fe80:a0:b00:c000::1'],
    ];
    for (const [written, text] of cases) {
      const p = parseCidr(written);
      if (!p.ok) throw new Error(written);
      expect(formatCidr(p.cidr)).toBe(text);
    }
    expect(formatCidr({ family: 6, address: 0n, prefix: 0 })).toBe('::/0');
  });

  it('are what another implementation writes, for any address (zero groups made likely)', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xf }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        expect(formatAddress(6, valueOf(groups))).toBe(canonical(groups));
      }),
      { numRuns: 3000 },
    );
  });
});
