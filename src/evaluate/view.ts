import { parseCidr, type Cidr } from '../addresses/cidr.js';
import { fromCidrs, type AddressSet } from '../addresses/set.js';
import type { IrDocument, IrFirewall, IrVerdict } from '../ir/types.js';
import { zoneListText } from '../ir/zonePairs.js';

/** A network a firewall is placed on, by its policy name and its addresses. */
export interface Zone {
  name: string;
  set: AddressSet;
}

/**
 * Where a firewall sits: on the hosts of a network, or between two or more zones, with the
 * verdict for forwarded traffic between none of them.
 */
export type Zones = { kind: 'host'; on: Zone } | { kind: 'gateway'; zones: Zone[]; others: IrVerdict };

/** One firewall of the IR, ready to evaluate packets against. */
export interface FirewallView {
  ir: IrFirewall;
  zones: Zones;
  /** The IR's named address sets, as exact intervals. */
  sets: ReadonlyMap<string, AddressSet>;
}

/**
 * Address sets by their CIDR blocks. Firewalls mostly name the same networks, and so do two
 * versions of a policy: sharing one cache, equal sets become one object, parsed once and cheap
 * to compare and to compute with.
 */
export type AddressSets = Map<string, AddressSet>;

export function firewallViews(ir: IrDocument, known: AddressSets = new Map()): FirewallView[] {
  return ir.firewalls.map((fw) => firewallView(fw, known));
}

export function firewallView(fw: IrFirewall, known: AddressSets = new Map()): FirewallView {
  const setOf = (blocks: readonly string[]) => {
    const key = blocks.join(' ');
    let set = known.get(key);
    if (!set) known.set(key, (set = fromCidrs(blocks.map(cidrOf))));
    return set;
  };
  const sets = new Map(fw.addressSets.map((s) => [s.name, setOf([...s.ipv4, ...s.ipv6])] as const));
  const zone = (name: string, setName: string): Zone => {
    const set = sets.get(setName);
    if (!set) throw new Error(`firewall ${fw.name}: placement names address set ${setName}, which the IR lacks`);
    return { name, set };
  };
  const p = fw.placement;
  const zones: Zones =
    p.kind === 'host'
      ? { kind: 'host', on: zone(p.on, p.set) }
      : { kind: 'gateway', zones: p.between.map((name, i) => zone(name, p.zones[i]!)), others: p.others };
  return { ir: fw, zones, sets };
}

function cidrOf(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`IR address '${text}' is not a CIDR block`);
  return r.cidr;
}

/** The addresses a rule side matches; undefined means any address. */
export function sideSet(view: FirewallView, name: string | undefined): AddressSet | undefined {
  if (name === undefined) return undefined;
  const set = view.sets.get(name);
  if (!set) throw new Error(`firewall ${view.ir.name}: rule names address set ${name}, which the IR lacks`);
  return set;
}

export const placementText = (z: Zones) => (z.kind === 'host' ? `host firewall on ${z.on.name}` : `gateway between ${zoneListText(z.zones.map((x) => x.name))}${z.others === 'drop' ? ', others deny' : ''}`);
