import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** The network address as an unsigned integer. */
  address: bigint;
  prefix: number;
}

export type CidrParse =
  | { ok: true; cidr: Cidr }
  | { ok: false; problem: 'invalid' | 'zone' | 'prefix' }
  | { ok: false; problem: 'host-bits'; suggestion: string };

export const familyBits = (f: Family) => (f === 4 ? 32 : 128);

/** Parses `10.0.0.0/8`, `10.1.1.10`, `2001:db8::/32`. A host-bits mismatch suggests the right network. */
export function parseCidr(text: string): CidrParse {
  if (text.includes('%')) return { ok: false, problem: 'zone' };
  const [addr, prefixText, ...rest] = text.split('/');
  if (rest.length > 0 || addr === undefined) return { ok: false, problem: 'invalid' };
  const family: Family | undefined = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
  if (family === undefined) return { ok: false, problem: 'invalid' };
  const bits = familyBits(family);
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(prefixText)) return { ok: false, problem: 'prefix' };
    prefix = Number(prefixText);
    if (prefix > bits) return { ok: false, problem: 'prefix' };
  }
  const address = family === 4 ? ipv4ToBigint(addr) : ipv6ToBigint(addr);
  const network = address & prefixMask(family, prefix);
  if (network !== address) {
    return { ok: false, problem: 'host-bits', suggestion: formatCidr({ family, address: network, prefix }) };
  }
  return { ok: true, cidr: { family, address, prefix } };
}

export function prefixMask(family: Family, prefix: number): bigint {
  const bits = BigInt(familyBits(family));
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

function ipv4ToBigint(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigint(text: string): bigint {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = ipv4ToBigint(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftParts = left ? left.split(':') : [];
  const rightParts = right ? right.split(':') : [];
  const missing = 8 - leftParts.length - rightParts.length;
  const groups = [...leftParts, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightParts];
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export function formatAddress(family: Family, address: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((address >> s) & 255n)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Host routes print without a prefix (`10.1.1.10`), networks with one. */
export function formatCidr(c: Cidr): string {
  const addr = formatAddress(c.family, c.address);
  return c.prefix === familyBits(c.family) ? addr : `${addr}/${c.prefix}`;
}
