import { parseCidr, type Cidr } from '../addresses/cidr.js';
import { fromCidrs, type AddressSet } from '../addresses/set.js';
import type { IrDocument, IrFirewall } from '../ir/types.js';

/** A network a firewall is placed on, by its policy name and its addresses. */
export interface Zone {
  name: string;
  set: AddressSet;
}

/** Where a firewall sits: on the hosts of a network, or between two zones. */
export type Zones = { kind: 'host'; on: Zone } | { kind: 'gateway'; a: Zone; b: Zone };

/** One firewall of the IR, ready to evaluate packets against. */
export interface FirewallView {
  ir: IrFirewall;
  zones: Zones;
  /** The IR's named address sets, as exact intervals. */
  sets: ReadonlyMap<string, AddressSet>;
}

export function firewallViews(ir: IrDocument): FirewallView[] {
  return ir.firewalls.map(firewallView);
}

export function firewallView(fw: IrFirewall): FirewallView {
  const sets = new Map(fw.addressSets.map((s) => [s.name, fromCidrs([...s.ipv4, ...s.ipv6].map(cidrOf))] as const));
  const zone = (name: string, setName: string): Zone => {
    const set = sets.get(setName);
    if (!set) throw new Error(`firewall ${fw.name}: placement names address set ${setName}, which the IR lacks`);
    return { name, set };
  };
  const p = fw.placement;
  const zones: Zones =
    p.kind === 'host'
      ? { kind: 'host', on: zone(p.on, p.set) }
      : { kind: 'gateway', a: zone(p.between[0], p.zones[0]), b: zone(p.between[1], p.zones[1]) };
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

export const placementText = (z: Zones) => (z.kind === 'host' ? `host firewall on ${z.on.name}` : `gateway between ${z.a.name} and ${z.b.name}`);
