import type { Endpoint, PortList } from '../flows/flow.js';
import type { IcmpType } from '../icmp/messages.js';
import type { Firewall, Origin, RuleProtocol, Verdict } from '../resolve/model.js';

export type Direction = 'input' | 'output' | 'forward';

/**
 * A rule of one firewall, before naming: from the firewall's view, `src`/`dst` are the packet's
 * source and destination of the opening packet (absent: any address).
 */
export interface PlacedRule {
  direction: Direction;
  action: Verdict;
  protocol: RuleProtocol;
  /** An ICMP rule's messages (the types it matches in each family); absent for tcp and udp. */
  icmpTypes?: IcmpType[];
  src?: Endpoint;
  dst?: Endpoint;
  srcPorts?: PortList;
  dstPorts?: PortList;
  origins: Origin[];
  /** The catalog entries of a Messenger rule (several once merged); absent for the policy's plain rules. */
  catalog?: string[];
  source?: string;
}

export interface PlacedFirewall {
  firewall: Firewall;
  rules: PlacedRule[];
}
