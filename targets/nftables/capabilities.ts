import { EXACT, type TargetCapabilities } from '../capability.js';
import { nftablesSizes } from './size.js';

/** nftables expresses every placement, family and match of the IR, in the IR's order. */
export const nftablesCapabilities: TargetCapabilities = {
  placements: { host: EXACT, gateway: EXACT },
  families: { 4: EXACT, 6: EXACT },
  matches: { 'connection-state': EXACT, icmp: EXACT, 'nd-hop-limit': EXACT, 'log-denied': EXACT, 'icmp-rules': EXACT },
  order: 'first-match',
  size: { about: 'counts each set it uses once per family, and a line per rule and family', artefacts: nftablesSizes },
};
