import { intersect, listOf, minus, Work, type Box, type IntervalList, type Region } from '../addresses/boxes.js';
import { familyBits } from '../addresses/cidr.js';
import { intersectIntervals } from '../addresses/set.js';
import { ALL_PORTS, decisions, everyConnection, everyPort, judged, type Decided, type Slice } from '../diff/decisions.js';
import type { FirewallView } from '../evaluate/view.js';
import type { IrVerdict } from '../ir/types.js';
import type { Cond } from '../../targets/readers/chains.js';
import type { InterfaceAxis } from './interfaces.js';
import type { LiveChain, LiveFirewall, LiveRule } from './model.js';

/**
 * The two sides of a comparison as regions of (source, destination, source port, destination
 * port, interface) per slice, each part with what decides it: the policy's, with exactly the
 * box algebra `diff` uses (src/diff/decisions.ts), and the live ruleset's, read back.
 */
export type ConnectionState = 'opening' | 'reply';

export interface Part<Cause> {
  cause: Cause;
  /** Whether the firewall lets it through (traffic it does not filter passes). */
  accepted: boolean;
  region: Region;
}

/** What decides a part on the policy's side: a rule, a default or nothing (`decided`), or the preamble every firewall has. */
export type PolicyDecider = { kind: 'decided'; decided: Decided } | { kind: 'preamble'; what: 'loopback' | 'return traffic' };

export type LiveDecider =
  | { kind: 'rule'; verdict: IrVerdict; rule: LiveRule }
  | { kind: 'policy'; verdict: IrVerdict; text: string }
  | { kind: 'not-filtered'; text: string };

/** Verify cannot say what a live rule does; the message names it and why. */
export class VerifyTrouble extends Error {}

const withInterfaces = (region: Region, points: IntervalList): Region => (points.length ? region.map((b) => [...b, points]) : []);

/**
 * The policy's meaning as the live firewall should have it. A host's chains judge every packet
 * of the host (its input and output, whatever the address: the IR's placement is where the
 * host is, not a filter); a gateway judges what goes from one zone to the other. Traffic the
 * firewall does not judge passes it. Loopback passes a host, and replies pass every firewall
 * (the preamble), before any rule.
 */
export function policyParts(view: FirewallView, s: Slice, axis: InterfaceAxis, state: ConnectionState, work: Work): Part<PolicyDecider>[] {
  const every = everyConnection(s);
  const host = view.zones.kind === 'host';
  const preamble = view.ir.preamble;
  if (state === 'reply' && preamble.includes('established')) {
    return [{ cause: { kind: 'preamble', what: 'return traffic' }, accepted: true, region: withInterfaces(every, axis.all(s.direction)) }];
  }
  const loopback = host && preamble.includes('loopback') ? axis.loopback(s.direction) : [];
  const rest = loopback.length ? axis.notLoopback(s.direction) : axis.all(s.direction);
  const scope = host ? (s.direction !== 'forward' && view.ir.policy[s.direction] !== undefined ? every : []) : judged(view, s);
  const parts: Part<PolicyDecider>[] = decisions(view, s, work, scope).map((d) => ({
    cause: { kind: 'decided', decided: d },
    accepted: d.verdict !== 'drop',
    region: withInterfaces(d.region, rest),
  }));
  if (loopback.length) parts.push({ cause: { kind: 'preamble', what: 'loopback' }, accepted: true, region: withInterfaces(every, loopback) });
  return parts.filter((p) => p.region.length);
}

/**
 * The live firewall's meaning in a slice: the base chains of the hook in order, each first match
 * then its policy; a drop in any chain is final, what every chain accepts passes (named by what
 * accepts it in the first). No chain on the hook: not filtered.
 */
