import { intersect, Work, WorkLimitExceeded, type Box, type Region } from '../addresses/boxes.js';
import { normalizeIntervals } from '../addresses/set.js';
import { DIRECTIONS, FAMILIES, PROTOCOLS, type Slice } from '../diff/decisions.js';
import { causeKey, causeOf, classOf, DIFF_WORK_LIMIT, mergeCause, type Cause, type PolicyVersion, type TrafficClass } from '../diff/diff.js';
import { rows } from '../diff/rows.js';
import { quoteOrigins } from '../explain/source.js';
import { placementText, type FirewallView } from '../evaluate/view.js';
import type { IrVerdict } from '../ir/types.js';
import { InterfaceAxis } from './interfaces.js';
import type { Finding, LiveFirewall, LiveRule } from './model.js';
import { liveParts, policyParts, type ConnectionState, type LiveDecider, type Part, type PolicyDecider } from './regions.js';

/** What `msgrfw verify` reports, as plain data (`--format json` prints exactly this). */
export interface VerifyReport {
  policy: string;
  firewall: string;
  placement: string;
  target: string;
  /** What was read: `table inet msgr_edge`, a dump file. */
  live: string;
  /** `identical`: same meaning and nothing foreign; `drift`: not; `not-applied`: msgrfw's rules are not there at all. */
  status: 'identical' | 'drift' | 'not-applied';
  findings: Finding[];
  /** Connections the live firewall lets through and the policy does not. */
  allowedOnlyLive: Difference[];
  /** Connections the policy lets through and the live firewall does not. */
  allowedOnlyByPolicy: Difference[];
  /** Replies of accepted connections that the policy lets back (conntrack established) and the live firewall drops. */
  repliesDropped: Difference[];
}

/** Traffic the two sides treat differently, with what decides it on each side. */
export interface Difference {
  policy: PolicyCause;
  live: LiveCause;
  classes: VerifyClass[];
}

/** A row of traffic: `diff`'s class, with the interfaces when not every interface. */
export interface VerifyClass extends TrafficClass {
  interfaces?: string;
}

/** The policy's side: what `diff` says of a version (a rule, a default, traffic it does not judge), or the preamble. */
export type PolicyCause = Cause | { kind: 'preamble'; verdict: 'accept'; what: 'loopback' | 'return traffic'; rules: []; defaults: []; lines: Cause['lines'] };

export interface LiveCause {
  kind: 'rule' | 'policy' | 'not-filtered';
  verdict: IrVerdict;
  /** The live rules that decide (kind `rule`). */
  rules: LiveRule[];
  /** The chain policy, or why the traffic is not filtered. */
  text?: string;
}

/** The comparison took more steps of box arithmetic than allowed (see diff's limit). */
export class VerifyTooComplex extends Error {
  constructor(readonly limit: number) {
    super(`comparing takes more than ${limit} steps of box arithmetic`);
  }
}

/**
 * Compares the meaning of one firewall of the policy with the live firewall read back: for
 * every direction, family, protocol and interface, which new connections (and which replies)
 * each side lets through, exactly, as `diff` compares two versions of a policy.
 */
export function verifyFirewall(p: PolicyVersion, view: FirewallView, target: string, live: LiveFirewall, work = new Work(DIFF_WORK_LIMIT)): VerifyReport {
  const report: VerifyReport = {
    policy: p.source.file,
    firewall: view.ir.name,
    placement: placementText(view.zones),
    target,
    live: live.source,
    status: 'identical',
    findings: live.findings,
    allowedOnlyLive: [],
    allowedOnlyByPolicy: [],
    repliesDropped: [],
  };
  if (!live.applied) {
    report.status = 'not-applied';
    return report;
  }
  try {
    const axis = new InterfaceAxis(live.loopback, [...live.opening, ...live.replies]);
    const groups = { allowedOnlyLive: new Groups(p, view, axis, work), allowedOnlyByPolicy: new Groups(p, view, axis, work), repliesDropped: new Groups(p, view, axis, work) };
    for (const state of ['opening', 'reply'] as ConnectionState[]) {
      for (const s of slices()) {
        const mine = policyParts(view, s, axis, state, work);
        const theirs = liveParts(live, s, axis, state, work);
        for (const l of theirs) {
          for (const m of mine) {
            if (l.accepted === m.accepted) continue;
            const region = intersect(l.region, m.region, work);
            if (!region.length) continue;
            const into = state === 'reply' ? (m.accepted ? groups.repliesDropped : undefined) : l.accepted ? groups.allowedOnlyLive : groups.allowedOnlyByPolicy;
            into?.add(m, l, s, region);
          }
        }
      }
    }
    report.allowedOnlyLive = groups.allowedOnlyLive.differences();
    report.allowedOnlyByPolicy = groups.allowedOnlyByPolicy.differences();
    report.repliesDropped = groups.repliesDropped.differences();
  } catch (e) {
    throw e instanceof WorkLimitExceeded ? new VerifyTooComplex(e.limit) : e;
  }
  const differs = report.allowedOnlyLive.length + report.allowedOnlyByPolicy.length + report.repliesDropped.length > 0;
  // Rules before a jump decide by their meaning (counted above); a pending apply is a state, not a difference.
  if (differs || report.findings.some((f) => f.kind !== 'pre-empted' && f.kind !== 'pending')) report.status = 'drift';
  return report;
}

