import { formatAddress } from '../addresses/cidr.js';
import { CATALOG, type CatalogEntry } from '../catalog/catalog.js';
import { evaluate, type Evaluation, type NewConnectionDecision, type Verdict } from '../evaluate/evaluate.js';
import { icmpName, packetText, type Packet } from '../evaluate/packet.js';
import { placementText, type FirewallView } from '../evaluate/view.js';
import type { IrDirection, IrFirewall, IrPortRange as PortRange, IrRule, IrSettingOrigin, IrVerdict } from '../ir/types.js';
import type { TargetNote, TargetNotes } from '../ir/targets.js';
import { ruleMatchText } from './ruleText.js';
import { quoteOrigins, type PolicySource, type QuotedLine } from './source.js';

/** What `msgrfw explain` reports, as plain data (`--format json` prints exactly this). */
export interface Explanation {
  packet: PacketJson;
  /** One per firewall and direction that judges the packet (with `-f`: that firewall, seen or not). */
  evaluations: ExplainedEvaluation[];
}

export interface PacketJson {
  text: string;
  protocol: Packet['protocol'];
  family: Packet['family'];
  src: string;
  /** TCP and UDP. */
  sport?: number;
  dst: string;
  dport?: number;
  /** ICMP: the message (`echo-request`). */
  icmpType?: string;
}

export interface ExplainedEvaluation {
  firewall: string;
  placement: string;
  direction?: IrDirection;
  verdict: Verdict;
  decidedBy: ExplainedDecision;
  /**
   * The firewall's targets that do not write exactly this verdict logic: refused (MSGR060,
   * compile writes nothing for them) or approximated (MSGR061). Empty when every target is exact.
   */
  targets: TargetNote[];
}

export interface ExplainedRule {
  id: string;
  match: string;
  comment: string;
  /** The Messenger catalog entries the rule implements; empty for a plain rule. */
  catalog: { id: string; summary: string; source: string }[];
}

export type ExplainedNewConnection =
  | { kind: 'rule'; verdict: IrVerdict; rule: ExplainedRule; lines: QuotedLine[] }
  | { kind: 'policy'; verdict: IrVerdict; direction: IrDirection; written: boolean; lines: QuotedLine[] };

export type ExplainedDecision =
  | ExplainedNewConnection
  | { kind: 'return-traffic'; reverse: PacketJson; direction: IrDirection; openedBy: ExplainedNewConnection; asNewConnection: ExplainedNewConnection }
  | { kind: 'not-seen'; reason: string }
  /** A gateway's `others deny`: forwarded between none of its zones. */
  | { kind: 'others'; verdict: IrVerdict; written: boolean; lines: QuotedLine[] };

export interface ExplainContext {
  views: readonly FirewallView[];
  /** The policy text, for quoting the lines a decision comes from. */
  source: PolicySource;
  /** What the firewalls' targets cannot express exactly (targets/judge.ts); none when absent. */
  targetNotes?: TargetNotes;
}

/**
 * Explains the packet at every firewall that judges it, or at the chosen one (then also when
 * it does not see the packet, saying why).
 */
export function explainPacket(ctx: ExplainContext, packet: Packet, firewall?: string): Explanation {
  const views = firewall === undefined ? ctx.views : ctx.views.filter((v) => v.ir.name === firewall);
  const evaluations = views.flatMap((view) =>
    evaluate(view, packet)
      .filter((e) => firewall !== undefined || e.verdict !== 'not-seen')
      .map((e) => explainEvaluation(ctx, view, packet, e)),
  );
  return { packet: packetJson(packet), evaluations };
}

/**
 * Whether a firewall stops the packet as what it is, the opening packet of a new connection:
 * dropped, or dropped as new and passed only as the reply of a connection the other side opens.
 */
export function isDropped(e: ExplainedEvaluation): boolean {
  return e.verdict === 'drop' || e.verdict === 'return-only';
}

