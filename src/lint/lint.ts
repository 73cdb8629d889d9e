import { intersect, isEmpty, isSubset, type AddressSet } from '../addresses/set.js';
import { CATALOG } from '../catalog/catalog.js';
import { diagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PlacedFirewall, PlacedRule } from '../place/placed.js';
import { statementText, type ClientGroup, type Feature, type Model, type Origin, type PortRange } from '../resolve/model.js';
import { regionOf, regionsIntersect, subtract, type RuleRegion } from './region.js';

/**
 * Lints: policies that compile but very likely do not mean what they say. They run after
 * placement, on each firewall's rules in policy order (before optimisation, which would merge
 * away what they look at), and only ever warn: a lint never stops a compile.
 */
export function lintPolicy(model: Model, firewalls: readonly PlacedFirewall[]): Diagnostic[] {
  return [
    ...firewalls.flatMap((fw) => lintFirewall(model.file, fw)),
    ...model.clients.flatMap((group) => lintPeers(model.file, group)),
    ...firewalls.flatMap((fw) => lintManagement(model.file, fw)),
  ];
}

/** SSH, Remote Desktop and WinRM (HTTP and HTTPS): how administrators reach a host. */
export const MANAGEMENT_PORTS: readonly (PortRange & { service: string })[] = [
  { from: 22, to: 22, service: 'SSH' },
  { from: 3389, to: 3389, service: 'Remote Desktop' },
  { from: 5985, to: 5986, service: 'WinRM' },
];

const PEER_FEATURES: ReadonlySet<Feature> = new Set(CATALOG.filter((e) => e.initiator === 'peer').flatMap((e) => e.features));

interface Rule {
  placed: PlacedRule;
  region: RuleRegion;
  origin: Origin;
  /** The statement as written, e.g. `allow tcp 22 from admins`. */
  text: string;
}

const verb = (r: PlacedRule) => (r.action === 'accept' ? 'allow' : 'deny');
const sameKind = (a: PlacedRule, b: PlacedRule) => a.direction === b.direction && a.protocol === b.protocol;
const lineList = (lines: readonly number[]) => {
  const u = [...new Set(lines)].sort((a, b) => a - b);
  return u.length === 1 ? `line ${u[0]}` : `lines ${u.slice(0, -1).join(', ')} and ${u[u.length - 1]}`;
};
const refs = (rules: readonly Rule[]) => rules.map((r) => `line ${r.origin.line} (\`${r.text}\`)`).join(' and ');

/**
 * MSGR070: a plain rule whose every packet an earlier plain rule already decides (first match
 * wins, so it can never match). MSGR071: a plain allow whose packets Messenger's own rules for
 * this firewall already accept, with no later plain deny that would catch them instead.
 */
function lintFirewall(file: string, fw: PlacedFirewall): Diagnostic[] {
  const host = fw.firewall.placement.kind === 'host' ? fw.firewall.placement.on.set : undefined;
  const plain: Rule[] = [];
  const messenger: Rule[] = [];
  for (const placed of fw.rules) {
    const origin = placed.origins[0];
    if (!origin) continue;
    const rule = lazyRule(placed, host, origin);
    (placed.catalog === undefined ? plain : messenger).push(rule);
  }
  const out: Diagnostic[] = [];
  plain.forEach((rule, i) => {
    if (rule.region.length === 0) return; // matches nothing at all: MSGR043 already says so
    const earlier = plain.slice(0, i).filter((e) => sameKind(e.placed, rule.placed) && regionsIntersect(e.region, rule.region));
    const rest = subtract(rule.region, earlier.map((e) => e.region));
    if (rest === undefined) return;
    if (rest.length === 0) {
      out.push(shadowed(file, rule, earlier));
      return;
    }
    if (rule.placed.action !== 'accept') return;
    const later = plain.slice(i + 1).filter((l) => l.placed.action !== 'accept' && sameKind(l.placed, rule.placed));
    if (later.some((l) => regionsIntersect(l.region, rest))) return;
    const accepting = messenger.filter((m) => m.placed.action === 'accept' && sameKind(m.placed, rule.placed) && regionsIntersect(m.region, rest));
    if (accepting.length === 0 || subtract(rest, accepting.map((m) => m.region))?.length !== 0) return;
    const ids = [...new Set(accepting.flatMap((m) => m.placed.catalog ?? []))].join(', ');
    const lines = accepting.flatMap((m) => m.placed.origins.map((o) => o.line));
    out.push(
      diagnostic(
        'MSGR071',
        file,
        rule.origin,
        `\`${rule.text}\` adds nothing: Messenger's own rules on firewall ${fw.firewall.name} (${ids}, from ${lineList(lines)}) already accept everything it matches`,
        "remove it: Messenger's rules follow the clients' features and port ranges, so a copy would keep ports open after those change",
      ),
    );
  });
  return out;
}

