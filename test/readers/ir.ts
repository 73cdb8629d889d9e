import type { IrFirewall, IrPorts } from '../../src/ir/types.js';
import { normalizeAddresses, normalizePorts } from './normalize.js';
import type { Tuple, TupleDirection } from './tuple.js';

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
    [...r.families].sort().map(
      (family): Tuple => ({
        direction: DIRECTION[r.direction],
        action: r.action,
        protocol: r.protocol,
        family,
        src: side(r.src, family),
        dst: side(r.dst, family),
        srcPorts: ports(r.srcPorts),
        dstPorts: ports(r.dstPorts),
      }),
    ),
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
