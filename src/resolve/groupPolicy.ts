import { cidrTexts, intersect, isEmpty } from '../addresses/set.js';
import { CATALOG } from '../catalog/catalog.js';
import { formatPortRange } from '../addresses/ports.js';
import type { Diagnostics } from './context.js';
import type { ClientGroup, PortRange } from './model.js';

/**
 * Whether a clients block's Group Policy ranges matter: a range does when a catalog entry the
 * block enables (by its features and SIP transport) uses it, so the catalog says it once (the
 * media range for audio and video, the SIP dynamic range for TCP mode).
 */
export function groupPolicyNeeds(c: Pick<ClientGroup, 'features' | 'server'>): { sipNeeded: boolean; mediaNeeded: boolean } {
  const enabled = CATALOG.filter((e) => (e.transport === undefined || e.transport === c.server.transport) && c.features.some((f) => e.features.includes(f.name)));
  const uses = (kind: 'sip-dynamic-range' | 'media-range') => enabled.some((e) => e.dstPorts.kind === kind || e.srcPorts?.kind === kind);
  return { sipNeeded: uses('sip-dynamic-range'), mediaNeeded: uses('media-range') };
}

/** The PortRange values a block's Group Policy file sets: the ranges it needs and the policy gives. */
function writtenRanges(c: ClientGroup): { what: string; value: string; range: PortRange }[] {
  const needs = groupPolicyNeeds(c);
  return [
    ...(needs.mediaNeeded && c.mediaRange.explicit ? [{ what: 'media range', value: 'MinMediaPort/MaxMediaPort', range: c.mediaRange.range }] : []),
    ...(needs.sipNeeded && c.sipRange.explicit ? [{ what: 'SIP dynamic range', value: 'MinSipDynamicPort/MaxSipDynamicPort', range: c.sipRange.range }] : []),
  ];
}

/**
 * MSGR062: a machine can hold one PortRange. When two clients blocks overlap and their Group
 * Policy files set one value to different ranges, a machine in both gets whichever file
 * applies last, and the rules the firewalls open for the other block (media from a media port
 * to a media port, the server's SIP callbacks) do not fit its ports.
 */
export function checkGroupPolicyOverlaps(clients: readonly ClientGroup[], diags: Diagnostics): void {
  // Only blocks that write a value can conflict; each pair of those is compared once.
  const writing = clients.map((c) => ({ c, ranges: writtenRanges(c) })).filter((w) => w.ranges.length > 0);
  writing.forEach((later, i) => {
    for (const earlier of writing.slice(0, i)) {
      const conflicts = later.ranges.flatMap((mine) => {
        const other = earlier.ranges.find((t) => t.value === mine.value);
        return other && (other.range.from !== mine.range.from || other.range.to !== mine.range.to) ? [{ mine, other }] : [];
      });
      if (conflicts.length === 0) continue;
      const common = intersect(earlier.c.set, later.c.set);
      if (isEmpty(common)) continue;
      const where = [...cidrTexts(common, 4), ...cidrTexts(common, 6)];
      for (const { mine, other } of conflicts) {
        diags.report(
          'MSGR062',
          later.c.origin,
          `clients ${later.c.name} and clients ${earlier.c.name} (line ${earlier.c.origin.line}) share ${where.slice(0, 3).join(', ')}${where.length > 3 ? ', …' : ''} but set ` +
            `the ${mine.what} (${mine.value}) to ${formatPortRange(mine.range)} and ${formatPortRange(other.range)}: a machine in both holds one PortRange, ` +
            `so the rules the firewalls open for one of the blocks do not fit its ports`,
          `give overlapping clients blocks the same ${mine.what}, or make their networks disjoint`,
        );
      }
    }
  });
}