/**
 * A rule whose region is worked out when a lint first asks for it: most of a large firewall's
 * rules are Messenger's, and only a plain allow ever compares against them.
 */
function lazyRule(placed: PlacedRule, host: AddressSet | undefined, origin: Origin): Rule {
  let region: RuleRegion | undefined;
  return {
    placed,
    get region() {
      return (region ??= regionOf(placed, host));
    },
    origin,
    text: statementText(origin),
  };
}

function shadowed(file: string, rule: Rule, earlier: readonly Rule[]): Diagnostic {
  const mine = verb(rule.placed);
  const opposite = earlier.filter((e) => e.placed.action !== rule.placed.action);
  if (opposite.length === 0) {
    return diagnostic(
      'MSGR070',
      file,
      rule.origin,
      `\`${rule.text}\` can never match: ${refs(earlier)} already ${mine === 'allow' ? 'allows' : 'denies'} everything it matches`,
      'remove it: it changes nothing',
    );
  }
  const other = mine === 'allow' ? 'deny' : 'allow';
  const first = Math.min(...opposite.map((e) => e.origin.line));
  return diagnostic(
    'MSGR070',
    file,
    rule.origin,
    `\`${rule.text}\` can never match: ${refs(earlier)} come${earlier.length === 1 ? 's' : ''} first and cover${earlier.length === 1 ? 's' : ''} everything it matches, so the ${other} on ${lineList(opposite.map((e) => e.origin.line))} wins over this ${mine}`,
    `first match wins: if this ${mine} should win, put it before line ${first}; otherwise remove it`,
  );
}

/**
 * MSGR072: peers that take in some of the clients but not all. The clients inside the peers
 * may then use the peer-to-peer features with every client, the others not with each other.
 * Peers that contain every client (the default, or `peers clients, partners`) are fine, and so
 * are peers that hold none of them.
 */
function lintPeers(file: string, group: ClientGroup): Diagnostic[] {
  const p2p = group.features.filter((f) => PEER_FEATURES.has(f.name)).map((f) => f.name);
  if (p2p.length === 0) return [];
  const inside = intersect(group.peers.set, group.set);
  if (isEmpty(inside) || isSubset(group.set, group.peers.set)) return [];
  return [
    diagnostic(
      'MSGR072',
      file,
      group.peers.origin,
      `peers ${group.peers.name} take in only part of clients ${group.name}: clients outside ${group.peers.name} cannot use ${p2p.join(', ')} with each other, those inside can`,
      `name the clients among the peers (\`peers ${group.name}, …\`) so every client is a peer, or choose peers that hold none of them`,
    ),
  ];
}

/**
 * MSGR073: a host firewall that denies inbound traffic by default and has no plain allow rule
 * that lets SSH, Remote Desktop or WinRM in (a rule for every port counts): whoever applies it
 * from a remote session locks themselves out.
 */
function lintManagement(file: string, fw: PlacedFirewall): Diagnostic[] {
  const f = fw.firewall;
  const placement = f.placement;
  if (placement.kind !== 'host' || f.defaultVerdict !== 'drop') return [];
  const opens = fw.rules.some(
    (r) =>
      r.catalog === undefined &&
      r.action === 'accept' &&
      r.direction === 'input' &&
      r.protocol === 'tcp' &&
      (r.dstPorts === undefined || r.dstPorts.ranges.some((p) => MANAGEMENT_PORTS.some((m) => p.from <= m.to && m.from <= p.to))) &&
      reachesHost(r, placement.on.set),
  );
  if (opens) return [];
  const windowsOnly = f.targets.length > 0 && f.targets.every((t) => t === 'netsh');
  const example = windowsOnly ? 'allow tcp 3389 from NET' : 'allow tcp 22 from NET';
  const services = MANAGEMENT_PORTS.map((m) => `${m.service} ${m.from === m.to ? m.from : `${m.from}-${m.to}`}/tcp`).join(', ');
  return [
    diagnostic(
      'MSGR073',
      file,
      f.origin,
      `host firewall ${f.name} denies inbound traffic by default and no rule lets management in (${services}): applied from a remote session, it locks its administrators out`,
      `add e.g. \`${example}\` for the network the administrators work from; ignore this if ${placement.on.name} is managed from its console`,
    ),
  ];
}

const reachesHost = (r: PlacedRule, host: AddressSet) => r.dst === undefined || !isEmpty(intersect(r.dst.set, host));
