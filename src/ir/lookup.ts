import type { IrAddressSet, IrFirewall } from './types.js';

/** Each firewall's address sets by name (the first of a name), built when first asked for. */
const byFirewall = new WeakMap<IrFirewall, { of: readonly IrAddressSet[]; length: number; sets: Map<string, IrAddressSet> }>();

/**
 * The address set a firewall's IR names `name`: what every target and `explain` look up for
 * each rule, so by a map rather than a search (a firewall may have thousands of rules and sets).
 * A map no longer true to the firewall (an IR changed after it was read) is built again.
 */
export function addressSetNamed(fw: IrFirewall, name: string | undefined): IrAddressSet | undefined {
  if (name === undefined) return undefined;
  let known = byFirewall.get(fw);
  let set = known?.sets.get(name);
  if (!known || known.of !== fw.addressSets || known.length !== fw.addressSets.length || (set && set.name !== name)) {
    const sets = new Map<string, IrAddressSet>();
    for (const s of fw.addressSets) if (!sets.has(s.name)) sets.set(s.name, s);
    byFirewall.set(fw, (known = { of: fw.addressSets, length: fw.addressSets.length, sets }));
    set = sets.get(name);
  }
  return set;
}
