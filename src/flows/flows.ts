import { CATALOG, usesMediaRange, type CatalogEntry, type PortSpec } from '../catalog/catalog.js';
import type { ClientGroup, Model, Origin, PortRange } from '../resolve/model.js';
import type { Endpoint, Flow, PortList } from './flow.js';

/** One end of a flow, with the media range its machines use when that matters. */
interface Side {
  endpoint: Endpoint;
  media?: { range: PortRange; label: string; origins: Origin[] };
}

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
      for (const [from, to] of sidesOf(entry, group)) {
        const flow: Flow = {
          catalogId: entry.id,
          protocol: entry.protocol,
          from: from.endpoint,
          to: to.endpoint,
          dstPorts: ports(entry.dstPorts, group, to),
          origins: [...origins, ...rangeOrigins(entry, group, from, to)],
          source: entry.source,
        };
        if (entry.srcPorts) flow.srcPorts = ports(entry.srcPorts, group, from);
        flows.push(flow);
      }
    }
  }
  return flows;
}

/**
 * The (initiator, responder) pairs of an entry for one clients block. Peer to peer, either side
 * may open, so both directions between the clients and their peers; for media, one pair each
 * way per media range among the peers, so each side's ports lie in its own range.
 */
function sidesOf(entry: CatalogEntry, group: ClientGroup): [Side, Side][] {
  const self: Side = { endpoint: { name: group.name, set: group.set }, media: { range: group.mediaRange.range, label: 'media', origins: [group.mediaRange.origin] } };
  const server: Side = { endpoint: { name: group.server.name, set: group.server.set } };
  if (entry.initiator !== 'peer') {
    const of = (r: CatalogEntry['initiator']) => (r === 'server' ? server : self);
    return [[of(entry.initiator), of(entry.responder)]];
  }
  const peers: Side[] = usesMediaRange(entry)
    ? group.mediaPeers.map((p) => ({
        endpoint: { name: p.name, set: p.set },
        media: { range: p.range, label: sameRange(p.range, group.mediaRange.range) ? 'media' : `media_${p.owners[0]}`, origins: p.origins },
      }))
    : [{ endpoint: { name: group.peers.name, set: group.peers.set } }];
  return peers.flatMap((p): [Side, Side][] => [[self, p], [p, self]]);
}

const sameRange = (a: PortRange, b: PortRange) => a.from === b.from && a.to === b.to;

function ports(spec: PortSpec, group: ClientGroup, side: Side): PortList {
  switch (spec.kind) {
    case 'fixed':
      return { label: spec.label, ranges: [{ from: spec.from, to: spec.to }] };
    case 'server-sip-port':
      return { label: `sip_${group.server.transport}`, ranges: [{ from: group.server.port, to: group.server.port }] };
    case 'sip-dynamic-range':
      return { label: 'sip_dynamic', ranges: [group.sipRange.range] };
    case 'media-range': {
      const media = side.media ?? { range: group.mediaRange.range, label: 'media' };
      return { label: media.label, ranges: [media.range] };
    }
  }
}

/** The statements that set the ranges a flow's ports come from. */
function rangeOrigins(entry: CatalogEntry, group: ClientGroup, from: Side, to: Side): Origin[] {
  const out: Origin[] = [];
  if (entry.dstPorts.kind === 'sip-dynamic-range' || entry.srcPorts?.kind === 'sip-dynamic-range') out.push(group.sipRange.origin);
  if (entry.srcPorts?.kind === 'media-range') out.push(...(from.media?.origins ?? [group.mediaRange.origin]));
  if (entry.dstPorts.kind === 'media-range') out.push(...(to.media?.origins ?? [group.mediaRange.origin]));
  return [...new Set(out)];
}
