import { containsAddress, type AddressSet } from '../addresses/set.js';
import type { IrDirection, IrOrigin, IrPorts, IrRule, IrVerdict } from '../ir/types.js';
import { reversed, type Packet } from './packet.js';
import { sideSet, type FirewallView } from './view.js';
import { zoneListText } from '../ir/zonePairs.js';

/**
 * What one firewall does with a packet that opens a new connection, with exactly the targets'
 * semantics: the preamble (which cannot decide a connection's first TCP/UDP packet: loopback
 * is not a policy address, `established` needs an existing connection, `invalid` a packet
 * conntrack cannot place, `icmp` another protocol), then the rules in order, first match wins,
 * then the direction's policy.
 *
 * - `accept` / `drop`: the verdict on the packet as the opening packet of a connection;
 * - `return-only`: dropped as an opening packet, but the reversed packet opens a connection the
 *   same firewall accepts, so this packet passes as that connection's return traffic;
 * - `not-seen`: the firewall does not filter this packet at all.
 */
export type Verdict = IrVerdict | 'return-only' | 'not-seen';

export interface RuleDecision {
  kind: 'rule';
  rule: IrRule;
  origins: IrOrigin[];
}

export interface PolicyDecision {
  kind: 'policy';
  direction: IrDirection;
  verdict: IrVerdict;
}

/** How a connection's opening packet is decided: by a rule or by the direction's policy. */
export type NewConnectionDecision = RuleDecision | PolicyDecision;

export interface ReturnTrafficDecision {
  kind: 'return-traffic';
  /** The packet as the other side would send it to open the connection. */
  reverse: Packet;
  /** The direction the reversed packet has at this firewall. */
  direction: IrDirection;
  /** What accepts the reversed packet: the rule, or the policy of its direction. */
  openedBy: NewConnectionDecision;
  /** The rule that accepts the reverse, when a rule does (the policy otherwise). */
  rule?: IrRule;
  /** What drops this packet when it opens a connection itself. */
  asNewConnection: NewConnectionDecision;
}

export interface NotSeen {
  kind: 'not-seen';
  reason: string;
}

/**
 * A gateway's `others deny`: the packet is forwarded between none of its zones (assumed routed
 * through the gateway: from the addresses alone, a gateway cannot tell), so it is dropped.
 */
export interface OthersDecision {
  kind: 'others';
  verdict: IrVerdict;
}

export interface Evaluation {
  firewall: string;
  /** Where the packet meets the firewall; absent when it does not. */
  direction?: IrDirection;
  verdict: Verdict;
  decidedBy: NewConnectionDecision | ReturnTrafficDecision | NotSeen | OthersDecision;
}

export interface EvaluateOptions {
  /**
   * Where the packet meets the firewall, when the caller knows (e.g. it is routed through the
   * gateway). Without it the direction follows from the addresses.
   */
  direction?: IrDirection;
}

const inSet = (set: AddressSet | undefined, p: Packet, address: bigint) => set === undefined || containsAddress(set, p.family, address);
const inPorts = (ports: IrPorts | undefined, port: number) => ports === undefined || ports.ranges.some((r) => r.from <= port && port <= r.to);

export function ruleMatches(view: FirewallView, rule: IrRule, direction: IrDirection, p: Packet): boolean {
  return (
    rule.direction === direction &&
    rule.protocol === p.protocol &&
    rule.families.includes(p.family) &&
    inSet(sideSet(view, rule.src), p, p.src) &&
    inSet(sideSet(view, rule.dst), p, p.dst) &&
    (p.protocol === 'icmp'
      ? (rule.icmpTypes ?? []).some((t) => (p.family === 4 ? t.v4 : t.v6) === p.icmpType)
      : inPorts(rule.srcPorts, p.sport) && inPorts(rule.dstPorts, p.dport))
  );
}

/** First match over the rules of one direction, then its policy; undefined when the firewall has no chain for it. */
export function decideNewConnection(view: FirewallView, direction: IrDirection, p: Packet): NewConnectionDecision | undefined {
  const rule = view.ir.rules.find((r) => ruleMatches(view, r, direction, p));
  if (rule) return { kind: 'rule', rule, origins: rule.origins };
  const verdict = view.ir.policy[direction];
  return verdict === undefined ? undefined : { kind: 'policy', direction, verdict };
}

const verdictOf = (d: NewConnectionDecision): IrVerdict => (d.kind === 'rule' ? d.rule.action : d.verdict);

/** The reply to a packet seen in `direction` travels the other way through the same firewall. */
const REPLY_DIRECTION: Record<IrDirection, IrDirection> = { input: 'output', output: 'input', forward: 'forward' };

