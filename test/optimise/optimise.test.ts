import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsAddress } from '../../src/addresses/set.js';
import type { Endpoint, PortList } from '../../src/flows/flow.js';
import { optimiseFirewall } from '../../src/optimise/optimise.js';
import { FIREWALL, net, ports } from './fixtures.js';
import type { Direction, PlacedFirewall, PlacedRule } from '../../src/place/placed.js';
import type { Origin, Protocol, Verdict } from '../../src/resolve/model.js';

const origin = (line: number): Origin => ({ line, column: 3, text: `statement on line ${line}` });

function rule(r: Partial<PlacedRule> & { line: number }): PlacedRule {
  const { line, ...rest } = r;
  return { direction: 'input', action: 'accept', protocol: 'tcp', origins: [origin(line)], ...rest };
}
const optimise = (...rules: PlacedRule[]) => optimiseFirewall({ firewall: FIREWALL, rules }).rules;

const A = net('a', '10.1.0.0/16');
const B = net('b', '10.2.0.0/16');
const AB = net('ab', '10.1.0.0/16', '10.2.0.0/16');

describe('the optimiser', () => {
  it('drops a rule an earlier rule of the same action covers, and keeps its policy line', () => {
    const out = optimise(
      rule({ line: 1, src: AB, dstPorts: ports('p', [1000, 2000]) }),
      rule({ line: 2, src: A, dstPorts: ports('q', [1500, 1500]) }),
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.origins.map((o) => o.line)).toEqual([1, 2]);
  });

  it('merges rules that differ only in destination ports', () => {
    const out = optimise(rule({ line: 1, src: A, dstPorts: ports('sip', [5061, 5061]) }), rule({ line: 2, src: A, dstPorts: ports('t120', [1503, 1503]) }));
    expect(out).toHaveLength(1);
    expect(out[0]!.dstPorts).toEqual({ label: 'sip_t120', ranges: [{ from: 1503, to: 1503 }, { from: 5061, to: 5061 }] });
  });

  it('merges rules that differ only in source addresses, naming both networks', () => {
    const out = optimise(rule({ line: 1, src: A, dstPorts: ports('p', [1503, 1503]) }), rule({ line: 2, src: B, dstPorts: ports('p', [1503, 1503]) }));
    expect(out).toHaveLength(1);
    expect(out[0]!.src!.name).toBe('a+b');
    expect(out[0]!.src!.set).toEqual(AB.set);
  });

  it('joins each network name once however many rules merge', () => {
    const nets = Array.from({ length: 50 }, (_, i) => net(`n${i}`, `10.${i}.0.0/16`));
    const rules = nets.flatMap((n, i) => [rule({ line: 2 * i, src: n, dstPorts: ports('p', [1, 1]) }), rule({ line: 2 * i + 1, src: n, dstPorts: ports('p', [1, 1]) })]);
    const out = optimise(...rules);
    expect(out).toHaveLength(1);
    expect(out[0]!.src!.name).toBe(nets.map((n) => n.name).join('+'));
    expect(out[0]!.origins.map((o) => o.line)).toEqual(rules.map((_, i) => i));
  });

  it('never moves a rule past a rule of the other action', () => {
    const out = optimise(
      rule({ line: 1, src: A, dstPorts: ports('p', [1503, 1503]) }),
      rule({ line: 2, action: 'drop', src: AB, dstPorts: ports('p', [1503, 1503]) }),
      rule({ line: 3, src: B, dstPorts: ports('p', [1503, 1503]) }),
    );
    expect(out.map((r) => r.origins[0]!.line)).toEqual([1, 2, 3]);
  });

  it('leaves the placed rules it was given unchanged', () => {
    const rules = [rule({ line: 1, src: A, dstPorts: ports('p', [1, 1]) }), rule({ line: 2, src: B, dstPorts: ports('p', [1, 1]) }), rule({ line: 3, src: A, dstPorts: ports('p', [1, 1]) })];
    const before = structuredClone(rules);
    optimise(...rules);
    expect(rules).toEqual(before);
  });
});

// --- Property: the optimised list decides every packet as the original does (first match). ---

interface Packet {
  direction: Direction;
  protocol: Protocol;
  src: bigint;
  dst: bigint;
  sport: number;
  dport: number;
}