export function liveParts(live: LiveFirewall, s: Slice, axis: InterfaceAxis, state: ConnectionState, work: Work): Part<LiveDecider>[] {
  const every = withInterfaces(everyConnection(s), axis.all(s.direction));
  const hooks = state === 'opening' ? live.opening : live.replies;
  const hook = hooks.find((h) => h.direction === s.direction && (h.family === undefined || h.family === s.family));
  if (!hook || hook.chains.length === 0) return [{ cause: { kind: 'not-filtered', text: live.notFiltered(s.direction, s.family) }, accepted: true, region: every }];
  const out: Part<LiveDecider>[] = [];
  let remaining = every;
  let firstAccepts: Part<LiveDecider>[] = [];
  hook.chains.forEach((chain, i) => {
    const parts = chainParts(chain, s, axis, every, work);
    const drops = parts.filter((p) => !p.accepted);
    for (const p of drops) {
      const region = intersect(p.region, remaining, work);
      if (region.length) out.push({ ...p, region });
    }
    if (i === 0) firstAccepts = parts.filter((p) => p.accepted);
    remaining = minus(remaining, drops.flatMap((p) => p.region), work);
  });
  for (const p of firstAccepts) {
    const region = intersect(p.region, remaining, work);
    if (region.length) out.push({ ...p, region });
  }
  return out;
}

function chainParts(chain: LiveChain, s: Slice, axis: InterfaceAxis, every: Region, work: Work): Part<LiveDecider>[] {
  const parts: Part<LiveDecider>[] = [];
  const taken: Region = [];
  for (const r of chain.rules) {
    const box = condBox(r.cond, s, axis);
    if (!box) continue;
    if (r.cond.extra?.length) throw new VerifyTrouble(`cannot tell which ${s.protocol} packets ${r.rule.where} matches: ${r.cond.extra.join(', ')} (${r.rule.text})`);
    const region = minus([box], taken, work);
    taken.push(box);
    if (region.length) parts.push({ cause: { kind: 'rule', verdict: r.action, rule: r.rule }, accepted: r.action === 'accept', region });
  }
  const rest = minus(every, taken, work);
  if (rest.length) parts.push({ cause: { kind: 'policy', verdict: chain.policy, text: chain.policyText }, accepted: chain.policy === 'accept', region: rest });
  return parts;
}

const PORTS: IntervalList = [ALL_PORTS];

/** The box of the slice's connections a reader's condition holds; undefined when it holds none. */
export function condBox(c: Cond, s: Slice, axis: InterfaceAxis): Box | undefined {
  if (c.family !== undefined && c.family !== s.family) return undefined;
  const any: IntervalList = [{ first: 0n, last: (1n << BigInt(familyBits(s.family))) - 1n }];
  const box = [c.src ? listOf(c.src) : any, c.dst ? listOf(c.dst) : any, ...(s.protocol === 'icmp' ? icmpDims(c, s) : portDims(c, s)), axis.of(c, s.direction)];
  return box.some((l) => l.length === 0) ? undefined : box;
}

/** A TCP or UDP slice's ports; a condition on ICMP holds none of its packets. */
function portDims(c: Cond, s: Slice): IntervalList[] {
  if (c.protocol !== undefined && c.protocol !== s.protocol) return [[], []];
  if (c.icmpTypes !== undefined) return [[], []];
  const ports = (list: Cond['srcPorts']): IntervalList =>
    list === undefined ? PORTS : listOf(list.map((r) => ({ first: BigInt(Math.max(r.from, 1)), last: BigInt(r.to) })).filter((i) => i.first <= i.last));
  return [ports(c.srcPorts), ports(c.dstPorts)];
}

/**
 * An ICMP slice's last two dimensions as decisions.ts draws them (no port; the opening types):
 * the readers name ICMPv6 `icmp6`, and a condition on ports holds no ICMP packet.
 */
function icmpDims(c: Cond, s: Slice): IntervalList[] {
  const [noPort, types] = everyPort(s) as [IntervalList, IntervalList];
  if (c.protocol !== undefined && c.protocol !== (s.family === 4 ? 'icmp' : 'icmp6')) return [[], []];
  if (c.srcPorts !== undefined || c.dstPorts !== undefined) return [[], []];
  if (c.icmpTypes === undefined) return [noPort, types];
  const wanted = listOf(c.icmpTypes.map((t) => ({ first: BigInt(t), last: BigInt(t) })));
  return [noPort, intersectIntervals(types, wanted)];
}
