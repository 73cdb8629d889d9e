import type { AddressSet } from '../addresses/set.js';
import type { Origin, PortRange, Protocol } from '../resolve/model.js';

/** A labelled list of port ranges: the label names a port set in targets that have them. */
export interface PortList {
  label: string;
  ranges: PortRange[];
}

export interface Endpoint {
  /** The network (or union of networks) as the policy names it. */
  name: string;
  set: AddressSet;
}

/**
 * A direction-aware flow: `from` opens connections (TCP) or sends first (UDP) to `to`; the
 * return traffic of each connection is implied (stateful), never a flow of its own.
 */
export interface Flow {
  catalogId: string;
  protocol: Protocol;
  from: Endpoint;
  to: Endpoint;
  dstPorts: PortList;
  srcPorts?: PortList;
  /** The policy lines that produced it: the clients block, the feature or transport statement. */
  origins: Origin[];
  source: string;
}
