import { formatPortRange } from '../addresses/ports.js';
import { cidrTexts } from '../addresses/set.js';
import type { Family } from '../addresses/cidr.js';
import { firewallViews, placementText, type AddressSets, type FirewallView, type Zone } from '../evaluate/view.js';
import { explainRule, policyOrigin, type ExplainedRule } from '../explain/explain.js';
import { ruleMatchText } from '../explain/ruleText.js';
import { quoteOrigins, type PolicySource, type QuotedLine } from '../explain/source.js';
import type { IrDirection, IrDocument, IrProtocol, IrVerdict } from '../ir/types.js';
import type { TargetNote, TargetNotes } from '../ir/targets.js';
import { intersect, Work, WorkLimitExceeded, type Box, type IntervalList, type Region } from '../addresses/boxes.js';
import { normalizeIntervals } from '../addresses/set.js';
import { openingByNumber } from '../icmp/messages.js';
import { ALL_PORTS, decisions, DIRECTIONS, FAMILIES, PROTOCOLS, type Decided, type Slice } from './decisions.js';
import { rows } from './rows.js';

/** One version of a policy, compiled, with its text for quoting. */
export interface PolicyVersion {
  ir: IrDocument;
  source: PolicySource;
  /** What the firewalls' targets cannot express exactly (targets/judge.ts); none when absent. */
  targetNotes?: TargetNotes;
}

/** One row of a report: every connection of the product of these lists. */
export interface TrafficClass {
  protocol: IrProtocol;
  direction: IrDirection;
  family: Family;
  /** Minimal CIDR blocks (0.0.0.0/0 or ::/0 for every address). */
  src: string[];
  dst: string[];
  /** TCP and UDP: port ranges (1-65535 for every port). */
  srcPorts?: string[];
  dstPorts?: string[];
  /** ICMP: the queries (`echo-request`). */
  icmpTypes?: string[];
}

/** What decides a part of the traffic in one version of the policy. */
export interface Cause {
  kind: 'rule' | 'policy' | 'others' | 'unjudged';
  /** accept or drop; absent for traffic the firewall does not judge. */
  verdict?: IrVerdict;
  rules: ExplainedRule[];
  /** The directions whose default decides (kind `policy`), and whether the policy writes it. */
  defaults: { direction: IrDirection; written: boolean }[];
  lines: QuotedLine[];
}

/** Traffic whose verdict changed, with what decides it in each version. */
export interface Change {
  old: Cause;
  new: Cause;
  classes: TrafficClass[];
}

export interface FirewallDiff {
  name: string;
  /** `changed`: what the firewall accepts changed; `unchanged`: it did not (rules may be reworded). */
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  placement: { old?: string; new?: string };
  /** Changes that do not change what is accepted: targets (and what they refuse or approximate), logging, placement. */
  notes: string[];
  /** Connections NEW accepts and OLD did not; the new cause is responsible. */
  newlyAllowed: Change[];
  /** Connections OLD accepted and NEW does not; the old cause is what allowed them. */
  newlyDenied: Change[];
  /** Rules by their match text (ids and origins ignored). */
  rules: { added: string[]; removed: string[] };
}

export interface PolicyDiff {
  old: string;
  new: string;
  /** Whether any firewall accepts other connections than before (diff(1)'s exit 1). */
  changed: boolean;
  firewalls: FirewallDiff[];
}

/**
 * How many steps of box arithmetic (see `Work`) one diff may take: about two seconds here. A
 * pair of policies whose rules cut each other into ever more pieces could otherwise take hours.
 */
export const DIFF_WORK_LIMIT = 20_000_000;

/** The diff stopped at its work limit, while comparing this firewall. */
export class DiffTooComplex extends Error {
  constructor(
    readonly firewall: string,
    readonly limit: number,
  ) {
    super(`comparing firewall ${firewall} takes more than ${limit} steps of box arithmetic`);
  }
}

/**
 * The semantic difference between two versions of a policy, firewall by firewall; `work` counts
 * the steps it takes and throws `DiffTooComplex` past its limit.
 */
export function diffPolicies(oldP: PolicyVersion, newP: PolicyVersion, only?: string, work = new Work(DIFF_WORK_LIMIT)): PolicyDiff {
  const sets: AddressSets = new Map();
  const oldViews = firewallViews(oldP.ir, sets);
  const newViews = firewallViews(newP.ir, sets);
  const names = [...new Set([...newViews, ...oldViews].map((v) => v.ir.name))].filter((n) => only === undefined || n === only);
  const firewalls = names.map((name) => {
    try {
      return diffFirewall(oldP, newP, oldViews.find((v) => v.ir.name === name), newViews.find((v) => v.ir.name === name), name, work);
    } catch (e) {
      throw e instanceof WorkLimitExceeded ? new DiffTooComplex(name, e.limit) : e;
    }
  });
  return { old: oldP.source.file, new: newP.source.file, changed: firewalls.some((f) => f.status !== 'unchanged'), firewalls };
}

