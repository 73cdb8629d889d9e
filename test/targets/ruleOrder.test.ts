import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCidr, prefixMask, type Cidr } from '../../src/addresses/cidr.js';
import type { IrAddressSet, IrFamily, IrFirewall, IrPorts, IrRule } from '../../src/ir/types.js';
import type { IcmpType } from '../../src/icmp/messages.js';
import { icmpNumbers } from '../../targets/icmp.js';
import { ruleOrderFindings } from '../../targets/ruleOrder.js';

// Issue 15: Windows Firewall's order check (a drop after an overlapping allow is refused)
// compares each drop only with the allows an index proposes. It must find, for every drop, the
// same first overlapping allow as comparing it with every earlier rule does (the check before
// issue 15, kept below as the oracle, with ICMP rules as main had them: they overlap in a family
// only where they share a type).

function oracle(fw: IrFirewall): string[] {
  const out: string[] = [];
  fw.rules.forEach((drop, i) => {
    if (drop.action !== 'drop') return;
    const allow = fw.rules.slice(0, i).find((r) => r.action === 'accept' && overlaps(fw, r, drop));
    if (allow) out.push(`${drop.id} after ${allow.id}`);
  });
  return out;
}
function overlaps(fw: IrFirewall, a: IrRule, b: IrRule): boolean {
  if (a.direction !== b.direction || a.protocol !== b.protocol) return false;
  if (!portsOverlap(a.srcPorts, b.srcPorts) || !portsOverlap(a.dstPorts, b.dstPorts)) return false;
  return a.families
    .filter((f) => b.families.includes(f) && icmpOverlap(a, b, f))
    .some((f) => addressesOverlap(fw, a.src, b.src, f) && addressesOverlap(fw, a.dst, b.dst, f));
}
function icmpOverlap(a: IrRule, b: IrRule, family: IrFamily): boolean {
  if (a.protocol !== 'icmp') return true;
  const theirs = icmpNumbers(b, family);
  return icmpNumbers(a, family).some((n) => theirs.includes(n));
}
const portsOverlap = (a: IrPorts | undefined, b: IrPorts | undefined) => !a || !b || a.ranges.some((x) => b.ranges.some((y) => x.from <= y.to && y.from <= x.to));
function addressesOverlap(fw: IrFirewall, a: string | undefined, b: string | undefined, family: IrFamily): boolean {
  if (a === undefined || b === undefined) return true;
  const cidrs = (name: string): Cidr[] => {
    const set = fw.addressSets.find((s) => s.name === name)!;
    return (family === 4 ? set.ipv4 : set.ipv6).map((t) => {
      const p = parseCidr(t);
      if (!p.ok) throw new Error(t);
      return p.cidr;
    });
  };
  const contains = (o: Cidr, i: Cidr) => o.prefix <= i.prefix && (i.address & prefixMask(o.family, o.prefix)) === o.address;
  return cidrs(a).some((x) => cidrs(b).some((y) => contains(x, y) || contains(y, x)));
}

const SETS: IrAddressSet[] = [
  { name: 'wide', stands: 'wide', ipv4: ['10.0.0.0/8'], ipv6: ['2001:db8::/32'] },
  { name: 'a', stands: 'a', ipv4: ['10.1.0.0/16'], ipv6: [] },
  { name: 'b', stands: 'b', ipv4: ['10.2.0.0/16', '10.3.0.0/24'], ipv6: ['2001:db8:2::/48'] },
  { name: 'host', stands: 'host', ipv4: ['10.1.2.3'], ipv6: ['2001:db8:2::7'] },
  { name: 'far', stands: 'far', ipv4: ['192.168.0.0/24'], ipv6: ['2001:db8:ff::/48'] },
  { name: 'v6', stands: 'v6', ipv4: [], ipv6: ['2001:db8::/40'] },
];
const PORTS: IrPorts[] = [{ ranges: [{ from: 22, to: 22 }] }, { ranges: [{ from: 20, to: 30 }] }, { ranges: [{ from: 80, to: 80 }, { from: 443, to: 443 }] }, { ranges: [{ from: 1000, to: 65535 }] }];

const familiesOf = (src: string | undefined, dst: string | undefined): IrFamily[] => {
  const of = (n: string | undefined): IrFamily[] => {
    if (!n) return [4, 6];
    const s = SETS.find((x) => x.name === n)!;
    return [...(s.ipv4.length ? [4 as const] : []), ...(s.ipv6.length ? [6 as const] : [])];
  };
  return of(src).filter((f) => of(dst).includes(f));
};