export function packetJson(p: Packet): PacketJson {
  const ends = { src: formatAddress(p.family, p.src), dst: formatAddress(p.family, p.dst) };
  if (p.protocol === 'icmp') return { text: packetText(p), protocol: p.protocol, family: p.family, ...ends, icmpType: icmpName(p) };
  return { text: packetText(p), protocol: p.protocol, family: p.family, src: ends.src, sport: p.sport, dst: ends.dst, dport: p.dport };
}

function explainEvaluation(ctx: ExplainContext, view: FirewallView, packet: Packet, e: Evaluation): ExplainedEvaluation {
  const out: ExplainedEvaluation = {
    firewall: e.firewall,
    placement: placementText(view.zones),
    verdict: e.verdict,
    decidedBy: explainDecision(ctx, view.ir, packet, e.decidedBy),
    targets: [...(ctx.targetNotes?.get(e.firewall) ?? [])],
  };
  if (e.direction) out.direction = e.direction;
  return out;
}

function explainDecision(ctx: ExplainContext, fw: IrFirewall, packet: Packet, d: Evaluation['decidedBy']): ExplainedDecision {
  if (d.kind === 'not-seen') return { kind: 'not-seen', reason: d.reason };
  if (d.kind === 'others') {
    const setting = fw.placement.kind === 'gateway' ? fw.placement.othersOrigin : { origin: fw.origin, written: false };
    return { kind: 'others', verdict: d.verdict, written: setting.written, lines: quoteOrigins(ctx.source, [setting.origin]) };
  }
  if (d.kind !== 'return-traffic') return explainNewConnection(ctx, fw, packet, d);
  return {
    kind: 'return-traffic',
    reverse: packetJson(d.reverse),
    direction: d.direction,
    openedBy: explainNewConnection(ctx, fw, d.reverse, d.openedBy),
    asNewConnection: explainNewConnection(ctx, fw, packet, d.asNewConnection),
  };
}

function explainNewConnection(ctx: ExplainContext, fw: IrFirewall, packet: Packet, d: NewConnectionDecision): ExplainedNewConnection {
  if (d.kind === 'rule') {
    return { kind: 'rule', verdict: d.rule.action, rule: explainRule(fw, d.rule, packet.protocol === 'icmp' ? undefined : [{ from: packet.dport, to: packet.dport }]), lines: quoteOrigins(ctx.source, d.origins) };
  }
  const setting = policyOrigin(fw, d.direction);
  return { kind: 'policy', verdict: d.verdict, direction: d.direction, written: setting.written, lines: quoteOrigins(ctx.source, [setting.origin]) };
}

/** A rule with its match text and catalog entries; with `dports`, only the entries that can reach them. */
export function explainRule(fw: IrFirewall, rule: IrRule, dports?: readonly PortRange[]): ExplainedRule {
  return {
    id: rule.id,
    match: ruleMatchText(fw, rule),
    comment: rule.comment,
    catalog: catalogEntries(rule, dports).map((c) => ({ id: c.id, summary: c.summary, source: c.source })),
  };
}

/** The statement a direction's default comes from (the firewall's line when the policy leaves it out). */
export function policyOrigin(fw: IrFirewall, direction: IrDirection): IrSettingOrigin {
  return fw.policyOrigins[direction] ?? { origin: fw.origin, written: false };
}

/**
 * The catalog entries behind a rule (several once the optimiser merged rules); for given
 * destination ports only the entries whose fixed ports meet them are named.
 */
function catalogEntries(rule: IrRule, dports?: readonly PortRange[]): CatalogEntry[] {
  const entries = (rule.catalog ?? []).flatMap((id) => CATALOG.filter((c) => c.id === id));
  if (!dports) return entries;
  const meets = (c: CatalogEntry) => c.dstPorts.kind !== 'fixed' || dports.some((r) => r.from <= (c.dstPorts as { to: number }).to && (c.dstPorts as { from: number }).from <= r.to);
  const fits = entries.filter(meets);
  return fits.length ? fits : entries;
}
