import { addressIn, addressText, intervalsOf, type Family } from './normalize.js';
import { ICMP_QUERIES } from './icmp-types.js';
import { tupleText, type Tuple, type TupleAction, type TupleDirection } from './tuple.js';

/**
 * One packet (the first of a connection, or an ICMP query), for first-match evaluation. An ICMP
 * probe (`icmp` in IPv4, `icmp6` in IPv6) has a type and ports 0.
 */
export interface Probe {
  direction: TupleDirection;
  protocol: 'tcp' | 'udp' | 'icmp' | 'icmp6';
  family: Family;
  src: bigint;
  dst: bigint;
  srcPort: number;
  dstPort: number;
  icmpType?: number;
  /** The interface the packet passes (in, or out: a probe crosses one). */
  iface: string;
}

const isIcmp = (p: Probe) => p.protocol === 'icmp' || p.protocol === 'icmp6';

export type Policy = Partial<Record<TupleDirection, TupleAction>>;

const inPorts = (p: Tuple['srcPorts'], port: number) => p === 'any' || p.some((r) => r.from <= port && port <= r.to);

export function matches(t: Tuple, p: Probe): boolean {
  const m =
    t.direction === p.direction &&
    (t.protocol === 'any' || t.protocol === p.protocol) &&
    t.family === p.family &&
    (t.iface === undefined || t.iface === p.iface) &&
    (t.outIface === undefined || t.outIface === p.iface) &&
    addressIn(t.src, p.family, p.src) &&
    addressIn(t.dst, p.family, p.dst) &&
    (isIcmp(p)
      ? t.icmpTypes === undefined || t.icmpTypes.includes(String(p.icmpType))
      : inPorts(t.srcPorts, p.srcPort) && inPorts(t.dstPorts, p.dstPort));
  if (m && t.extra?.length) throw new Error(`cannot decide ${probeText(p)} against ${tupleText(t)}: ${t.extra.join(', ')}`);
  return m;
}

/** The first matching tuple decides; otherwise the direction's policy (undefined: no verdict). */
export function verdict(tuples: readonly Tuple[], policy: Policy, p: Probe): TupleAction | undefined {
  return tuples.find((t) => matches(t, p))?.action ?? policy[p.direction];
}

const OUTSIDE: Record<Family, bigint> = { 4: 0xc0000263n /* 192.0.2.99 */, 6: 0x20010db8ffff00000000000000000063n };

/**
 * Packets around every edge of the tuples: the first and last address of each block and the
 * address just outside it, each port range's ends and their neighbours, both protocols. Where a
 * tuple says any, an address from a documentation range and port 40000 stand in.
 */
