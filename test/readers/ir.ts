import type { IrFirewall, IrPorts } from '../../src/ir/types.js';
import { zonePairs } from '../../src/ir/zonePairs.js';
import { and, condTuples, tupleCond, type Cond } from '../../targets/readers/chains.js';
import type { Policy } from '../../targets/readers/evaluate.js';
import { intervalsOf, mergeIntervals, normalizeAddresses, normalizePorts } from '../../targets/readers/normalize.js';
import type { Tuple, TupleDirection } from '../../targets/readers/tuple.js';

const DIRECTION: Record<IrFirewall['rules'][number]['direction'], TupleDirection> = {
  input: 'in',
  output: 'out',
  forward: 'forward',
};

/**
 * The IR's rules as tuples, in first-match order: one tuple per rule and family, addresses from
 * the named sets (only the family's CIDRs), absent sides and ports as `'any'`. The IR keeps
 * source and destination as the packet has them, so for a host's input rule the remote peer is
 * `src` and the host `dst`; for output the reverse.
 */
export function irToTuples(fw: IrFirewall): Tuple[] {
  const side = (name: string | undefined, family: 4 | 6): string[] | 'any' => {
    if (name === undefined) return 'any';
    const set = fw.addressSets.find((s) => s.name === name);
    if (!set) throw new Error(`firewall ${fw.name}: no address set ${name}`);
    return normalizeAddresses(family === 4 ? set.ipv4 : set.ipv6, family);
  };
  const ports = (p: IrPorts | undefined) => (p ? normalizePorts(p.ranges) : 'any');
  return fw.rules.flatMap((r) =>
    [...r.families].sort().map((family): Tuple => {
      const t: Tuple = {
        direction: DIRECTION[r.direction],
        action: r.action,
        protocol: r.protocol === 'icmp' ? (family === 4 ? 'icmp' : 'icmp6') : r.protocol,
        family,
        src: side(r.src, family),
        dst: side(r.dst, family),
        srcPorts: ports(r.srcPorts),
        dstPorts: ports(r.dstPorts),
      };
      // An ICMP rule: its types of this family, as numbers (the IR gives both).
      if (r.icmpTypes) t.icmpTypes = r.icmpTypes.flatMap((x) => ((family === 4 ? x.v4 : x.v6) ?? [])).map(String);
      return t;
    }),
  );
}

/** The IR's default verdict per tuple direction. */
export function irPolicy(fw: IrFirewall): Partial<Record<TupleDirection, 'accept' | 'drop'>> {
  const out: Partial<Record<TupleDirection, 'accept' | 'drop'>> = {};
  if (fw.policy.input) out.in = fw.policy.input;
  if (fw.policy.output) out.out = fw.policy.output;
  if (fw.policy.forward) out.forward = fw.policy.forward;
  return out;
}

/**
 * What the firewall decides for the opening packet of a connection, as the README defines it,
 * in tuples and policy: a host's rules, then its input/output defaults. A gateway judges
 * exactly the traffic from one of its zones to another (in the families both zones have): its
 * rules apply to that traffic only, and its default ends it. Any other forwarded packet meets
 * `others`: with accept it is not the gateway's business, which on a machine with no other rules
 * (a fresh namespace, pf's own default) means it passes; with deny it is dropped — the
 * `forward` policy here is `others`, so a default accept between the zones is written out as
 * accept tuples. `in` and `out` (the gateway's own traffic, never forwarded) are accept.
 */
export function irEffective(fw: IrFirewall): { tuples: Tuple[]; policy: Policy } {
  const rules = irToTuples(fw);
  if (fw.placement.kind === 'host') {
    return { tuples: rules, policy: { in: fw.policy.input ?? 'accept', out: fw.policy.output ?? 'accept', forward: 'accept' } };
  }
  const zone = (name: string, family: 4 | 6): Cond | undefined => {
    const set = fw.addressSets.find((s) => s.name === name);
    if (!set) throw new Error(`firewall ${fw.name}: no address set ${name} for a zone`);
    const cidrs = family === 4 ? set.ipv4 : set.ipv6;
    if (cidrs.length === 0) return undefined;
    return { family, src: mergeIntervals(intervalsOf(cidrs, family)) };
  };
  const pairs: Cond[] = [];
  for (const family of [4, 6] as const) {
    for (const [a, b] of zonePairs(fw.placement.zones)) {
      const za = zone(a, family);
      const zb = zone(b, family);
      if (za && zb) pairs.push({ family, src: za.src!, dst: zb.src! });
    }
  }
  const tuples: Tuple[] = [];
  for (const t of rules) {
    for (const pair of pairs) {
      const c = and(tupleCond(t), pair);
      if (c) tuples.push(...condTuples(t.direction, t.action, c));
    }
  }
  const others = fw.placement.others;
  const between = fw.policy.forward ?? 'accept';
  if (between === 'drop' || others === 'drop') for (const pair of pairs) tuples.push(...condTuples('forward', between, pair));
  // The gateway's own traffic (to or from its addresses: input and output) is not forwarded.
  return { tuples, policy: { forward: others, in: 'accept', out: 'accept' } };
}
