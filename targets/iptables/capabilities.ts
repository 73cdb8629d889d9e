import type { IrFamily, IrFirewall } from '../../src/ir/types.js';
import { EXACT, type TargetCapabilities, type TargetFinding } from '../capability.js';
import { addressMatch } from './view.js';
import { iptablesSizes } from './size.js';

/**
 * iptables expresses every placement, family and match of the IR, in the IR's order. What it
 * derives itself is judged here: the ipset names of a firewall's long address lists, which
 * are shortened with 6 hex digits of a hash and so could, however unlikely, collide.
 */
export const iptablesCapabilities: TargetCapabilities = {
  placements: { host: EXACT, gateway: EXACT },
  families: { 4: EXACT, 6: EXACT },
  matches: { 'connection-state': EXACT, icmp: EXACT, 'nd-hop-limit': EXACT, 'log-denied': EXACT, 'icmp-rules': EXACT },
  order: 'first-match',
  size: {
    about: 'counts a line per combination of source chunk, destination chunk and multiport chunk of each rule, and a line per ipset member',
    artefacts: iptablesSizes,
  },
  judge: {
    about: 'refuses (MSGR060) a firewall whose long address lists would share an ipset name: a shortened name carries 6 hex digits of a hash',
    findings: ipsetNameClashes,
  },
};

function ipsetNameClashes(fw: IrFirewall): TargetFinding[] {
  const findings: TargetFinding[] = [];
  for (const family of [4, 6] as const satisfies readonly IrFamily[]) {
    const owner = new Map<string, string>();
    for (const set of fw.addressSets) {
      const match = addressMatch(fw, set.name, family);
      if (match.kind !== 'ipset') continue;
      const first = owner.get(match.set.name);
      if (first === undefined) owner.set(match.set.name, set.name);
      else {
        findings.push({
          kind: 'refused',
          message: `address sets ${first} and ${set.name} would share the ipset name ${match.set.name}`,
          hint: `rename the network ${set.stands} (the name of the firewall or the network decides the ipset name)`,
        });
      }
    }
  }
  return findings;
}
