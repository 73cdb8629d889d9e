import { CATALOG, type CatalogEntry, type PortSpec, type Role } from '../catalog/catalog.js';
import type { ClientGroup, Model } from '../resolve/model.js';
import type { Endpoint, Flow, PortList } from './flow.js';

/** Resolved model → every flow the Messenger deployment needs, in policy order. */
export function deriveFlows(model: Model): Flow[] {
  const flows: Flow[] = [];
  for (const group of model.clients) {
    for (const entry of CATALOG) {
      if (entry.transport && entry.transport !== group.server.transport) continue;
      const enabling = group.features.filter((f) => entry.features.includes(f.name));
      if (enabling.length === 0) continue;
      const origins = entry.initiator === 'peer'
        ? [...enabling.map((f) => f.origin), group.peers.origin]
        : [group.server.origin];
      for (const [from, to] of endpoints(entry, group)) {
        const flow: Flow = {
          catalogId: entry.id,
          protocol: entry.protocol,
          from,
          to,
          dstPorts: ports(entry.dstPorts, group),
          origins: [...origins, ...rangeOrigins(entry, group)],
          source: entry.source,
        };
        if (entry.srcPorts) flow.srcPorts = ports(entry.srcPorts, group);
        flows.push(flow);
      }
    }
  }
  return flows;
}

function endpoints(entry: CatalogEntry, group: ClientGroup): [Endpoint, Endpoint][] {
  const self: Endpoint = { name: group.name, set: group.set };
  const ofRole = (r: Role): Endpoint =>
    r === 'server' ? { name: group.server.name, set: group.server.set } : r === 'client' ? self : { name: group.peers.name, set: group.peers.set };
  if (entry.initiator === 'peer') {
    // Peer to peer: either side may open, so both directions between the clients and their peers.
    const peers = ofRole('peer');
    return [[self, peers], [peers, self]];
  }
  return [[ofRole(entry.initiator), ofRole(entry.responder)]];
}

function ports(spec: PortSpec, group: ClientGroup): PortList {
  switch (spec.kind) {
    case 'fixed':
      return { label: spec.label, ranges: [{ from: spec.from, to: spec.to }] };
    case 'server-sip-port':
      return { label: `sip_${group.server.transport}`, ranges: [{ from: group.server.port, to: group.server.port }] };
    case 'sip-dynamic-range':
      return { label: 'sip_dynamic', ranges: [group.sipRange.range] };
    case 'media-range':
      return { label: 'media', ranges: [group.mediaRange.range] };
  }
}

function rangeOrigins(entry: CatalogEntry, group: ClientGroup) {
  const specs = [entry.dstPorts.kind, entry.srcPorts?.kind];
  return [
    ...(specs.includes('sip-dynamic-range') ? [group.sipRange.origin] : []),
    ...(specs.includes('media-range') ? [group.mediaRange.origin] : []),
  ];
}
