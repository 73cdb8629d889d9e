import { EXACT, type TargetCapabilities } from '../capability.js';
import { pfSizes } from './size.js';

/** pf expresses the IR in its order (every rule `quick`), except the IPv6 hop limit it cannot match. */
export const pfCapabilities: TargetCapabilities = {
  placements: { host: EXACT, gateway: EXACT },
  families: { 4: EXACT, 6: EXACT },
  matches: {
    'connection-state': EXACT,
    icmp: EXACT,
    'nd-hop-limit': {
      level: 'approximate',
      how: 'pf cannot match the IPv6 hop limit, so neighbour and router discovery are accepted without the hop-limit-255 check the other targets make',
    },
    'log-denied': EXACT,
    'icmp-rules': EXACT,
  },
  order: 'first-match',
  size: { about: 'counts each table once, and a rule per IR rule and family', artefacts: pfSizes },
};
