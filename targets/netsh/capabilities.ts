import { EXACT, type TargetCapabilities } from '../capability.js';
import { netshSizes } from './size.js';

/**
 * Windows Firewall filters only the host it runs on, and lets a block rule win over every allow
 * rule it overlaps: no gateways, and no deny after an overlapping allow (judged per firewall from
 * the declared order). Return traffic, invalid packets, loopback and the ICMP the preamble names
 * are the stateful firewall's and its Core Networking rules' own work (see the script's header).
 */
export const netshCapabilities: TargetCapabilities = {
  placements: {
    host: EXACT,
    gateway: {
      level: 'none',
      why: 'Windows Firewall (netsh) filters only traffic to and from the host it runs on, never forwarded traffic, so it cannot enforce a gateway',
      instead: 'use nftables, iptables or pf for a gateway, or write a host firewall (`on NET`) for netsh',
    },
  },
  families: { 4: EXACT, 6: EXACT },
  matches: { 'connection-state': EXACT, icmp: EXACT, 'nd-hop-limit': EXACT, 'log-denied': EXACT, 'icmp-rules': EXACT },
  order: 'block-before-allow',
  size: {
    about: 'counts a command per combination of the chunks of each rule\'s lists (local and remote addresses and ports, each within its share of cmd.exe\'s 8,191-character line)',
    artefacts: netshSizes,
  },
};
