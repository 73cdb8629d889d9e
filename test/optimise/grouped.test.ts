import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { optimiseFirewall } from '../../src/optimise/optimise.js';
import { FIREWALL, net, ports } from './fixtures.js';
import type { Direction, PlacedFirewall, PlacedRule } from '../../src/place/placed.js';
import type { IcmpType } from '../../src/icmp/messages.js';
import type { Protocol, RuleProtocol, Verdict } from '../../src/resolve/model.js';
import { optimiseFirewallPairwise } from './pairwiseOracle.js';

// Issue 15: the optimiser compares a rule only with rules of its direction and protocol, and
// finds the rule that covers or merges with it through an index once there are many. Whatever
// the list, the result must be the one comparing every pair gives (the optimiser before issue
// 15, kept as test/optimise/pairwiseOracle.ts): the same rules, in the same order, with the
// same names, ports, origins and catalog entries.

// Networks that nest, touch (so merges join them), repeat under other names, mix families, and
// one that is empty.
const NETS = [
  net('s0', '10.0.0.0/24'),
  net('s1', '10.0.1.0/24'),
  net('s2', '10.0.2.0/24', '2001:db8:2::/64'),
  net('s3', '10.0.3.0/24'),
  net('s4', '10.0.4.0/25'),
  net('same_s0', '10.0.0.0/24'),
  net('wide', '10.0.0.0/16'),
  net('pair', '10.0.0.0/23'),
  net('v6', '2001:db8::/32'),
  net('v6host', '2001:db8:2::7'),
  net('host', '10.0.1.9'),
  net('far', '192.168.0.0/24', '2001:db8:ff::/48'),
  net('empty'),
];
const PORTS = [
  ports('a', [10, 10]),
  ports('b', [11, 20]),
  ports('c', [10, 15], [30, 30]),
  ports('d', [21, 29]),
  ports('e', [1, 40]),
  ports('f', [10, 10]),
  ports('g', [1000, 65535]),
  ports('h', [0, 5], [7, 7]),
];

// ICMP messages as rules hold them: some in one family only, lists that share a type, one list
// that repeats another in a different order.
const ECHO: IcmpType = { name: 'echo-request', v4: 8, v6: 128 };
const TIMESTAMP: IcmpType = { name: 'timestamp-request', v4: 13 };
const ICMP = [[ECHO], [TIMESTAMP], [ECHO, TIMESTAMP], [TIMESTAMP, ECHO], [{ name: 'echo-request', v6: 128 }]];

const arbRule = (actions: Verdict[]) =>
  fc
    .record(
      {
        direction: fc.constantFrom<Direction>('input', 'output', 'forward'),
        action: fc.constantFrom(...actions),
        protocol: fc.constantFrom<RuleProtocol>('tcp', 'udp', 'icmp'),
        icmpTypes: fc.constantFrom(...ICMP),
        src: fc.option(fc.constantFrom(...NETS), { nil: undefined, freq: 4 }),
        dst: fc.option(fc.constantFrom(...NETS), { nil: undefined, freq: 2 }),
        srcPorts: fc.option(fc.constantFrom(...PORTS), { nil: undefined, freq: 1 }),
        dstPorts: fc.option(fc.constantFrom(...PORTS), { nil: undefined, freq: 4 }),
        catalog: fc.option(fc.constantFrom(['t120'], ['sip-tls'], ['rtp', 'rtcp']), { nil: undefined }),
      },
      { requiredKeys: ['direction', 'action', 'protocol', 'icmpTypes'] },
    )
    // An ICMP rule has its messages and no ports; a tcp or udp rule no messages.
    .map(({ icmpTypes, srcPorts, dstPorts, ...r }): Partial<PlacedRule> => (r.protocol === 'icmp' ? { ...r, icmpTypes } : { ...r, srcPorts, dstPorts }));

