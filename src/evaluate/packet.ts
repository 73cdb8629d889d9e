import { type Family, formatAddress, parseCidr } from '../addresses/cidr.js';
import { icmpMessage, icmpNumber, OPENING_ICMP, openingByNumber } from '../icmp/messages.js';

/**
 * The first packet of a connection (TCP), the first datagram of a flow (UDP), or an ICMP query
 * (the echo or timestamp request whose reply comes back as return traffic).
 */
export type Packet = PortPacket | IcmpPacket;

interface Addresses {
  family: Family;
  src: bigint;
  dst: bigint;
}

export interface PortPacket extends Addresses {
  protocol: 'tcp' | 'udp';
  sport: number;
  dport: number;
}

export interface IcmpPacket extends Addresses {
  protocol: 'icmp';
  /** The ICMP type in the packet's family (8 is ICMPv4's echo request, 128 ICMPv6's). */
  icmpType: number;
}

/** A packet as a caller may write it: addresses as text or as numbers. */
export type PacketInput = (Omit<PortPacket, keyof Addresses> | Omit<IcmpPacket, keyof Addresses>) & {
  family?: Family;
  src: bigint | string;
  dst: bigint | string;
};

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** Normalises a packet given with textual or numeric addresses; throws on a malformed one (a caller's bug). */
export function toPacket(p: PacketInput): Packet {
  const src = typeof p.src === 'string' ? addressOf(p.src) : undefined;
  const dst = typeof p.dst === 'string' ? addressOf(p.dst) : undefined;
  const family = src?.family ?? dst?.family ?? p.family;
  if (family === undefined) throw new Error('packet: give the family when both addresses are numbers');
  if ((src && src.family !== family) || (dst && dst.family !== family)) throw new Error('packet: source and destination are of different families');
  const addresses = { family, src: src?.address ?? (p.src as bigint), dst: dst?.address ?? (p.dst as bigint) };
  if (p.protocol === 'icmp') {
    if (!openingByNumber(family, p.icmpType)) throw new Error(`packet: ICMPv${family === 4 ? 4 : 6} type ${p.icmpType} opens nothing`);
    return { protocol: 'icmp', icmpType: p.icmpType, ...addresses };
  }
  if (!isPort(p.sport) || !isPort(p.dport)) throw new Error('packet: ports must be 1-65535');
  return { protocol: p.protocol, ...addresses, sport: p.sport, dport: p.dport };
}

function addressOf(text: string): { family: Family; address: bigint } {
  const r = text.includes('/') ? undefined : parseCidr(text);
  if (!r?.ok) throw new Error(`packet: '${text}' is not an IPv4 or IPv6 address`);
  return r.cidr;
}

const ENDPOINT = /^(?:\[([^\]]*)\]|([^:[\]\s]+)):([^:\s]*)$/;

export type PacketParse = { ok: true; packet: Packet } | { ok: false; problem: string };

/**
 * Parses `tcp 10.20.0.5:51000 -> 198.51.100.7:1503`,
 * `udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061` or `icmp echo-request 10.50.0.5 ->
 * 10.1.1.10` (an IPv6 address bare or in brackets). Strict: one protocol, two endpoints of one
 * family, decimal ports 1-65535, IPv6 in brackets before a port, an ICMP message that opens an
 * exchange; every problem is named.
 */
export function parsePacket(text: string): PacketParse {
  const fail = (problem: string): PacketParse => ({ ok: false, problem });
  const icmp = /^\s*icmp\s+(\S+)\s+(\S+)\s*->\s*(\S+)\s*$/.exec(text);
  if (icmp) return parseIcmpPacket(icmp[1]!, icmp[2]!, icmp[3]!);
  const m = /^\s*(\S+)\s+(\S+)\s*->\s*(\S+)\s*$/.exec(text);
  if (!m) return fail(`cannot read the packet '${text}': write it as "tcp|udp SRC:PORT -> DST:PORT" or "icmp TYPE SRC -> DST", e.g. "tcp 10.20.0.5:51000 -> 198.51.100.7:1503"`);
  const [, proto, srcText, dstText] = m as unknown as [string, string, string, string];
  if (proto === 'icmp') return fail(`cannot read the ICMP packet '${text}': write it as "icmp TYPE SRC -> DST", e.g. "icmp echo-request 10.50.0.5 -> 10.1.1.10"`);
  if (proto !== 'tcp' && proto !== 'udp') return fail(`unknown protocol '${proto}': use tcp, udp or icmp`);
  const src = parseEndpoint(srcText, 'source');
  if (!src.ok) return fail(src.problem);
  const dst = parseEndpoint(dstText, 'destination');
  if (!dst.ok) return fail(dst.problem);
  if (src.family !== dst.family) return fail(`the source is IPv${src.family} and the destination IPv${dst.family}: a packet has one address family`);
  return { ok: true, packet: { protocol: proto, family: src.family, src: src.address, sport: src.port, dst: dst.address, dport: dst.port } };
}

