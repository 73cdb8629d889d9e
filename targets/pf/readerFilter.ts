import { replyOf, type Probe } from '../readers/evaluate.js';
import { ICMP_QUERIES, icmpTypeNumber } from '../readers/icmp-types.js';
import type { Family, Interval } from '../readers/normalize.js';
import { hostsIntervals, inIntervals, type PfAddressContext } from './readerAddresses.js';
import { parsePf, portRanges, PROTOCOL, type PfReadOptions, type PfRule, type PfRuleset } from './reader.js';
import type { TupleAction, TuplePortRange } from '../readers/tuple.js';

/**
 * pf deciding packets one after another, with its state table: what the tuples of pf.ts cannot
 * say (they judge the opening packet of a connection alone). Each behaviour, and where it comes
 * from:
 *
 * 1. States first. "By default pf(4) filters packets statefully; the first time a packet matches
 *    a pass rule, a state entry is created; for subsequent packets the filter checks whether the
 *    packet matches any state. If it does, the packet is passed without evaluation of any rules"
 *    (pf.conf(5), PACKET FILTERING).
 * 2. A state's key is the packet's protocol, addresses and ports with the outside end first: for
 *    a packet in, (source, destination); out, (destination, source) (pf.c, pf_setup_pdesc:
 *    `pd->sidx = (dir == PF_IN) ? 0 : 1`). A packet matches a state with an equal key
 *    (pf_find_state compares keys; the direction is not compared), on any interface
 *    (`set state-policy floating`, the default: "States can match packets on any interfaces").
 *    So a state made by a packet out passes the replies in, and the opener's later packets out;
 *    and a forwarded packet, passed in on one interface and out on the other, makes two states
 *    with mirrored keys, one for each side (which is why a gateway's rules name no direction).
 * 3. Rules: "the last matching rule decides what action is taken"; "If a packet matches a rule
 *    which has the quick option set, this rule is considered the last matching rule, and
 *    evaluation of subsequent rules is skipped"; "If no rule matches the packet, the default
 *    action is to pass the packet" — without state (pf's default rule has none; pf.conf(5):
 *    "pass … state is created unless the no state option is specified" is about pass rules).
 *    Read under `anchor "msgr/*"`, "no rule matches" means the anchor leaves the packet to the
 *    main ruleset: the decision says so (`by: 'no rule'`).
 * 4. A pass rule creates a state unless it says `no state`; TCP states start from a SYN: "For
 *    stateful connections, the default is flags S/SA" (out of SYN and ACK only SYN set), applied
 *    by pfctl to every pass rule that keeps state and names no flags. A rule's flags `a/b` match
 *    a TCP packet whose flags, out of b, are exactly a; `flags any` and non-TCP packets skip the
 *    check ("This rule only applies to TCP packets that have the flags a set out of set b").
 * 5. Addresses, tables, `self` and negation as readerAddresses.ts says.
 *
 * 6. ICMP queries (echo, timestamp) keep state like a connection, and their replies match it: pf
 *    maps a reply to the query's "virtual type" and keys the state by the query's id instead of
 *    ports (pf.c, pf_icmp_mapping: `ICMP_ECHO` is PF_IN, `ICMP_ECHOREPLY` PF_OUT with the same
 *    virtual type; pf_test_state_icmp). A rule's `icmp-type`/`icmp6-type` list must hold the
 *    packet's type (pf.conf(5): "icmp-type type ... This rule only applies to ICMP or ICMPv6
 *    packets with the specified type"). The probes send one query per session, with id 0.
 *
 * Not modelled (the probes need none of it): TCP sequence windows and timestamps a state checks,
 * state timeouts, ICMP errors matched to states, other protocols, if-bound states, translation,
 * `route-to`.
 */
export interface PfPacket {
  dir: 'in' | 'out';
  iface: string;
  family: Family;
  protocol: 'tcp' | 'udp' | 'icmp' | 'icmp6';
  src: bigint;
  dst: bigint;
  srcPort: number;
  dstPort: number;
  icmpType?: number;
  /** TCP flags set, as letters (`S` a connection's first packet, `SA` the answer to it). */
  tcpFlags?: string;
}

export interface PfDecision {
  action: 'pass' | 'block';
  /** What decided: a state, a rule, or nothing in the anchor (pf's implicit pass, no state). */
  by: 'state' | 'rule' | 'no rule';
  rule?: PfRule;
  stateCreated: boolean;
}

interface CompiledRule {
  rule: PfRule;
  protocols?: string[];
  src: Record<Family, Interval[]>;
  dst: Record<Family, Interval[]>;
  srcPorts: TuplePortRange[] | 'any';
  dstPorts: TuplePortRange[] | 'any';
  /** The ICMP (`icmp-type`) and ICMPv6 (`icmp6-type`) types the rule is limited to, as numbers. */
  icmpTypes?: Record<Family, string[] | undefined>;
  /** [flags that must be set, out of these]; undefined: no check. */
  flags?: [string, string];
}

const stateKey = (p: PfPacket) => {
  const [outside, inside] = p.dir === 'in' ? [[p.src, p.srcPort], [p.dst, p.dstPort]] : [[p.dst, p.dstPort], [p.src, p.srcPort]];
  // An ICMP query and its reply share the query's virtual type (rule 6); other types have none.
  const virtual = p.icmpType === undefined ? '' : `|${ICMP_QUERIES[p.family].find((q) => q.request === p.icmpType || q.reply === p.icmpType)?.request ?? `lone ${p.icmpType}`}`;
  return `${p.family}|${p.protocol}|${outside.join(':')}|${inside.join(':')}${virtual}`;
};

