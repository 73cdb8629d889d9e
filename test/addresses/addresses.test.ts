import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isIPv4, isIPv6 } from 'node:net';
import { embeddedIpv4, formatCidr, parseCidr, type Cidr } from '../../src/addresses/cidr.js';
import { addInto, cidrTexts, difference, emptySet, fromCidrs, intersect, isEmpty, isSubset, union, unionAll, equals } from '../../src/addresses/set.js';
import { normalizePorts, portsCover, unionPorts } from '../../src/addresses/ports.js';

const set = (...texts: string[]) =>
  fromCidrs(texts.map((t) => {
    const p = parseCidr(t);
    if (!p.ok) throw new Error(t);
    return p.cidr;
  }));

describe('CIDR parsing', () => {
  it.each([
    ['10.20.0.0/16', '10.20.0.0/16'],
    ['10.1.1.10', '10.1.1.10'],
    ['2001:db8:20::/48', '2001:db8:20::/48'],
    ['2001:DB8:0:0:0:0:0:10', '2001:db8::10'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['::/0', '::/0'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('reads %s as %s', (text, shown) => {
    const p = parseCidr(text);
    expect(p.ok && formatCidr(p.cidr)).toBe(shown);
  });

  it('finds host bits and suggests the network', () => {
    expect(parseCidr('10.20.1.0/16')).toEqual({ ok: false, problem: 'host-bits', suggestion: '10.20.0.0/16' });
    expect(parseCidr('2001:db8:1::10/64')).toEqual({ ok: false, problem: 'host-bits', suggestion: '2001:db8:1::/64' });
  });

  it('rejects nonsense, long prefixes and zone ids', () => {
    expect(parseCidr('10.0.0.256')).toMatchObject({ ok: false, problem: 'invalid' });
    expect(parseCidr('10.0.0.0/33')).toMatchObject({ ok: false, problem: 'prefix' });
    expect(parseCidr('fe80::1%eth0')).toMatchObject({ ok: false, problem: 'zone' });
  });
});

describe('IPv6 blocks that stand for IPv4 addresses', () => {
  const cidr = (t: string): Cidr => {
    const p = parseCidr(t);
    if (!p.ok) throw new Error(t);
    return p.cidr;
  };
  const embedded = (t: string) => {
    const e = embeddedIpv4(cidr(t));
    return e && `${e.kind} ${formatCidr(e.ipv4)}`;
  };

  it('finds IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96) blocks, in dotted or hex form, with their IPv4 form', () => {
    expect(embedded('::ffff:203.0.113.7')).toBe('mapped 203.0.113.7');
    expect(embedded('::ffff:cb00:7107')).toBe('mapped 203.0.113.7');
    expect(embedded('0:0:0:0:0:FFFF:CB00:7100/120')).toBe('mapped 203.0.113.0/24');
    expect(embedded('::ffff:0:0/96')).toBe('mapped 0.0.0.0/0');
    expect(embedded('::203.0.113.7')).toBe('compatible 203.0.113.7');
    expect(embedded('::cb00:7107')).toBe('compatible 203.0.113.7');
    expect(embedded('::/96')).toBe('compatible 0.0.0.0/0');
  });

  it('leaves alone what is not IPv4 in disguise: ::, ::1, blocks that only contain such a range, NAT64 and every IPv4 block', () => {
    for (const t of ['::', '::1', '::/127', '::/0', '::/64', '::fffe:0:0/95', '64:ff9b::203.0.113.7', '2001:db8::/32', '203.0.113.7', '0.0.0.0/0', '::1:0:0:0/96']) {
      expect(embedded(t), t).toBeUndefined();
    }
  });

  it('round-trips every IPv4 block through its mapped form (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, prefix) => {
        const v4: Cidr = { family: 4, address: BigInt(a) & ((0xffffffffn << BigInt(32 - prefix)) & 0xffffffffn), prefix };
        const text = formatCidr(v4);
        const addr = text.split('/')[0];
        const mapped = `::ffff:${addr}/${96 + prefix}`;
        expect(embeddedIpv4(cidr(mapped))).toEqual({ kind: 'mapped', ipv4: v4 });
      }),
      { numRuns: 500 },
    );
  });
});

