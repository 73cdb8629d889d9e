import { equals, families, intersect, isEmpty, type AddressSet } from '../addresses/set.js';
import { diagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { zonePairs } from '../ir/zonePairs.js';
import type { Endpoint, Flow } from '../flows/flow.js';
import type { Firewall, Model, NamedSet, PlainRule } from '../resolve/model.js';
import type { PlacedFirewall, PlacedRule } from './placed.js';

export interface PlaceResult {
  firewalls: PlacedFirewall[];
  diagnostics: Diagnostic[];
}

/** Projects the flows onto every firewall: plain rules first (in policy order), then Messenger's. */
export function placeFlows(model: Model, flows: readonly Flow[]): PlaceResult {
  const diagnostics: Diagnostic[] = [];
  // One memo for every gateway of the run: gateways between the same zones (a hundred edge
  // routers between all sites and the partners) meet the same pairs of sets.
  const cross = crossingOf();
  const firewalls = model.firewalls.map((fw) => {
    const messenger = fw.placement.kind === 'host' ? projectOntoHost(fw, flows) : projectOntoGateway(fw, flows, cross);
    if (messenger.length === 0) {
      diagnostics.push(diagnostic('MSGR045', model.file, fw.origin, `firewall ${fw.name} lets no Messenger traffic through: no flow of the policy reaches it`, 'check its placement, the clients\' peers and their server'));
    }
    const plain = fw.rules.flatMap((r) => placePlainRule(fw, r, model.file, diagnostics));
    return { firewall: fw, rules: [...plain, ...messenger] };
  });
  return { firewalls, diagnostics };
}

/**
 * A host firewall sees a flow as input when the host is the responder, as output when it is the
 * initiator (both for peer flows among its own network). Output rules matter only when outbound
 * traffic is denied by default. When the host network is only partly inside an endpoint, the
 * local address is matched too, so hosts outside it gain nothing.
 */
export function projectOntoHost(fw: Firewall, flows: readonly Flow[]): PlacedRule[] {
  if (fw.placement.kind !== 'host') return [];
  const host = fw.placement.on;
  const rules: PlacedRule[] = [];
  const local = hostPartOf(host);
  for (const flow of flows) {
    const localAsResponder = local(flow.to);
    if (localAsResponder) rules.push(ruleOf(flow, 'input', flow.from, localAsResponder.partial ? localAsResponder.endpoint : undefined));
    const localAsInitiator = local(flow.from);
    if (localAsInitiator && fw.outboundVerdict === 'drop') {
      rules.push(ruleOf(flow, 'output', localAsInitiator.partial ? localAsInitiator.endpoint : undefined, flow.to));
    }
  }
  return rules;
}

/**
 * What of the host lies in an endpoint. Flows share their address sets (every flow of a clients
 * block uses the same objects), so the set arithmetic is done once per distinct set.
 */
function hostPartOf(host: NamedSet) {
  const seen = new Map<AddressSet, AddressSet | undefined>();
  return (endpoint: Endpoint): { endpoint: Endpoint; partial: boolean } | undefined => {
    let common = seen.get(endpoint.set);
    if (common === undefined && !seen.has(endpoint.set)) {
      const c = intersect(host.set, endpoint.set);
      common = isEmpty(c) ? undefined : c;
      seen.set(endpoint.set, common);
    }
    if (common === undefined) return undefined;
    const partial = !equals(common, host.set);
    return { endpoint: partial ? { name: `${host.name}&${endpoint.name}`, set: common } : { name: host.name, set: host.set }, partial };
  };
}

/**
 * A gateway sees only flows that cross it: from one of its zones into another, every pair of
 * zones a flow crosses, either way.
 */
export function projectOntoGateway(fw: Firewall, flows: readonly Flow[], cross = crossingOf()): PlacedRule[] {
  if (fw.placement.kind !== 'gateway') return [];
  const pairs = zonePairs(fw.placement.zones);
  const rules: PlacedRule[] = [];
  for (const flow of flows) {
    for (const [zoneFrom, zoneTo] of pairs) {
      const src = cross(flow.from, zoneFrom);
      const dst = cross(flow.to, zoneTo);
      if (src && dst && families(src.set).some((f) => families(dst.set).includes(f))) {
        rules.push(ruleOf(flow, 'forward', src, dst));
      }
    }
  }
  return rules;
}

function crossing(endpoint: Endpoint, zone: NamedSet): Endpoint | undefined {
  return endpointOf(partInZone(endpoint.set, zone.set), endpoint, zone);
}

/** What of an endpoint's set lies in a zone: none, all of it, all of the zone, or a part of both. */
type ZonePart = { kind: 'none' } | { kind: 'endpoint' } | { kind: 'zone' } | { kind: 'part'; set: AddressSet };

function partInZone(endpoint: AddressSet, zone: AddressSet): ZonePart {
  const common = intersect(endpoint, zone);
  if (isEmpty(common)) return { kind: 'none' };
  if (equals(common, endpoint)) return { kind: 'endpoint' };
  if (equals(common, zone)) return { kind: 'zone' };
  return { kind: 'part', set: common };
}

function endpointOf(part: ZonePart, endpoint: Endpoint, zone: NamedSet): Endpoint | undefined {
  switch (part.kind) {
    case 'none':
      return undefined;
    case 'endpoint':
      return endpoint;
    case 'zone':
      return { name: zone.name, set: zone.set };
    case 'part':
      return { name: `${endpoint.name}&${zone.name}`, set: part.set };
  }
}

/**
 * `crossing`, for many flows: they share their address sets (every flow of a clients block uses
 * the same objects), so the set arithmetic is done once per pair of sets. Sets are never
 * changed once made, so the memo may serve every gateway of a run.
 */
function crossingOf() {
  const seen = new Map<AddressSet, Map<AddressSet, ZonePart>>();
  return (endpoint: Endpoint, zone: NamedSet): Endpoint | undefined => {
    let byZone = seen.get(endpoint.set);
    if (!byZone) seen.set(endpoint.set, (byZone = new Map()));
    let part = byZone.get(zone.set);
    if (!part) byZone.set(zone.set, (part = partInZone(endpoint.set, zone.set)));
    return endpointOf(part, endpoint, zone);
  };
}

function ruleOf(flow: Flow, direction: PlacedRule['direction'], src: Endpoint | undefined, dst: Endpoint | undefined): PlacedRule {
  const rule: PlacedRule = {
    direction,
    action: 'accept',
    protocol: flow.protocol,
    dstPorts: flow.dstPorts,
    origins: flow.origins,
    catalog: [flow.catalogId],
    source: flow.source,
  };
  if (src) rule.src = src;
  if (dst) rule.dst = dst;
  if (flow.srcPorts) rule.srcPorts = flow.srcPorts;
  return rule;
}

/**
 * Plain rules. On a host: `from X` is inbound, `to Y` outbound; with both, the side that holds
 * the host decides. On a gateway: forwarded traffic exactly as written.
 */
function placePlainRule(fw: Firewall, r: PlainRule, file: string, diagnostics: Diagnostic[]): PlacedRule[] {
  const base: PlacedRule = { direction: 'forward', action: r.action, protocol: r.protocol, origins: [r.origin] };
  if (r.ports.length) base.dstPorts = { label: '', ranges: r.ports };
  if (r.icmpTypes) base.icmpTypes = r.icmpTypes;
  const ep = (n: NamedSet | undefined) => (n ? { name: n.name, set: n.set } : undefined);
  const withEnds = (rule: PlacedRule, src?: Endpoint, dst?: Endpoint) => {
    if (src) rule.src = src;
    if (dst) rule.dst = dst;
    return [rule];
  };
  if (fw.placement.kind === 'gateway') {
    // A gateway's rules judge traffic between its zones: the rule, as written, within each
    // ordered pair of zones. An end left out is any other zone, not "any".
    return zonePairs(fw.placement.zones).flatMap(([zoneFrom, zoneTo]) => {
      const src = within(r.from, zoneFrom);
      const dst = within(r.to, zoneTo);
      return src && dst ? withEnds({ ...base }, src, dst) : [];
    });
  }

  const host = fw.placement.on;
  const touches = (n: NamedSet | undefined) => n !== undefined && !isEmpty(intersect(n.set, host.set));
  if (r.from && !r.to) return withEnds({ ...base, direction: 'input' }, ep(r.from));
  if (r.to && !r.from) return withEnds({ ...base, direction: 'output' }, undefined, ep(r.to));
  if (touches(r.to) && !touches(r.from)) {
    const l = localPart(host, r.to!);
    return withEnds({ ...base, direction: 'input' }, ep(r.from), l);
  }
  if (touches(r.from) && !touches(r.to)) {
    const l = localPart(host, r.from!);
    return withEnds({ ...base, direction: 'output' }, l, ep(r.to));
  }
  diagnostics.push(diagnostic('MSGR048', file, r.origin, `on host firewall ${fw.name}, a rule with both from and to needs exactly one side to be the host (${host.name})`, `write \`from X\` for inbound or \`to Y\` for outbound traffic of ${host.name}`));
  return [];
}

/** The part of a rule's end inside a zone (the whole zone when the end is left out). */
function within(end: NamedSet | undefined, zone: NamedSet): Endpoint | undefined {
  if (!end) return { name: zone.name, set: zone.set };
  return crossing({ name: end.name, set: end.set }, zone);
}

function localPart(host: NamedSet, side: NamedSet): Endpoint | undefined {
  const common = intersect(host.set, side.set);
  return equals(common, host.set) ? undefined : { name: `${host.name}&${side.name}`, set: common };
}