function compile(ctx: PfAddressContext, r: PfRule): CompiledRule {
  const sides = (hosts: PfRule['src']['hosts']) => ({ 4: hostsIntervals(ctx, hosts, 4, r.line), 6: hostsIntervals(ctx, hosts, 6, r.line) });
  const c: CompiledRule = { rule: r, src: sides(r.src.hosts), dst: sides(r.dst.hosts), srcPorts: portRanges(r.src.ports), dstPorts: portRanges(r.dst.ports) };
  if (r.protos) c.protocols = r.protos.map((p) => PROTOCOL[p] ?? p);
  if (r.icmpTypes || r.icmp6Types) {
    const numbers = (family: Family, list: string[] | undefined) => list?.map((t) => icmpTypeNumber('pf', family, t));
    c.icmpTypes = { 4: numbers(4, r.icmpTypes), 6: numbers(6, r.icmp6Types) };
  }
  const flags = r.flags ?? (r.action === 'pass' && r.state !== 'no' ? 'S/SA' : undefined);
  if (flags && flags !== 'any') {
    const [set = '', of = ''] = flags.split('/');
    c.flags = [set, of];
  }
  return c;
}

const inPorts = (list: TuplePortRange[] | 'any', port: number) => list === 'any' || list.some((r) => r.from <= port && port <= r.to);

function matches(c: CompiledRule, p: PfPacket): boolean {
  const r = c.rule;
  if (r.direction && r.direction !== p.dir) return false;
  if (r.ifaces && !r.ifaces.includes(p.iface)) return false;
  if (r.af && r.af !== p.family) return false;
  if (c.protocols && !c.protocols.includes(p.protocol)) return false;
  if (!inIntervals(c.src[p.family], p.src) || !inIntervals(c.dst[p.family], p.dst)) return false;
  if (p.icmpType !== undefined) {
    // An icmp-type list limits the rule to ICMP of that family (it names no other protocol's packets).
    const types = c.icmpTypes?.[p.family];
    if (c.icmpTypes && (!types || !types.includes(String(p.icmpType)))) return false;
  } else if (c.icmpTypes) return false;
  else if (!inPorts(c.srcPorts, p.srcPort) || !inPorts(c.dstPorts, p.dstPort)) return false;
  if (c.flags && p.protocol === 'tcp') {
    const [set, of] = c.flags;
    const present = [...of].filter((f) => (p.tcpFlags ?? '').includes(f)).sort().join('');
    if (present !== [...set].sort().join('')) return false;
  }
  return true;
}

/** A loaded anchor: its rules, ready to judge packets; each `session()` has a state table of its own. */
export class PfFilter {
  private readonly rules: CompiledRule[];

  constructor(ruleset: PfRuleset, opts: Pick<PfReadOptions, 'self'> = {}) {
    const ctx: PfAddressContext = { ruleset, self: opts.self ?? [] };
    this.rules = ruleset.rules.map((r) => compile(ctx, r));
  }

  static read(text: string, opts: Pick<PfReadOptions, 'self'> = {}): PfFilter {
    return new PfFilter(parsePf(text), opts);
  }

  session(): PfSession {
    return new PfSession(this.rules);
  }
}

export class PfSession {
  private readonly states = new Set<string>();

  constructor(private readonly rules: readonly CompiledRule[]) {}

  test(p: PfPacket): PfDecision {
    if (this.states.has(stateKey(p))) return { action: 'pass', by: 'state', stateCreated: false };
    let last: CompiledRule | undefined;
    for (const c of this.rules) {
      if (!matches(c, p)) continue;
      last = c;
      if (c.rule.quick) break;
    }
    if (!last) return { action: 'pass', by: 'no rule', stateCreated: false };
    const pass = last.rule.action === 'pass';
    const stateCreated = pass && last.rule.state !== 'no';
    if (stateCreated) this.states.add(stateKey(p));
    return { action: pass ? 'pass' : 'block', by: 'rule', rule: last.rule, stateCreated };
  }
}

const FORWARD_IN = 'em0';
const FORWARD_OUT = 'em1';

/**
 * A probe's way through the machine: a host's packet in or out on `iface`; a forwarded packet
 * in on one interface and out on the other, passing only if both passes do. The probe's TCP
 * flags are `S` unless given (its reply: `SA`).
 */
export function pfPath(p: Probe, tcpFlags = 'S', reply = false): PfPacket[] {
  const base = {
    family: p.family,
    protocol: p.protocol,
    src: p.src,
    dst: p.dst,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    ...(p.protocol === 'tcp' ? { tcpFlags } : {}),
    ...(p.icmpType !== undefined ? { icmpType: p.icmpType } : {}),
  };
  if (p.direction !== 'forward') return [{ ...base, dir: p.direction, iface: p.iface }];
  const [arrive, leave] = reply ? [FORWARD_OUT, FORWARD_IN] : [FORWARD_IN, FORWARD_OUT];
  return [
    { ...base, dir: 'in', iface: arrive },
    { ...base, dir: 'out', iface: leave },
  ];
}

export function passes(session: PfSession, path: readonly PfPacket[]): TupleAction {
  return path.every((packet) => session.test(packet).action === 'pass') ? 'accept' : 'drop';
}

/** A connection through a fresh state table: its opening packet, and when that passes, the reply. */
export function pfConnection(filter: PfFilter, open: Probe): { open: TupleAction; reply?: TupleAction } {
  const session = filter.session();
  const first = passes(session, pfPath(open));
  if (first !== 'accept') return { open: first };
  return { open: first, reply: passes(session, pfPath(replyOf(open), 'SA', true)) };
}
