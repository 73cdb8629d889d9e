// Just enough address arithmetic for building routes; no dependency needed.
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  /** Bare address, e.g. '10.20.0.5'. */
  addr: string;
  len: number;
  family: Family;
}

export function parseCidr(text: string): Cidr {
  const [addr = '', lenText] = text.split('/');
  const kind = isIP(addr);
  if (kind !== 4 && kind !== 6) throw new Error(`not an IP address: ${text}`);
  const family: Family = kind;
  const max = family === 4 ? 32 : 128;
  const len = lenText === undefined ? max : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > max) throw new Error(`bad prefix length: ${text}`);
  return { addr, len, family };
}

export function familyOf(addr: string): Family {
  return parseCidr(addr).family;
}

/** 'a.b.c.d/len' network of a host CIDR, e.g. 10.20.0.5/16 -> 10.20.0.0/16. */
export function networkOf(text: string): string {
  const { addr, len, family } = parseCidr(text);
  const bits = family === 4 ? 32 : 128;
  const value = toBigInt(addr, family);
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  return `${fromBigInt(value & mask, family)}/${len}`;
}

function toBigInt(addr: string, family: Family): bigint {
  if (family === 4) return addr.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
  // Expand '::' then fold the eight hextets (no embedded IPv4 forms needed here).
  const [head = '', tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function fromBigInt(v: bigint, family: Family): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((v >> s) & 0xffffn).toString(16));
  return groups.join(':'); // `ip` accepts the uncompressed form
}