/** Whether the packet goes from one zone of a gateway to another (what its rules judge). */
function crossesZones(view: FirewallView, p: Packet): boolean {
  const z = view.zones;
  if (z.kind !== 'gateway') return false;
  // Zones are disjoint: the source is in at most one, the destination in at most one.
  const from = z.zones.findIndex((zone) => containsAddress(zone.set, p.family, p.src));
  const to = z.zones.findIndex((zone) => containsAddress(zone.set, p.family, p.dst));
  return from >= 0 && to >= 0 && from !== to;
}

/**
 * The directions in which a firewall judges the packet, from the addresses alone: a host firewall
 * on NET sees it as input when the destination is in NET and as output when the source is (both
 * for traffic among its own hosts); a gateway judges forwarded traffic from one zone to the other.
 */
export function directionsOf(view: FirewallView, p: Packet): IrDirection[] {
  const z = view.zones;
  if (z.kind === 'gateway') return crossesZones(view, p) ? ['forward'] : [];
  const has = (a: bigint) => containsAddress(z.on.set, p.family, a);
  return [...(has(p.dst) ? (['input'] as const) : []), ...(has(p.src) ? (['output'] as const) : [])];
}

/**
 * One evaluation per direction the firewall judges the packet in, or one `not-seen`. With
 * `options.direction` (where the packet is known to meet the machine, as a kernel probe knows)
 * exactly one evaluation, in that direction.
 */
export function evaluate(view: FirewallView, p: Packet, options: EvaluateOptions = {}): Evaluation[] {
  const z = view.zones;
  if (options.direction !== undefined) {
    if (z.kind === 'gateway' && options.direction === 'forward' && !crossesZones(view, p)) return [others(view, z)];
    return [evaluateIn(view, options.direction, p)];
  }
  const directions = directionsOf(view, p);
  if (directions.length) return directions.map((d) => evaluateIn(view, d, p));
  return [z.kind === 'host' ? notSeen(view, `neither address is in ${z.on.name}, the network the host firewall runs on`) : others(view, z)];
}

/** Forwarded traffic between none of a gateway's zones: left alone, or dropped by `others deny`. */
function others(view: FirewallView, z: Extract<FirewallView['zones'], { kind: 'gateway' }>): Evaluation {
  if (z.others === 'drop') return { firewall: view.ir.name, direction: 'forward', verdict: 'drop', decidedBy: { kind: 'others', verdict: 'drop' } };
  return notSeen(view, `the packet does not go from one of ${zoneListText(z.zones.map((x) => x.name))} to another: the gateway leaves other forwarded traffic alone (others accept)`, 'forward');
}

function notSeen(view: FirewallView, reason: string, direction?: IrDirection): Evaluation {
  const e: Evaluation = { firewall: view.ir.name, verdict: 'not-seen', decidedBy: { kind: 'not-seen', reason } };
  if (direction) e.direction = direction;
  return e;
}

/** The packet in a given direction: first match, then the return-traffic view of a drop. */
export function evaluateIn(view: FirewallView, direction: IrDirection, p: Packet): Evaluation {
  const firewall = view.ir.name;
  const decision = decideNewConnection(view, direction, p);
  if (!decision) {
    const what = view.zones.kind === 'gateway' ? 'a gateway firewall filters forwarded traffic only' : 'a host firewall does not filter forwarded traffic';
    return notSeen(view, `${what}, not ${direction}`, direction);
  }
  // An ICMP query's reply is a reply, never a query of its own: nothing opens it the other way.
  if (verdictOf(decision) === 'accept' || !view.ir.preamble.includes('established') || p.protocol === 'icmp') {
    return { firewall, direction, verdict: verdictOf(decision), decidedBy: decision };
  }
  const reverse = reversed(p);
  const replyDirection = REPLY_DIRECTION[direction];
  const opener = decideNewConnection(view, replyDirection, reverse);
  if (opener && verdictOf(opener) === 'accept') {
    const decidedBy: ReturnTrafficDecision = { kind: 'return-traffic', reverse, direction: replyDirection, openedBy: opener, asNewConnection: decision };
    if (opener.kind === 'rule') decidedBy.rule = opener.rule;
    return { firewall, direction, verdict: 'return-only', decidedBy };
  }
  return { firewall, direction, verdict: 'drop', decidedBy: decision };
}

/** The packet at every firewall, `not-seen` included (callers that want only those that see it filter). */
export function evaluateAll(views: readonly FirewallView[], p: Packet, options: EvaluateOptions = {}): Evaluation[] {
  return views.flatMap((v) => evaluate(v, p, options));
}