function diffFirewall(oldP: PolicyVersion, newP: PolicyVersion, o: FirewallView | undefined, n: FirewallView | undefined, name: string, work: Work): FirewallDiff {
  const out: FirewallDiff = { name, status: 'unchanged', placement: {}, notes: [], newlyAllowed: [], newlyDenied: [], rules: { added: [], removed: [] } };
  if (o) out.placement.old = placementText(o.zones);
  if (n) out.placement.new = placementText(n.zones);
  if (!o || !n) {
    out.status = o ? 'removed' : 'added';
    return out;
  }
  out.notes = [...notesOf(o, n), ...targetNoteChanges(oldP.targetNotes?.get(name) ?? [], newP.targetNotes?.get(name) ?? [])];
  const allowed = new Grouper(oldP, newP, o, n, work);
  const denied = new Grouper(oldP, newP, o, n, work);
  for (const s of slices()) {
    const before = decisions(o, s, work);
    const after = decisions(n, s, work);
    for (const a of after) {
      for (const b of before) {
        const acceptedNow = passes(a, b);
        if (acceptedNow === passes(b, a)) continue;
        const region = intersect(b.region, a.region, work);
        if (region.length) (acceptedNow ? allowed : denied).add(b, a, s, region);
      }
    }
  }
  out.newlyAllowed = allowed.changes();
  out.newlyDenied = denied.changes();
  if (out.newlyAllowed.length || out.newlyDenied.length) out.status = 'changed';
  out.rules = ruleListing(o, n);
  return out;
}

/**
 * Whether a part passes the firewall, compared with the same traffic in the other version:
 * accepted, or, where the other version's `others deny` drops it, left alone (`others accept`,
 * or outside the placement): a gateway's others verdict changes what the router forwards.
 */
const passes = (d: Decided, other: Decided) => d.verdict === 'accept' || (d.decider.kind === 'unjudged' && other.decider.kind === 'others');

function* slices(): Generator<Slice> {
  for (const direction of DIRECTIONS) for (const family of FAMILIES) for (const protocol of PROTOCOLS) yield { direction, family, protocol };
}

function notesOf(o: FirewallView, n: FirewallView): string[] {
  const notes: string[] = [];
  const was = placementText(o.zones);
  const is = placementText(n.zones);
  const sameAddresses = JSON.stringify(zoneCidrs(o)) === JSON.stringify(zoneCidrs(n));
  if (was !== is || !sameAddresses) notes.push(`placement: ${was} (${zoneCidrs(o).join('; ')}) -> ${is} (${zoneCidrs(n).join('; ')})`);
  const t = (v: FirewallView) => [...v.ir.targets].sort().join(', ');
  if (t(o) !== t(n)) notes.push(`targets: ${t(o)} -> ${t(n)}`);
  if (o.ir.logDenied !== n.ir.logDenied) notes.push(`log denied: ${o.ir.logDenied ? 'on' : 'off'} -> ${n.ir.logDenied ? 'on' : 'off'}`);
  return notes;
}

/**
 * A target that starts or stops refusing (MSGR060) or approximating (MSGR061) the firewall:
 * the allowed traffic may be the same, but what compile writes is not.
 */
function targetNoteChanges(was: readonly TargetNote[], is: readonly TargetNote[]): string[] {
  const what = (t: TargetNote) => (t.code === 'MSGR060' ? 'refused' : 'approximated');
  // One note per target and code: a target that refuses for several reasons is named once.
  const firstOf = (list: readonly TargetNote[]) => {
    const m = new Map<string, TargetNote>();
    for (const t of list) if (!m.has(`${t.target} ${t.code}`)) m.set(`${t.target} ${t.code}`, t);
    return m;
  };
  const before = firstOf(was);
  const after = firstOf(is);
  return [
    ...[...after].filter(([k]) => !before.has(k)).map(([, t]) => `target ${t.target}: now ${what(t)} (${t.code}): ${t.message}`),
    ...[...before].filter(([k]) => !after.has(k)).map(([, t]) => `target ${t.target}: no longer ${what(t)} (${t.code})`),
  ];
}

function zoneCidrs(v: FirewallView): string[] {
  const cidrs = (z: Zone) => [...cidrTexts(z.set, 4), ...cidrTexts(z.set, 6)].join(', ');
  return v.zones.kind === 'host' ? [cidrs(v.zones.on)] : v.zones.zones.map(cidrs);
}

/** Added and removed rules as a multiset of match texts. */
function ruleListing(o: FirewallView, n: FirewallView): FirewallDiff['rules'] {
  const oldTexts = o.ir.rules.map((r) => ruleMatchText(o.ir, r));
  const newTexts = n.ir.rules.map((r) => ruleMatchText(n.ir, r));
  const without = (from: string[], drop: string[]) => {
    const left = [...drop];
    return from.filter((t) => {
      const i = left.indexOf(t);
      if (i < 0) return true;
      left.splice(i, 1);
      return false;
    });
  };
  return { added: without(newTexts, oldTexts), removed: without(oldTexts, newTexts) };
}