function* slices(): Generator<Slice> {
  for (const direction of DIRECTIONS) for (const family of FAMILIES) for (const protocol of PROTOCOLS) yield { direction, family, protocol };
}

/** Differing regions collected by their pair of causes, laid out in rows at the end (as diff does). */
class Groups {
  private readonly groups = new Map<string, { policy: PolicyCause; live: LiveCause; bySlice: Map<string, { slice: Slice; region: Region }> }>();

  constructor(
    private readonly p: PolicyVersion,
    private readonly view: FirewallView,
    private readonly axis: InterfaceAxis,
    private readonly work: Work,
  ) {}

  add(mine: Part<PolicyDecider>, theirs: Part<LiveDecider>, slice: Slice, region: Region): void {
    const dports = normalizeIntervals(region.flatMap((b) => b[3]!)).map((x) => ({ from: Number(x.first), to: Number(x.last) }));
    const policy = this.policyCause(mine.cause, dports);
    const live = liveCause(theirs.cause);
    const key = `${policyKey(policy)}=>${liveKey(live)}`;
    const g = this.groups.get(key) ?? { policy, live, bySlice: new Map() };
    this.groups.set(key, g);
    if (g.policy.kind !== 'preamble' && policy.kind !== 'preamble') mergeCause(g.policy, policy);
    const sk = `${slice.direction}/${slice.family}/${slice.protocol}`;
    const entry = g.bySlice.get(sk) ?? { slice, region: [] };
    entry.region.push(...region);
    g.bySlice.set(sk, entry);
  }

  differences(): Difference[] {
    return [...this.groups.values()].map((g) => ({
      policy: g.policy,
      live: g.live,
      classes: [...g.bySlice.values()].flatMap(({ slice, region }) => rows(region, this.work).map((b) => this.classOf(slice, b))),
    }));
  }

  private classOf(slice: Slice, b: Box): VerifyClass {
    const c: VerifyClass = classOf(slice, b.slice(0, 4));
    const interfaces = this.axis.text(b[4]!, slice.direction);
    if (interfaces) c.interfaces = interfaces;
    return c;
  }

  private policyCause(d: PolicyDecider, dports: { from: number; to: number }[]): PolicyCause {
    if (d.kind === 'decided') return causeOf(this.p, this.view, d.decided, dports);
    return { kind: 'preamble', verdict: 'accept', what: d.what, rules: [], defaults: [], lines: quoteOrigins(this.p.source, [this.view.ir.origin]) };
  }
}

const policyKey = (c: PolicyCause) => (c.kind === 'preamble' ? `preamble:${c.what}` : causeKey(c));

function liveCause(d: LiveDecider): LiveCause {
  if (d.kind === 'rule') return { kind: 'rule', verdict: d.verdict, rules: [d.rule] };
  if (d.kind === 'policy') return { kind: 'policy', verdict: d.verdict, rules: [], text: d.text };
  return { kind: 'not-filtered', verdict: 'accept', rules: [], text: d.text };
}

const liveKey = (c: LiveCause) => `${c.kind}:${c.verdict}:${c.rules.map((r) => r.where).join(',')}:${c.text ?? ''}`;
