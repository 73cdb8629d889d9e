/**
 * The common currency of the target readers: one match condition per address family, in the
 * order a first-match evaluation would try them. Readers parse generated (or third-party) text
 * back into tuples; `irToTuples` expands the IR into the same shape, so the two can be compared.
 *
 * Normal form (what `normalizeAddresses` / `normalizePorts` produce, and what equality needs):
 * - addresses: sorted, merged, minimal CIDR blocks of the tuple's family, always with a prefix
 *   length, IPv6 in RFC 5952 form; the whole family (0.0.0.0/0, ::/0) is `'any'`;
 * - ports: sorted, disjoint, non-adjacent inclusive ranges; 0/1-65535 is `'any'`.
 */
export type TupleDirection = 'in' | 'out' | 'forward';
export type TupleAction = 'accept' | 'drop';
/** tcp, udp and ICMP (`icmp` in IPv4, `icmp6` in IPv6) are what the IR speaks; the rest appear in readers' output. */
export type TupleProtocol = 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'any' | `ip-${number}`;

export interface TuplePortRange {
  from: number;
  to: number;
}

export interface Tuple {
  direction: TupleDirection;
  action: TupleAction;
  protocol: TupleProtocol;
  family: 4 | 6;
  src: string[] | 'any';
  dst: string[] | 'any';
  srcPorts: TuplePortRange[] | 'any';
  dstPorts: TuplePortRange[] | 'any';
  /** pf `on IFACE`: the rule only sees packets on that interface (absent: every interface). */
  iface?: string;
  /** iptables `-o`, nftables `oif`: the rule only sees packets leaving on that interface. */
  outIface?: string;
  /** ICMP types the rule is limited to, as decimal type numbers (each reader maps its tool's names; absent: all types). */
  icmpTypes?: string[];
  /**
   * Conditions a tuple cannot hold (e.g. `hoplimit == 255` on an IPv6 neighbour-discovery rule),
   * as text. A tuple with any cannot be decided for a packet its other fields match: `matches`
   * refuses rather than guess.
   */
  extra?: string[];
}

/** Only what the IR can say: tcp/udp tuples, without interface or ICMP detail. */
export const isPortTuple = (t: Tuple) => t.protocol === 'tcp' || t.protocol === 'udp';

export function tupleText(t: Tuple): string {
  const ports = (p: Tuple['srcPorts']) => (p === 'any' ? 'any' : p.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(','));
  const addrs = (a: Tuple['src']) => (a === 'any' ? 'any' : a.join(','));
  return `${t.direction} ${t.action} ${t.protocol}/${t.family}${t.iface ? ` on ${t.iface}` : ''}${t.outIface ? ` out ${t.outIface}` : ''} ${addrs(t.src)}:${ports(t.srcPorts)} -> ${addrs(t.dst)}:${ports(t.dstPorts)}${t.icmpTypes ? ` [${t.icmpTypes.join(',')}]` : ''}${t.extra ? ` {${t.extra.join(', ')}}` : ''}`;
}
