import { type Family, formatAddress, parseCidr } from '../addresses/cidr.js';
import type { IrProtocol } from '../ir/types.js';

/** The first packet of a connection (TCP) or the first datagram of a flow (UDP). */
export interface Packet {
  protocol: IrProtocol;
  family: Family;
  src: bigint;
  sport: number;
  dst: bigint;
  dport: number;
}

/** A packet as a caller may write it: addresses as text or as numbers. */
export interface PacketInput {
  protocol: IrProtocol;
  family?: Family;
  src: bigint | string;
  sport: number;
  dst: bigint | string;
  dport: number;
}

export type PacketParse = { ok: true; packet: Packet } | { ok: false; problem: string };

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** Normalises a packet given with textual or numeric addresses; throws on a malformed one (a caller's bug). */
export function toPacket(p: PacketInput): Packet {
  const src = typeof p.src === 'string' ? addressOf(p.src) : undefined;
  const dst = typeof p.dst === 'string' ? addressOf(p.dst) : undefined;
  const family = src?.family ?? dst?.family ?? p.family;
  if (family === undefined) throw new Error('packet: give the family when both addresses are numbers');
  if ((src && src.family !== family) || (dst && dst.family !== family)) throw new Error('packet: source and destination are of different families');
  if (!isPort(p.sport) || !isPort(p.dport)) throw new Error('packet: ports must be 1-65535');
  return {
    protocol: p.protocol,
    family,
    src: src?.address ?? (p.src as bigint),
    sport: p.sport,
    dst: dst?.address ?? (p.dst as bigint),
    dport: p.dport,
  };
}

function addressOf(text: string): { family: Family; address: bigint } {
  const r = text.includes('/') ? undefined : parseCidr(text);
  if (!r?.ok) throw new Error(`packet: '${text}' is not an IPv4 or IPv6 address`);
  return r.cidr;
}

const ENDPOINT = /^(?:\[([^\]]*)\]|([^:[\]\s]+)):([^:\s]*)$/;

/**
 * Parses `tcp 10.20.0.5:51000 -> 198.51.100.7:1503` or
 * `udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061`. Strict: one protocol, two endpoints of
 * one family, decimal ports 1-65535, IPv6 in brackets; every problem is named.
 */
export function parsePacket(text: string): PacketParse {
  const fail = (problem: string): PacketParse => ({ ok: false, problem });
  const m = /^\s*(\S+)\s+(\S+)\s*->\s*(\S+)\s*$/.exec(text);
  if (!m) return fail(`cannot read the packet '${text}': write it as "tcp|udp SRC:PORT -> DST:PORT", e.g. "tcp 10.20.0.5:51000 -> 198.51.100.7:1503"`);
  const [, proto, srcText, dstText] = m as unknown as [string, string, string, string];
  if (proto !== 'tcp' && proto !== 'udp') return fail(`unknown protocol '${proto}': use tcp or udp`);
  const src = parseEndpoint(srcText, 'source');
  if (!src.ok) return fail(src.problem);
  const dst = parseEndpoint(dstText, 'destination');
  if (!dst.ok) return fail(dst.problem);
  if (src.family !== dst.family) return fail(`the source is IPv${src.family} and the destination IPv${dst.family}: a packet has one address family`);
  return { ok: true, packet: { protocol: proto, family: src.family, src: src.address, sport: src.port, dst: dst.address, dport: dst.port } };
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
export const packetText = (p: Packet) => `${p.protocol} ${endpointText(p.family, p.src, p.sport)} -> ${endpointText(p.family, p.dst, p.dport)}`;

/** The same connection seen from the other side: what a reply looks like. */
export const reversed = (p: Packet): Packet => ({ ...p, src: p.dst, sport: p.dport, dst: p.src, dport: p.sport });
