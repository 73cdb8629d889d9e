import { intersect, isEmpty, isSubset, type AddressSet } from '../addresses/set.js';
import { CATALOG } from '../catalog/catalog.js';
import { diagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PlacedFirewall, PlacedRule } from '../place/placed.js';
import { statementText, type ClientGroup, type Feature, type Model, type Origin, type PortRange } from '../resolve/model.js';
import { regionOf, regionsIntersect, RuleLists, subtract, type RuleRegion } from './region.js';
import { GrowingRegionIndex, RegionIndex } from '../addresses/regionIndex.js';

/**
 * Lints: policies that compile but very likely do not mean what they say. They run after
 * placement, on each firewall's rules in policy order (before optimisation, which would merge
 * away what they look at), and only ever warn: a lint never stops a compile.
 */
export function lintPolicy(model: Model, firewalls: readonly PlacedFirewall[]): Diagnostic[] {
  const lists = new RuleLists();
  return [
    ...firewalls.flatMap((fw) => lintFirewall(model.file, fw, lists)),
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
/**
 * A message names at most this many rules or lines, then says how many more: a rule covered by
 * a thousand earlier ones gets a warning of one line, not of a thousand.
 */
const NAMED_MAX = 10;
const lineList = (lines: readonly number[]) => {
  const u = [...new Set(lines)].sort((a, b) => a - b);
  if (u.length > NAMED_MAX) return `lines ${u.slice(0, NAMED_MAX).join(', ')} and ${u.length - NAMED_MAX} more`;
  return u.length === 1 ? `line ${u[0]}` : `lines ${u.slice(0, -1).join(', ')} and ${u[u.length - 1]}`;
};
const refs = (rules: readonly Rule[]) => {
  const named = rules.slice(0, NAMED_MAX).map((r) => `line ${r.origin.line} (\`${r.text}\`)`);
  return rules.length > NAMED_MAX ? `${named.join(', ')} and ${rules.length - NAMED_MAX} more` : named.join(' and ');
};

/**
 * MSGR070: a plain rule whose every packet an earlier plain rule already decides (first match
 * wins, so it can never match). MSGR071: a plain allow whose packets Messenger's own rules for
 * this firewall already accept, with no later plain deny that would catch them instead.
 */
function lintFirewall(file: string, fw: PlacedFirewall, lists: RuleLists): Diagnostic[] {
  const host = fw.firewall.placement.kind === 'host' ? fw.firewall.placement.on.set : undefined;
  const plain: Rule[] = [];
  const messenger: Rule[] = [];
  for (const placed of fw.rules) {
    const origin = placed.origins[0];
    if (!origin) continue;
    const rule = new LazyRule(placed, host, origin, lists);
    (placed.catalog === undefined ? plain : messenger).push(rule);
  }
  const out: Diagnostic[] = [];
  // Rules are compared only with those whose hulls meet theirs (src/lint/regionIndex.ts), then
  // exactly: the earlier plain rules as they are reached, the later denies and Messenger's accepts.
  const earlierOfKind = new Map<string, GrowingRegionIndex>();
  const laterDenies = kindIndex(plain, (r) => r.placed.action !== 'accept');
  const accepting = kindIndex(messenger, (r) => r.placed.action === 'accept');
  const plainRegions = plain.map((r) => r.region);
  plain.forEach((rule, i) => {
    const key = kindKey(rule.placed);
    let earlierIndex = earlierOfKind.get(key);
    if (!earlierIndex) earlierOfKind.set(key, (earlierIndex = new GrowingRegionIndex(plainRegions)));
    const found = lintPlainRule(file, fw, rule, i, plain, earlierIndex, laterDenies, accepting);
    if (found) out.push(found);
    earlierIndex.add(i);
  });
  return out;
}

/**
 * How many rules a plain rule is compared with, at most: a rule whose region overlaps (by its
 * hulls) more earlier rules, or more later denies, is not linted. The lints stay silent rather
 * than guess, as when a comparison takes more than its work limit (src/lint/region.ts), and a
 * policy of tens of thousands of overlapping rules is linted in bounded time.
 */
const MAX_COMPARED = 256;

function lintPlainRule(
  file: string,
  fw: PlacedFirewall,
  rule: Rule,
  i: number,
  plain: readonly Rule[],
  earlierIndex: GrowingRegionIndex,
  laterDenies: KindIndex,
  accepting: KindIndex,
): Diagnostic | undefined {
  if (rule.region.length === 0) return undefined; // matches nothing at all: MSGR043 already says so
  const earlier = earlierIndex
    .meetingRegion(rule.region, MAX_COMPARED)
    ?.map((k) => plain[k]!)
    .filter((e) => regionsIntersect(e.region, rule.region));
  if (!earlier) return undefined;
  const rest = subtract(rule.region, earlier.map((e) => e.region));
  if (rest === undefined) return undefined;
  if (rest.length === 0) return shadowed(file, rule, earlier);
  if (rule.placed.action !== 'accept') return undefined;
  const denies = laterDenies(rule.placed, rest, MAX_COMPARED);
  if (!denies || denies.some((l) => l.position > i && regionsIntersect(l.rule.region, rest))) return undefined;
  const already = accepting(rule.placed, rest)!
    .map((m) => m.rule)
    .filter((m) => regionsIntersect(m.region, rest));
  if (already.length === 0 || subtract(rest, already.map((m) => m.region))?.length !== 0) return undefined;
  const ids = [...new Set(already.flatMap((m) => m.placed.catalog ?? []))].join(', ');
  const lines = already.flatMap((m) => m.placed.origins.map((o) => o.line));
  return diagnostic(
    'MSGR071',
    file,
    rule.origin,
    `\`${rule.text}\` adds nothing: Messenger's own rules on firewall ${fw.firewall.name} (${ids}, from ${lineList(lines)}) already accept everything it matches`,
    "remove it: Messenger's rules follow the clients' features and port ranges, so a copy would keep ports open after those change",
  );
}

const kindKey = (r: PlacedRule) => `${r.direction} ${r.protocol}`;

/** The rules (and their positions) of one direction and protocol whose region may meet `region`, in order; undefined past `limit`. */
type KindIndex = (like: PlacedRule, region: RuleRegion, limit?: number) => { rule: Rule; position: number }[] | undefined;

/** A KindIndex over the rules that pass `keep`; each direction and protocol indexed when first asked about. */
function kindIndex(rules: readonly Rule[], keep: (r: Rule) => boolean): KindIndex {
  const byKind = new Map<string, RegionIndex>();
  return (like, region, limit) => {
    const key = kindKey(like);
    let index = byKind.get(key);
    if (!index) {
      const positions = rules.flatMap((r, k) => (kindKey(r.placed) === key && keep(r) ? [k] : []));
      byKind.set(key, (index = new RegionIndex(positions.map((k) => rules[k]!.region), positions)));
    }
    return index.meetingRegion(region, limit)?.map((position) => ({ rule: rules[position]!, position }));
  };
}

/**
 * A rule whose region and text are worked out when a lint first asks for them: most of a large
 * firewall's rules are Messenger's, and only a plain allow ever compares against them. A class,
 * not an object literal with getters: V8 builds such a literal's accessors one by one, for each
 * of the tens of thousands of rules.
 */
class LazyRule implements Rule {
  private regionMade: RuleRegion | undefined;
  private textMade: string | undefined;

  constructor(
    readonly placed: PlacedRule,
    private readonly host: AddressSet | undefined,
    readonly origin: Origin,
    private readonly lists: RuleLists,
  ) {}

  get region(): RuleRegion {
    return (this.regionMade ??= regionOf(this.placed, this.host, this.lists));
  }

  get text(): string {
    return (this.textMade ??= statementText(this.origin));
  }
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