function placed(shapes: Partial<PlacedRule>[]): PlacedFirewall {
  const rules = shapes.map((s, i) => {
    const r = { ...s, origins: [{ line: i + 1, column: 3, text: `statement ${i + 1}` }] } as PlacedRule;
    for (const k of ['src', 'dst', 'srcPorts', 'dstPorts', 'catalog', 'icmpTypes'] as const) if (r[k] === undefined) delete r[k];
    return r;
  });
  return { firewall: FIREWALL, rules };
}

/** Both as compiles run it and with every group indexed from its first rule (the index's answers on short lists too). */
const same = (fw: PlacedFirewall): void => {
  const expected = optimiseFirewallPairwise(fw).rules;
  expect(optimiseFirewall(fw).rules).toEqual(expected);
  expect(optimiseFirewall(fw, { indexFrom: 1 }).rules).toEqual(expected);
};

// Many networks of one size, some adjacent (merged in address order they grow a set in place).
const SITES = Array.from({ length: 40 }, (_, i) => net(`site${i}`, `10.9.${i < 20 ? i : 2 * i}.0/24`, ...(i % 5 ? [] : [`2001:db8:9:${i}::/64`])));

describe('the grouped optimiser gives what comparing every pair gives', () => {
  it('on random rule lists, short and long (past the size from which a group is indexed)', () => {
    fc.assert(
      fc.property(fc.array(arbRule(['accept', 'accept', 'accept', 'drop']), { maxLength: 160 }), (shapes) => same(placed(shapes))),
      { numRuns: 400 },
    );
  });

  it('on long runs of one action, where every rule may merge with or cover any earlier one', () => {
    fc.assert(
      fc.property(fc.array(arbRule(['accept']), { minLength: 30, maxLength: 400 }), (shapes) => same(placed(shapes))),
      { numRuns: 150 },
    );
  });

  it('on random rule lists over many networks, where sets grow by merges in and out of address order', () => {
    const arb = fc.record({
      site: fc.nat(SITES.length - 1),
      port: fc.option(fc.constantFrom(...PORTS), { nil: undefined, freq: 3 }),
      dst: fc.option(fc.constantFrom(...NETS), { nil: undefined, freq: 4 }),
      action: fc.constantFrom<Verdict>('accept', 'accept', 'accept', 'accept', 'accept', 'drop'),
      protocol: fc.constantFrom<Protocol>('tcp', 'tcp', 'udp'),
    });
    fc.assert(
      fc.property(fc.array(arb, { maxLength: 120 }), (xs) =>
        same(placed(xs.map((x) => ({ direction: 'input', action: x.action, protocol: x.protocol, src: SITES[x.site], dstPorts: x.port, dst: x.dst })))),
      ),
      { numRuns: 600 },
    );
  });

  it('on thousands of rules from many networks and ports, in an order that follows neither', () => {
    const nets = Array.from({ length: 300 }, (_, i) => net(`n${i}`, `10.${1 + (i >> 7)}.${(i & 127) << 1}.0/24`, ...(i % 3 ? [] : [`2001:db8:${i.toString(16)}::/64`])));
    let x = 7;
    const pick = (n: number) => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 8) % n;
    const shapes: Partial<PlacedRule>[] = [];
    for (let k = 0; k < 4000; k++) {
      const protocol: RuleProtocol = pick(5) ? 'tcp' : pick(3) ? 'udp' : 'icmp';
      shapes.push({
        direction: pick(8) ? 'input' : 'output',
        action: k < 300 ? 'drop' : pick(60) ? 'accept' : 'drop',
        protocol,
        src: pick(20) ? nets[pick(nets.length)] : NETS[pick(NETS.length)],
        ...(protocol === 'icmp'
          ? { icmpTypes: ICMP[pick(ICMP.length)] }
          : pick(4)
            ? { dstPorts: ports('', [1 + pick(40), 1 + pick(40)].sort((a, b) => a - b) as [number, number]) }
            : {}),
        ...(pick(10) ? {} : { dst: NETS[pick(NETS.length)] }),
      });
    }
    same(placed(shapes));
  });
});
