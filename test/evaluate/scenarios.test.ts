import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { directionsOf, evaluate } from '../../src/evaluate/evaluate.js';
import { toPacket } from '../../src/evaluate/packet.js';
import { firewallViews } from '../../src/evaluate/view.js';
import { ROOT } from '../helpers.js';
import { SCENARIOS } from '../kernel/scenarios.js';

/**
 * Every kernel probe through the evaluator: the expectations are what the kernel delivered
 * for nftables and iptables, so the evaluator must agree with each of them. A probe is the
 * opening packet of a new connection; the kernel's "delivered" for TCP includes the reply,
 * which conntrack lets back whenever the opening packet passed.
 */
describe('the evaluator agrees with every kernel scenario probe', () => {
  for (const s of SCENARIOS) {
    describe(s.id, () => {
      const text = readFileSync(join(ROOT, s.policy), 'utf8');
      const { ir } = compilePolicy(text, s.policy);
      const view = firewallViews(ir!).find((v) => v.ir.name === s.firewall)!;

      it('places the firewall as the scenario says', () => {
        expect(view.ir.placement).toMatchObject(s.placement);
      });

      for (const probe of s.probes) {
        it(`${probe.expect}: ${probe.label}`, () => {
          const packet = toPacket({ protocol: probe.proto, src: probe.srcAddr, sport: probe.srcPort, dst: probe.dstAddr, dport: probe.dstPort });
          const [result] = evaluate(view, packet, { direction: probe.direction });
          const delivered = result!.verdict === 'accept' || result!.verdict === 'not-seen';
          expect(delivered ? 'delivered' : 'blocked').toBe(probe.expect);
          // Every port of the probe's source class gives the same verdict.
          for (const sport of [probe.srcPortClass.from, probe.srcPortClass.to]) {
            const [other] = evaluate(view, { ...packet, sport }, { direction: probe.direction });
            expect(other!.verdict).toBe(result!.verdict);
          }
        });
      }

      it('infers from the addresses alone the direction the kernel saw, whenever the firewall judges the packet', () => {
        for (const probe of s.probes) {
          const packet = toPacket({ protocol: probe.proto, src: probe.srcAddr, sport: probe.srcPort, dst: probe.dstAddr, dport: probe.dstPort });
          const [hinted] = evaluate(view, packet, { direction: probe.direction });
          const inferred = evaluate(view, packet);
          if (hinted!.verdict === 'not-seen') continue;
          expect(inferred.find((e) => e.direction === probe.direction), probe.label).toEqual(hinted);
        }
      });
    });
  }

  it('covers every probe of every scenario', () => {
    expect(SCENARIOS.reduce((n, s) => n + s.probes.length, 0)).toBeGreaterThan(100);
  });
});