const OPENING_NAMES = OPENING_ICMP.map((t) => t.name).join(', ');

function parseIcmpPacket(typeText: string, srcText: string, dstText: string): PacketParse {
  const fail = (problem: string): PacketParse => ({ ok: false, problem });
  const message = icmpMessage(typeText);
  if (!message) return fail(`unknown ICMP type '${typeText}': explain one that opens an exchange (${OPENING_NAMES})`);
  if (message.rule !== 'opens') return fail(`icmp ${typeText} is not the opening packet of anything: ${message.rule.why}`);
  const address = (t: string, side: string) => {
    const bare = /^\[(.*)\]$/.exec(t)?.[1] ?? t;
    const r = bare.includes('/') || bare.includes('%') ? undefined : parseCidr(bare);
    return r?.ok ? r.cidr : `the ${side} '${t}' is not an IPv4 or IPv6 address (an ICMP message has no port)`;
  };
  const src = address(srcText, 'source');
  if (typeof src === 'string') return fail(src);
  const dst = address(dstText, 'destination');
  if (typeof dst === 'string') return fail(dst);
  if (src.family !== dst.family) return fail(`the source is IPv${src.family} and the destination IPv${dst.family}: a packet has one address family`);
  const icmpType = icmpNumber(message, src.family);
  if (icmpType === undefined) return fail(`${message.name} has no ICMPv${src.family === 4 ? 4 : 6} type`);
  return { ok: true, packet: { protocol: 'icmp', icmpType, family: src.family, src: src.address, dst: dst.address } };
}

type Endpoint = { ok: true; family: Family; address: bigint; port: number } | { ok: false; problem: string };

function parseEndpoint(text: string, side: string): Endpoint {
  const m = ENDPOINT.exec(text);
  if (!m) {
    const hint = (text.match(/:/g)?.length ?? 0) > 1 ? ' (an IPv6 address goes in brackets: [2001:db8::1]:5061)' : '';
    return { ok: false, problem: `the ${side} '${text}' is not ADDRESS:PORT${hint}` };
  }
  const [, v6, v4, portText] = m as unknown as [string, string | undefined, string | undefined, string];
  const addrText = v6 ?? v4!;
  const parsed = addrText.includes('/') || addrText.includes('%') ? undefined : parseCidr(addrText);
  if (!parsed?.ok) return { ok: false, problem: `the ${side} address '${addrText}' is not an IPv4 or IPv6 address (no prefix length, no zone id)` };
  if (v6 !== undefined && parsed.cidr.family !== 6) return { ok: false, problem: `the ${side} '${text}': only IPv6 addresses go in brackets` };
  if (v4 !== undefined && parsed.cidr.family !== 4) return { ok: false, problem: `the ${side} '${text}': write an IPv6 address in brackets, [${addrText}]:${portText}` };
  if (!/^[0-9]{1,5}$/.test(portText) || !isPort(Number(portText))) {
    return { ok: false, problem: `the ${side} port '${portText}' is not a port number 1-65535` };
  }
  return { ok: true, family: parsed.cidr.family, address: parsed.cidr.address, port: Number(portText) };
}

const endpointText = (family: Family, address: bigint, port: number) =>
  family === 4 ? `${formatAddress(4, address)}:${port}` : `[${formatAddress(6, address)}]:${port}`;

/** The packet in the syntax `parsePacket` reads. */
export function packetText(p: Packet): string {
  if (p.protocol === 'icmp') return `icmp ${icmpName(p)} ${formatAddress(p.family, p.src)} -> ${formatAddress(p.family, p.dst)}`;
  return `${p.protocol} ${endpointText(p.family, p.src, p.sport)} -> ${endpointText(p.family, p.dst, p.dport)}`;
}

/** The name of an ICMP packet's message (`echo-request`). */
export const icmpName = (p: IcmpPacket): string => openingByNumber(p.family, p.icmpType)?.name ?? `type ${p.icmpType}`;

/** The same connection seen from the other side: what a reply looks like. */
export const reversed = (p: PortPacket): PortPacket => ({ ...p, src: p.dst, sport: p.dport, dst: p.src, dport: p.sport });
