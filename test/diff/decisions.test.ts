import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { toPacket } from '../../src/evaluate/packet.js';
import { firewallViews } from '../../src/evaluate/view.js';
import { containsPoint, volume } from '../../src/addresses/boxes.js';
import { accepted, decisions, DIRECTIONS, FAMILIES, PROTOCOLS } from '../../src/diff/decisions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, irOf, ROOT } from '../helpers.js';

/** The examples, and the kernel fixture with ICMP rules (monitored.msgr). */
const MONITORED = readFileSync(join(ROOT, 'test/kernel/fixtures/monitored.msgr'), 'utf8');
const views = [...EXAMPLES.map((e) => e.text), MONITORED].flatMap((text) => firewallViews(irOf(text)));
const PORT_PROTOCOLS = PROTOCOLS.filter((p) => p !== 'icmp') as ('tcp' | 'udp')[];

/** Addresses at and around the edges of every network of the examples, and a few outside all. */
const V4 = ['10.20.0.0', '10.20.255.255', '10.21.0.0', '10.19.255.255', '10.1.1.10', '10.1.1.11', '198.51.100.7', '198.51.100.255', '198.51.101.0', '10.9.0.7', '10.30.0.5', '10.2.2.20', '203.0.113.7', '10.8.0.7', '192.0.2.9'];
const V6 = ['2001:db8:20::5', '2001:db8:20:ffff:ffff:ffff:ffff:ffff', '2001:db8:21::', '2001:db8:1::10', '2001:db8:1::11', '2001:db8:30::5', '2001:db8:2::20', '2001:db8:113::7', '2001:db8:8::7', '2001:db8:99::9'];
const PORTS = [1, 22, 53, 1502, 1503, 1504, 3389, 5060, 5061, 6890, 6891, 6899, 6900, 6901, 7000, 7049, 7050, 7099, 7100, 49999, 50000, 50039, 50040, 50059, 50060, 65535];

describe('the regions the diff compares', () => {
  it('accept exactly the packets the evaluator accepts as new connections', () => {
    const packet = fc.oneof(
      fc.record({ family: fc.constant(4 as const), src: fc.constantFrom(...V4), dst: fc.constantFrom(...V4) }),
      fc.record({ family: fc.constant(6 as const), src: fc.constantFrom(...V6), dst: fc.constantFrom(...V6) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...views), packet, fc.constantFrom(...PORT_PROTOCOLS), fc.constantFrom(...PORTS), fc.constantFrom(...PORTS), (view, a, protocol, sport, dport) => {
        const p = toPacket({ protocol, src: a.src, sport, dst: a.dst, dport });
        for (const e of evaluate(view, p)) {
          if (!e.direction) continue;
          const region = accepted(decisions(view, { direction: e.direction, family: p.family, protocol }));
          const inside = containsPoint(region, [p.src, p.dst, BigInt(sport), BigInt(dport)]);
          expect(inside, `${view.ir.name} ${e.direction} ${a.src}:${sport} -> ${a.dst}:${dport}`).toBe(e.verdict === 'accept');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('accept exactly the ICMP queries the evaluator accepts', () => {
    const packet = fc.oneof(
      fc.record({ family: fc.constant(4 as const), src: fc.constantFrom(...V4, '10.50.0.9', '10.50.1.0'), dst: fc.constantFrom(...V4, '10.1.1.10'), icmpType: fc.constantFrom(8, 13) }),
      fc.record({ family: fc.constant(6 as const), src: fc.constantFrom(...V6, '2001:db8:50::9'), dst: fc.constantFrom(...V6), icmpType: fc.constant(128) }),
    );
    let accepted_ = 0;
    fc.assert(
      fc.property(fc.constantFrom(...views), packet, (view, a) => {
        const p = toPacket({ protocol: 'icmp', src: a.src, dst: a.dst, icmpType: a.icmpType });
        for (const e of evaluate(view, p)) {
          if (!e.direction) continue;
          const region = accepted(decisions(view, { direction: e.direction, family: p.family, protocol: 'icmp' }));
          const inside = containsPoint(region, [p.src, p.dst, 0n, BigInt(a.icmpType)]);
          if (inside) accepted_++;
          expect(inside, `${view.ir.name} ${e.direction} icmp ${a.icmpType} ${a.src} -> ${a.dst}`).toBe(e.verdict === 'accept');
        }
      }),
      { numRuns: 3000 },
    );
    expect(accepted_).toBeGreaterThan(0);
  });

  it('split each slice into disjoint parts that cover every connection', () => {
    for (const view of views) {
      for (const direction of DIRECTIONS) for (const family of FAMILIES) for (const protocol of PROTOCOLS) {
        const parts = decisions(view, { direction, family, protocol });
        const total = parts.reduce((n, part) => n + volume(part.region), 0n);
        // ICMP: one point for the port, and the queries of the family (echo, timestamp; echo).
        const rest = protocol === 'icmp' ? (family === 4 ? 2n : 1n) : 65535n * 65535n;
        expect(total).toBe((1n << BigInt(family === 4 ? 64 : 256)) * rest);
      }
    }
  });
});