export function probesFor(tuples: readonly Tuple[], iface = 'em0'): Probe[] {
  const seen = new Set<string>();
  const out: Probe[] = [];
  const addrs = (list: Tuple['src'], family: Family): bigint[] => {
    if (list === 'any') return [OUTSIDE[family]];
    const vals: bigint[] = [];
    for (const i of intervalsOf(list, family).slice(0, 3)) {
      vals.push(i.first, i.last);
      if (i.first > 0n) vals.push(i.first - 1n);
      if (i.last < (1n << BigInt(family === 4 ? 32 : 128)) - 1n) vals.push(i.last + 1n);
    }
    return vals;
  };
  const ports = (list: Tuple['srcPorts']): number[] => {
    if (list === 'any') return [40000];
    const vals: number[] = [];
    for (const r of list.slice(0, 3)) {
      vals.push(r.from, r.to);
      if (r.from > 1) vals.push(r.from - 1);
      if (r.to < 65535) vals.push(r.to + 1);
    }
    return vals;
  };
  const push = (p: Probe) => {
    const key = `${p.direction}|${p.protocol}|${p.family}|${p.src}|${p.dst}|${p.srcPort}|${p.dstPort}|${p.icmpType ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  /** Every query of the family, at these addresses. */
  const queries = (direction: TupleDirection, family: Family, src: bigint, dst: bigint) => {
    for (const q of ICMP_QUERIES[family]) push({ direction, protocol: family === 4 ? 'icmp' : 'icmp6', family, src, dst, srcPort: 0, dstPort: 0, icmpType: q.request, iface });
  };
  for (const t of tuples) {
    if (t.protocol === 'icmp' || t.protocol === 'icmp6') {
      // A query of each type, at and around the tuple's addresses, when the tuple can match one.
      if (t.icmpTypes && !ICMP_QUERIES[t.family].some((q) => t.icmpTypes!.includes(String(q.request)))) continue;
      const srcs = addrs(t.src, t.family);
      const dsts = addrs(t.dst, t.family);
      for (const s of srcs) queries(t.direction, t.family, s, dsts[0]!);
      for (const d of dsts) queries(t.direction, t.family, srcs[0]!, d);
      continue;
    }
    if (t.protocol !== 'tcp' && t.protocol !== 'udp') continue;
    const protos = [t.protocol, t.protocol === 'tcp' ? 'udp' : 'tcp'] as const;
    const srcs = addrs(t.src, t.family);
    const dsts = addrs(t.dst, t.family);
    const sps = ports(t.srcPorts);
    const dps = ports(t.dstPorts);
    // Vary one dimension at a time around a matching packet, plus the matching corners.
    const base = { s: srcs[0]!, d: dsts[0]!, sp: sps[0]!, dp: dps[0]! };
    const variants: (typeof base)[] = [base];
    for (const s of srcs) variants.push({ ...base, s });
    for (const d of dsts) variants.push({ ...base, d });
    for (const sp of sps) variants.push({ ...base, sp });
    for (const dp of dps) variants.push({ ...base, dp });
    for (const protocol of protos) {
      for (const v of variants) push({ direction: t.direction, protocol, family: t.family, src: v.s, dst: v.d, srcPort: v.sp, dstPort: v.dp, iface });
    }
    // And the ICMP queries between the same addresses: what a default decides for them.
    queries(t.direction, t.family, base.s, base.d);
  }
  return out;
}

/**
 * The reply to a probe's connection: the other way round, ends and ports swapped; on a host in
 * the opposite direction (a reply to a packet out comes in), forwarded alike.
 */
export function replyOf(p: Probe): Probe {
  const direction = p.direction === 'in' ? 'out' : p.direction === 'out' ? 'in' : 'forward';
  const reply: Probe = { ...p, direction, src: p.dst, dst: p.src, srcPort: p.dstPort, dstPort: p.srcPort };
  if (isIcmp(p)) {
    const q = ICMP_QUERIES[p.family].find((x) => x.request === p.icmpType);
    if (!q) throw new Error(`no reply to ICMP type ${p.icmpType}`);
    reply.icmpType = q.reply;
  }
  return reply;
}

export function probeText(p: Probe): string {
  if (isIcmp(p)) return `${p.direction} ${p.protocol}/${p.family} ${addressText(p.src, p.family)} -> ${addressText(p.dst, p.family)} type ${p.icmpType}`;
  return `${p.direction} ${p.protocol}/${p.family} ${addressText(p.src, p.family)}:${p.srcPort} -> ${addressText(p.dst, p.family)}:${p.dstPort}`;
}

/** Probes on which the two rule sets disagree, as readable lines (empty: same verdicts). */
export function disagreements(
  a: { tuples: readonly Tuple[]; policy: Policy },
  b: { tuples: readonly Tuple[]; policy: Policy },
  probes: readonly Probe[],
): string[] {
  const out: string[] = [];
  for (const p of probes) {
    const va = verdict(a.tuples, a.policy, p);
    const vb = verdict(b.tuples, b.policy, p);
    if (va !== vb) out.push(`${probeText(p)}: ${va} vs ${vb}`);
  }
  return out;
}
