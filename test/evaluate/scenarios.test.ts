import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/addresses/cidr.js';
import { fromCidrs, containsAddress } from '../../src/addresses/set.js';
import { compilePolicy } from '../../src/compile.js';
import { diffPolicies, type PolicyVersion, type TrafficClass } from '../../src/diff/diff.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { toPacket, type Packet } from '../../src/evaluate/packet.js';
import { firewallViews } from '../../src/evaluate/view.js';
import { explainPacket } from '../../src/explain/explain.js';
import { ROOT } from '../helpers.js';
import { SCENARIOS, type ScenarioProbe } from '../kernel/scenarios.js';

const packetOf = (probe: ScenarioProbe, sport = probe.srcPort): Packet =>
  probe.proto === 'icmp'
    ? toPacket({ protocol: 'icmp', src: probe.srcAddr, dst: probe.dstAddr, icmpType: probe.family === 4 ? 8 : 128 })
    : toPacket({ protocol: probe.proto, src: probe.srcAddr, sport, dst: probe.dstAddr, dport: probe.dstPort });

function version(text: string, file: string): PolicyVersion {
  const { ir, diagnostics } = compilePolicy(text, file);
  if (!ir) throw new Error(`${file} does not compile:\n${diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
  return { ir, source: { file, text } };
}

/** The same policy with every default, outbound and plain deny turned into accept: it drops nothing. */
const acceptingAll = (text: string) =>
  text.replace(/^(\s*)(default|outbound|others) deny\b/gm, '$1$2 accept').replace(/^(\s*)deny (tcp|udp|icmp)\b/gm, '$1allow $2');

/** Whether a diff row holds the packet (seen in that direction). */
function holds(c: TrafficClass, p: Packet, direction: ScenarioProbe['direction']): boolean {
  const inBlocks = (blocks: string[], address: bigint) =>
    containsAddress(fromCidrs(blocks.map((b) => { const r = parseCidr(b); if (!r.ok) throw new Error(b); return r.cidr; })), p.family, address);
  const inPorts = (ranges: string[], port: number) => ranges.some((r) => { const [from, to = from] = r.split('-').map(Number); return from! <= port && port <= to!; });
  if (c.direction !== direction || c.family !== p.family || c.protocol !== p.protocol || !inBlocks(c.src, p.src) || !inBlocks(c.dst, p.dst)) return false;
  return p.protocol === 'icmp' ? c.icmpTypes!.includes('echo-request') : inPorts(c.srcPorts!, p.sport) && inPorts(c.dstPorts!, p.dport);
}

/**
 * Every kernel probe through the evaluator, `explain` and `diff`: the expectations are what the
 * kernel delivered for nftables and iptables, so each must agree with every one of them. A
 * probe is the opening packet of a new connection; the kernel's "delivered" for TCP includes
 * the reply, which conntrack lets back whenever the opening packet passed.
 */
describe('the evaluator, explain and diff agree with every kernel scenario probe', () => {
  for (const s of SCENARIOS) {
    describe(s.id, () => {
      const text = readFileSync(join(ROOT, s.policy), 'utf8');
      const policy = version(text, s.policy);
      const view = firewallViews(policy.ir).find((v) => v.ir.name === s.firewall)!;
      // What the policy drops is exactly what a version that drops nothing newly allows.
      const dropped = diffPolicies(policy, version(acceptingAll(text), 'accepting-all.msgr'), s.firewall).firewalls[0]!;

      it('places the firewall as the scenario says', () => {
        expect(view.ir.placement).toMatchObject(s.placement);
      });

      for (const probe of s.probes) {
        it(`${probe.expect}: ${probe.label}`, () => {
          const packet = packetOf(probe);
          const [result] = evaluate(view, packet, { direction: probe.direction });
          const delivered = result!.verdict === 'accept' || result!.verdict === 'not-seen';
          expect(delivered ? 'delivered' : 'blocked').toBe(probe.expect);
          // Every port of the probe's source class gives the same verdict.
          for (const sport of [probe.srcPortClass.from, probe.srcPortClass.to]) {
            const [other] = evaluate(view, packetOf(probe, sport), { direction: probe.direction });
            expect(other!.verdict).toBe(result!.verdict);
          }

          // explain: the same verdict, for the direction the kernel saw (or not judged at all).
          const explained = explainPacket({ views: [view], source: policy.source }, packet, s.firewall).evaluations;
          // The IR does not know the router's own addresses: from the addresses alone, explain takes a
          // packet to or from a gateway with `others deny` as forwarded between none of its zones.
          const assumedForwarded = s.placement.kind === 'gateway' && s.placement.others === 'drop' && probe.direction !== 'forward';
          const mine = assumedForwarded
            ? explained.find((e) => e.decidedBy.kind === 'others')
            : (explained.find((e) => e.direction === probe.direction) ?? explained.find((e) => e.verdict === 'not-seen'));
          expect(mine?.verdict).toBe(assumedForwarded ? 'drop' : result!.verdict);

          // diff: a blocked probe is among what the policy drops, a delivered one is not.
          expect(dropped.newlyAllowed.some((c) => c.classes.some((k) => holds(k, packet, probe.direction))), 'in the traffic the policy drops').toBe(probe.expect === 'blocked');
        });
      }

      it('infers from the addresses alone the direction the kernel saw, whenever the firewall judges the packet', () => {
        for (const probe of s.probes) {
          const packet = packetOf(probe);
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