const POOL = [
  net('n1', '10.0.0.0/24'),
  net('n2', '10.0.1.0/24'),
  net('n3', '10.0.0.0/23'),
  net('n4', '10.0.2.0/25', '10.0.3.0/24'),
  net('n5', '10.0.0.128/25', '10.0.2.0/24'),
];
const PORTS = [ports('a', [10, 10]), ports('b', [11, 20]), ports('c', [10, 15], [30, 30]), ports('d', [21, 29]), ports('e', [1, 40])];

const arbRule = fc.record({
  direction: fc.constantFrom<Direction>('input', 'output'),
  action: fc.constantFrom<Verdict>('accept', 'accept', 'accept', 'drop'),
  protocol: fc.constantFrom<Protocol>('tcp', 'udp'),
  src: fc.option(fc.constantFrom(...POOL), { nil: undefined }),
  dst: fc.option(fc.constantFrom(...POOL), { nil: undefined }),
  srcPorts: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
  dstPorts: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
});

const address = (i: number) => BigInt(0x0a000000 + i);
const arbPacket = fc.record({
  direction: fc.constantFrom<Direction>('input', 'output'),
  protocol: fc.constantFrom<Protocol>('tcp', 'udp'),
  src: fc.integer({ min: 0, max: 1023 }).map(address),
  dst: fc.integer({ min: 0, max: 1023 }).map(address),
  sport: fc.integer({ min: 0, max: 45 }),
  dport: fc.integer({ min: 0, max: 45 }),
});

const inPorts = (p: PortList | undefined, port: number) => !p || p.ranges.some((r) => r.from <= port && port <= r.to);
const inSet = (e: Endpoint | undefined, a: bigint) => !e || containsAddress(e.set, 4, a);
const matches = (r: PlacedRule, p: Packet) =>
  r.direction === p.direction && r.protocol === p.protocol && inSet(r.src, p.src) && inSet(r.dst, p.dst) && inPorts(r.srcPorts, p.sport) && inPorts(r.dstPorts, p.dport);
const verdict = (rules: PlacedRule[], p: Packet) => rules.find((r) => matches(r, p))?.action ?? 'default';

describe('the optimiser keeps what a firewall decides', () => {
  it('gives every packet the first-match verdict of the rules it was given (random rule lists)', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 14 }), fc.array(arbPacket, { minLength: 60, maxLength: 60 }), (shapes, packets) => {
        const rules = shapes.map((s, i) => ({ ...s, origins: [origin(i + 1)] }) as PlacedRule);
        const fw: PlacedFirewall = { firewall: FIREWALL, rules };
        const out = optimiseFirewall(fw).rules;
        expect(out.length).toBeLessThanOrEqual(rules.length);
        for (const p of packets) expect(verdict(out, p), JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(verdict(rules, p));
        // Every policy line stays traceable to some rule.
        expect(new Set(out.flatMap((r) => r.origins.map((o) => o.line)))).toEqual(new Set(rules.map((_, i) => i + 1)));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('ICMP rules', () => {
  const echo = { name: 'echo-request', v4: 8, v6: 128 };
  const stamp = { name: 'timestamp-request', v4: 13 };
  const icmp = (line: number, icmpTypes: PlacedRule['icmpTypes'], src: Endpoint) => rule({ line, protocol: 'icmp', icmpTypes, src });

  it('merge their sources when their messages are the same, never across messages', () => {
    const merged = optimise(icmp(1, [echo], A), icmp(2, [echo], B));
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ protocol: 'icmp', icmpTypes: [echo], src: { name: 'a+b' } });
    expect(optimise(icmp(1, [echo], A), icmp(2, [stamp], B))).toHaveLength(2);
  });

  it('drop a rule whose messages and addresses an earlier one covers, and meet no TCP or UDP rule', () => {
    const [only] = optimise(icmp(1, [echo, stamp], A), icmp(2, [echo], A));
    expect(only!.origins.map((o) => o.line)).toEqual([1, 2]);
    expect(optimise(icmp(1, [echo], A), icmp(2, [echo, stamp], A))).toHaveLength(2);
    expect(optimise(rule({ line: 1, src: A }), icmp(2, [echo], A))).toHaveLength(2);
  });
});