describe('address sets', () => {
  it('merge adjacent and overlapping blocks into the fewest CIDRs', () => {
    expect(cidrTexts(set('10.0.0.0/25', '10.0.0.128/25', '10.0.0.5'), 4)).toEqual(['10.0.0.0/24']);
    expect(cidrTexts(set('10.0.0.1', '10.0.0.2'), 4)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('intersect exactly, per family', () => {
    const a = set('10.0.0.0/8', '2001:db8::/32');
    const b = set('10.20.0.0/16', '192.0.2.0/24');
    expect(cidrTexts(intersect(a, b), 4)).toEqual(['10.20.0.0/16']);
    expect(cidrTexts(intersect(a, b), 6)).toEqual([]);
  });

  it('know subsets and equality', () => {
    expect(isSubset(set('10.20.0.0/16'), set('10.0.0.0/8'))).toBe(true);
    expect(isSubset(set('10.0.0.0/8'), set('10.20.0.0/16'))).toBe(false);
    expect(equals(union(set('10.0.0.0/9'), set('10.128.0.0/9')), set('10.0.0.0/8'))).toBe(true);
  });

  it('split a range that is not one block into aligned blocks', () => {
    const s = { v4: [{ first: 0x0a000001n, last: 0x0a000006n }], v6: [] };
    expect(cidrTexts(s, 4)).toEqual(['10.0.0.1', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6']);
  });
});

describe('port ranges', () => {
  it('merge adjacent and overlapping ranges', () => {
    expect(normalizePorts([{ from: 6891, to: 6900 }, { from: 1503, to: 1503 }, { from: 6901, to: 6901 }, { from: 6895, to: 6896 }])).toEqual([
      { from: 1503, to: 1503 },
      { from: 6891, to: 6901 },
    ]);
  });

  it('tell coverage', () => {
    expect(portsCover([{ from: 1, to: 100 }], [{ from: 5, to: 6 }])).toBe(true);
    expect(portsCover([{ from: 1, to: 100 }], [{ from: 99, to: 101 }])).toBe(false);
  });
});

describe('port lists, one sweep', () => {
  const ranges = fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 20 })), { maxLength: 30 }).map((xs) => normalizePorts(xs.map(([from, n]) => ({ from, to: from + n }))));
  const ports = (rs: { from: number; to: number }[]) => new Set(rs.flatMap((r) => Array.from({ length: r.to - r.from + 1 }, (_, k) => r.from + k)));

  it('portsCover agrees with the ports themselves, and unionPorts with normalizePorts (property)', () => {
    fc.assert(
      fc.property(ranges, ranges, (a, b) => {
        const pa = ports(a);
        expect(portsCover(a, b)).toBe([...ports(b)].every((p) => pa.has(p)));
        expect(unionPorts(a, b)).toEqual(normalizePorts([...a, ...b]));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('address reading agrees with node:net', () => {
  // node's isIPv4/isIPv6 (inet_pton's rules) are the oracle; parseCidr reads addresses itself
  // because a large policy holds tens of thousands of them.
  const hex = fc.constantFrom(...'0123456789abcdefABCDEF:.:%x/'.split(''));
  const v4ish = fc.array(fc.constantFrom(...'0123456789..'.split('')), { maxLength: 17 }).map((a) => a.join(''));
  const v6ish = fc.array(hex, { maxLength: 45 }).map((a) => a.join(''));
  const v6shaped = fc
    .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 0, maxLength: 9 }), fc.integer({ min: -1, max: 9 }), fc.boolean(), fc.ipV4())
    .map(([gs, cut, tail, v4]) => {
      const texts = gs.map((g) => g.toString(16));
      const head = cut >= 0 && cut <= texts.length ? `${texts.slice(0, cut).join(':')}::${texts.slice(cut).join(':')}` : texts.join(':');
      return tail ? `${head}${head.endsWith(':') ? '' : ':'}${v4}` : head;
    });
  const anyText = fc.oneof(v4ish, v6ish, v6shaped, fc.ipV4(), fc.ipV6(), fc.ipV4Extended());

  it('accepts exactly the addresses node accepts, with the same value', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const p = parseCidr(text);
        const valid = !text.includes('/') && !text.includes('%') && (isIPv4(text) || isIPv6(text));
        if (text.includes('/') || text.includes('%')) return;
        expect(p.ok, text).toBe(valid);
        if (p.ok) {
          expect(p.cidr.family).toBe(isIPv4(text) ? 4 : 6);
          expect(p.cidr.address).toBe(referenceValue(text));
        }
      }),
      { numRuns: 20000 },
    );
  });
});

/** The address as the old bigint reading computed it, via node's own canonical form. */
function referenceValue(text: string): bigint {
  if (isIPv4(text)) return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const url = new URL(`http://[${text}]/`).hostname.slice(1, -1); // WHATWG's IPv6 serialiser: 8 groups after expansion
  const [l, r] = url.includes('::') ? url.split('::') : [url, undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = r === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

describe('unionAll and difference', () => {
  // Random sets of IPv4 blocks in one /20 (so they overlap and touch) and a few IPv6 ones.
  const block = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 22, max: 32 })).map(([n, p]) => {
      const a = 0x0a000000 + n;
      const masked = a & ~((2 ** (32 - p) - 1) >>> 0);
      return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${p}`;
    }),
    fc.tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom(60, 62, 64)).map(([n, p]) => `2001:db8:0:${(n * 16).toString(16)}::/${p}`),
  );
  const arbSet = fc.array(block, { maxLength: 6 }).map((texts) => set(...texts));

  it('is the union of the sets, taken one at a time', () => {
    fc.assert(
      fc.property(fc.array(arbSet, { minLength: 1, maxLength: 8 }), (sets) => {
        const expected = sets.reduce((acc, s) => union(acc, s), emptySet());
        expect(unionAll(sets)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('difference: a \\ b lies in a, misses b, and with a ∩ b makes up a', () => {
    fc.assert(
      fc.property(arbSet, arbSet, (a, b) => {
        const rest = difference(a, b);
        expect(isSubset(rest, a)).toBe(true);
        expect(isEmpty(intersect(rest, b))).toBe(true);
        expect(union(rest, intersect(a, b))).toEqual(a);
      }),
      { numRuns: 2000 },
    );
  });

  // A site against all sites: one list much longer than the other takes the searching path
  // (galloping through the long list), which must agree with address-by-address membership.
  const bigSet = fc.array(block, { minLength: 20, maxLength: 200 }).map((texts) => set(...texts));
  const smallSet = fc.array(block, { minLength: 1, maxLength: 4 }).map((texts) => set(...texts));
  const inSet = (s: ReturnType<typeof set>, x: number) => s.v4.some((i) => i.first <= BigInt(x) && BigInt(x) <= i.last);
  it('union, intersection and subset of a short and a long list agree with each address', () => {
    fc.assert(
      fc.property(bigSet, smallSet, fc.array(fc.integer({ min: 0x0a000000 - 8, max: 0x0a001000 + 8 }), { minLength: 40, maxLength: 40 }), (big, small, probes) => {
        for (const [a, b] of [[big, small], [small, big]] as const) {
          const u = union(a, b);
          const both = intersect(a, b);
          for (const x of probes) {
            expect(inSet(u, x)).toBe(inSet(a, x) || inSet(b, x));
            expect(inSet(both, x)).toBe(inSet(a, x) && inSet(b, x));
          }
          expect(isSubset(a, b)).toBe(a.v4.every((i) => equals(intersect({ v4: [i], v6: [] }, b), { v4: [i], v6: [] })) && isSubset({ v4: [], v6: a.v6 }, b));
          expect(union(u, emptySet())).toEqual(u);
        }
        expect(isSubset(small, union(big, small))).toBe(true);
        expect(isSubset(intersect(big, small), small)).toBe(true);
      }),
      { numRuns: 800 },
    );
  });

  it('addInto grows a set in place to the union, and leaves the other set and every shared interval as they were', () => {
    fc.assert(
      fc.property(fc.oneof(bigSet, arbSet), fc.oneof(smallSet, arbSet, bigSet), (a, b) => {
        const expected = union(a, b);
        const before = structuredClone([a, b]);
        const into = { v4: a.v4.slice(), v6: a.v6.slice() };
        expect(addInto(into, b)).toBe(into);
        expect(into).toEqual(expected);
        expect([a, b]).toEqual(before);
      }),
      { numRuns: 1500 },
    );
  });

  it('addInto, adding after the last interval, joins every interval that touches it before it appends the rest', () => {
    const cases = [
      // inside the last interval, then touching its end, then apart
      [set('10.0.0.0/16'), set('10.0.1.0/24', '10.0.5.0/24', '10.1.0.0/24', '10.3.0.0/24')],
      // the first added one reaches past the end, the next touches it
      [set('10.0.0.0/24'), set('10.0.0.128/25', '10.0.1.0/24', '10.0.3.0/24')],
      // apart from the start
      [set('10.0.0.0/24', '2001:db8::/64'), set('10.0.2.0/24', '10.0.4.0/24', '2001:db8:0:2::/64')],
    ];
    for (const [a, b] of cases) {
      const into = { v4: a!.v4.slice(), v6: a!.v6.slice() };
      expect(addInto(into, b!)).toEqual(union(a!, b!));
    }
    expect(cidrTexts(addInto(set('10.0.0.0/16'), set('10.0.1.0/24', '10.1.0.0/24', '10.1.1.0/24', '10.3.0.0/24')), 4)).toEqual(['10.0.0.0/16', '10.1.0.0/23', '10.3.0.0/24']);
  });

  it('difference: cuts holes, trims ends and keeps untouched blocks', () => {
    expect(cidrTexts(difference(set('10.0.0.0/24'), set('10.0.0.128/26')), 4)).toEqual(['10.0.0.0/25', '10.0.0.192/26']);
    expect(cidrTexts(difference(set('10.0.0.0/24', '10.0.2.0/24'), set('10.0.0.0/23')), 4)).toEqual(['10.0.2.0/24']);
    expect(difference(set('10.0.0.0/24', '2001:db8::/32'), set('2001:db8::/48'))).toEqual(union(set('10.0.0.0/24'), difference(set('2001:db8::/32'), set('2001:db8::/48'))));
    expect(isEmpty(difference(set('10.0.0.0/24'), set('0.0.0.0/0')))).toBe(true);
  });
});