/** Collects changed regions by their pair of causes, then compacts each slice's region into rows. */
class Grouper {
  private readonly groups = new Map<string, { old: Cause; new: Cause; bySlice: Map<string, { slice: Slice; region: Region }> }>();

  constructor(
    private readonly oldP: PolicyVersion,
    private readonly newP: PolicyVersion,
    private readonly o: FirewallView,
    private readonly n: FirewallView,
    private readonly work: Work,
  ) {}

  add(before: Decided, after: Decided, slice: Slice, region: Region): void {
    const dports = slice.protocol === 'icmp' ? undefined : normalizeIntervals(region.flatMap((b) => b[3]!)).map((x) => ({ from: Number(x.first), to: Number(x.last) }));
    const old = causeOf(this.oldP, this.o, before, dports);
    const now = causeOf(this.newP, this.n, after, dports);
    const key = `${causeKey(old)}=>${causeKey(now)}`;
    const g = this.groups.get(key) ?? { old, new: now, bySlice: new Map() };
    this.groups.set(key, g);
    mergeCause(g.old, old);
    mergeCause(g.new, now);
    const sk = `${slice.direction}/${slice.family}/${slice.protocol}`;
    const entry = g.bySlice.get(sk) ?? { slice, region: [] };
    entry.region.push(...region);
    g.bySlice.set(sk, entry);
  }

  changes(): Change[] {
    return [...this.groups.values()]
      .map((g) => ({
        old: g.old,
        new: g.new,
        classes: [...g.bySlice.values()].flatMap(({ slice, region }) => rows(region, this.work).map((p) => classOf(slice, p))),
      }))
      .sort((a, b) => firstLine(a) - firstLine(b) || causeKey(a.new).localeCompare(causeKey(b.new)));
  }
}

const firstLine = (c: Change) => Math.min(...[...c.new.lines, ...c.old.lines].map((l) => l.line));

/** What decided `d`; a rule names only the catalog entries that reach the changed ports. */
export function causeOf(p: PolicyVersion, view: FirewallView, d: Decided, dports: { from: number; to: number }[] | undefined): Cause {
  const fw = view.ir;
  if (d.decider.kind === 'rule') {
    return { kind: 'rule', verdict: d.decider.rule.action, rules: [explainRule(fw, d.decider.rule, dports)], defaults: [], lines: quoteOrigins(p.source, d.decider.rule.origins) };
  }
  if (d.decider.kind === 'policy') {
    const setting = policyOrigin(fw, d.decider.direction);
    return { kind: 'policy', verdict: d.verdict!, rules: [], defaults: [{ direction: d.decider.direction, written: setting.written }], lines: quoteOrigins(p.source, [setting.origin]) };
  }
  if (d.decider.kind === 'others' && fw.placement.kind === 'gateway') {
    return { kind: 'others', verdict: d.verdict!, rules: [], defaults: [], lines: quoteOrigins(p.source, [fw.placement.othersOrigin.origin]) };
  }
  return { kind: 'unjudged', rules: [], defaults: [], lines: quoteOrigins(p.source, [fw.placement.origin]) };
}

/** Causes that read the same (same kind, verdict and policy lines) are one group. */
export const causeKey = (c: Cause) => `${c.kind}:${c.verdict ?? ''}:${c.lines.map((l) => `${l.line}`).join(',')}:${c.rules.map((r) => r.catalog.map((x) => x.id).join(' ')).join(',')}`;

export function mergeCause(into: Cause, from: Cause): void {
  for (const r of from.rules) if (!into.rules.some((x) => x.id === r.id)) into.rules.push(r);
  for (const d of from.defaults) if (!into.defaults.some((x) => x.direction === d.direction)) into.defaults.push(d);
  into.rules.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
}

export function classOf(s: Slice, p: Box): TrafficClass {
  const addrs = (list: IntervalList) => cidrTexts({ v4: s.family === 4 ? [...list] : [], v6: s.family === 6 ? [...list] : [] }, s.family);
  const ports = (list: IntervalList) => list.map((x) => formatPortRange({ from: Number(x.first), to: Number(x.last) }));
  const base = { protocol: s.protocol, direction: s.direction, family: s.family, src: addrs(p[0]!), dst: addrs(p[1]!) };
  if (s.protocol !== 'icmp') return { ...base, srcPorts: ports(p[2]!), dstPorts: ports(p[3]!) };
  // An ICMP slice's last dimension holds the types of its queries (decisions.ts).
  const types = p[3]!.flatMap((x) => Array.from({ length: Number(x.last - x.first) + 1 }, (_, k) => Number(x.first) + k));
  return { ...base, icmpTypes: types.map((n) => openingByNumber(s.family, n)?.name ?? `type ${n}`) };
}

/** Whether a class's list is the whole dimension (shown as `any`). */
export const isAllAddresses = (list: readonly string[], f: Family) => list.length === 1 && list[0] === (f === 4 ? '0.0.0.0/0' : '::/0');
export const isAllPorts = (list: readonly string[]) => list.length === 1 && list[0] === formatPortRange({ from: Number(ALL_PORTS.first), to: Number(ALL_PORTS.last) });