// ICMP messages: one in IPv4 only, lists that share a type, one that holds both.
const ECHO: IcmpType = { name: 'echo-request', v4: 8, v6: 128 };
const TIMESTAMP: IcmpType = { name: 'timestamp-request', v4: 13 };
const ICMP: IcmpType[][] = [[ECHO], [TIMESTAMP], [TIMESTAMP, ECHO], [{ name: 'echo-request', v6: 128 }]];

const arbRule = fc
  .record({
    action: fc.constantFrom<'accept' | 'drop'>('accept', 'accept', 'drop'),
    direction: fc.constantFrom<'input' | 'output'>('input', 'output'),
    protocol: fc.constantFrom<'tcp' | 'udp' | 'icmp'>('tcp', 'udp', 'icmp'),
    icmpTypes: fc.constantFrom(...ICMP),
    src: fc.option(fc.constantFrom(...SETS.map((s) => s.name)), { nil: undefined }),
    dst: fc.option(fc.constantFrom(...SETS.map((s) => s.name)), { nil: undefined }),
    dstPorts: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
    srcPorts: fc.option(fc.constantFrom(...PORTS), { nil: undefined, freq: 4 }),
  })
  // An ICMP rule has its messages and no ports; a tcp or udp rule no messages.
  .map(({ icmpTypes, srcPorts, dstPorts, ...r }): Shape => (r.protocol === 'icmp' ? { ...r, icmpTypes } : { ...r, srcPorts, dstPorts }));

type Shape = Pick<IrRule, 'action' | 'direction' | 'protocol'> & { src?: string; dst?: string; srcPorts?: IrPorts; dstPorts?: IrPorts; icmpTypes?: IcmpType[] };

function firewall(shapes: readonly Shape[]): IrFirewall {
  const rules: IrRule[] = [];
  for (const s of shapes) {
    const families = familiesOf(s.src, s.dst);
    if (families.length === 0) continue;
    const r: IrRule = { id: `r${rules.length + 1}`, direction: s.direction, action: s.action, protocol: s.protocol, families, origins: [], comment: `rule ${rules.length + 1}` };
    if (s.src !== undefined) r.src = s.src;
    if (s.dst !== undefined) r.dst = s.dst;
    if (s.srcPorts !== undefined) r.srcPorts = s.srcPorts;
    if (s.dstPorts !== undefined) r.dstPorts = s.dstPorts;
    if (s.icmpTypes !== undefined) r.icmpTypes = s.icmpTypes;
    rules.push(r);
  }
  return { name: 'fw', addressSets: SETS, rules } as unknown as IrFirewall;
}

const found = (fw: IrFirewall) => ruleOrderFindings(fw, 'block-before-allow', 'netsh').map((f) => /^rule (r\d+) .* the earlier rule (r\d+) /.exec(f.message)!.slice(1).join(' after '));

describe("Windows Firewall's order check", () => {
  it('names, for every drop after an overlapping allow, the first such allow (random rule lists)', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 80 }), (shapes) => {
        const fw = firewall(shapes);
        expect(found(fw)).toEqual(oracle(fw));
      }),
      { numRuns: 1500 },
    );
  });

  it('on thousands of rules', () => {
    let x = 3;
    const pick = <T>(xs: readonly T[]) => xs[((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8) % xs.length]!;
    const shapes = Array.from({ length: 3000 }, (): Shape => {
      const protocol = pick(['tcp', 'tcp', 'udp', 'icmp'] as const);
      return {
        action: pick(['accept', 'accept', 'accept', 'drop'] as const),
        direction: pick(['input', 'output'] as const),
        protocol,
        src: pick([undefined, ...SETS.map((s) => s.name)]),
        dst: pick([undefined, undefined, ...SETS.map((s) => s.name)]),
        ...(protocol === 'icmp'
          ? { icmpTypes: pick(ICMP) }
          : { dstPorts: pick([undefined, ...PORTS, { ranges: [{ from: 5000, to: 5000 }] }, { ranges: [{ from: 6000, to: 6001 }] }]) }),
      };
    });
    const fw = firewall(shapes);
    const expected = oracle(fw);
    expect(expected.length).toBeGreaterThan(100);
    expect(found(fw)).toEqual(expected);
  });

  it('says nothing for a first-match target', () => {
    expect(ruleOrderFindings(firewall([{ action: 'accept', direction: 'input', protocol: 'tcp' }, { action: 'drop', direction: 'input', protocol: 'tcp' }]), 'first-match', 'nftables')).toEqual([]);
  });
});
