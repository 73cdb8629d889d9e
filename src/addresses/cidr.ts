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
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  // One reading per family; a large policy holds tens of thousands of addresses.
  const v4 = ipv4Value(addr);
  const fam: Family = v4 !== undefined ? 4 : 6;
  const address = v4 !== undefined ? BigInt(v4) : ipv6Value(addr);
  if (address === undefined) return { ok: false, problem: 'invalid' };
  const bits = familyBits(fam);
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(prefixText)) return { ok: false, problem: prefixText.includes('/') ? 'invalid' : 'prefix' };
    prefix = Number(prefixText);
    if (prefix > bits) return { ok: false, problem: 'prefix' };
  }
  if ((address & hostMask(fam, prefix)) !== 0n) {
    const network = address & prefixMask(fam, prefix);
    return { ok: false, problem: 'host-bits', suggestion: formatCidr({ family: fam, address: network, prefix }) };
  }
  return { ok: true, cidr: { family: fam, address, prefix } };
}

/**
 * An IPv6 block that stands for IPv4 addresses, which no packet on the wire carries: IPv4-mapped
 * (`::ffff:0:0/96`, RFC 4291 2.5.5.2: how a dual-stack socket shows an IPv4 peer) or
 * IPv4-compatible (`::/96`, deprecated by RFC 4291 2.5.5.1), without the unspecified address
 * `::` and the loopback `::1`. A packet from 203.0.113.7 is an IPv4 packet from 203.0.113.7 at
 * every firewall; a rule naming `::ffff:203.0.113.7` never matches it. Blocks that merely contain
 * such a range (`::/0`) are left alone: they name IPv6 as a whole, not IPv4 hosts.
 */
export type EmbeddedIpv4 = { kind: 'mapped' | 'compatible'; ipv4: Cidr };

export function embeddedIpv4(c: Cidr): EmbeddedIpv4 | undefined {
  if (c.family !== 6 || c.prefix < 96) return undefined;
  const ipv4: Cidr = { family: 4, address: c.address & 0xffffffffn, prefix: c.prefix - 96 };
  const top = c.address >> 32n;
  if (top === 0xffffn) return { kind: 'mapped', ipv4 };
  if (top === 0n && !(c.prefix >= 127 && c.address <= 1n)) return { kind: 'compatible', ipv4 };
  return undefined;
}

// Every mask once: a large policy holds tens of thousands of addresses, and each bigint
// operation allocates.
const HOST_MASKS: Record<Family, bigint[]> = { 4: hostMasks(32), 6: hostMasks(128) };
const PREFIX_MASKS: Record<Family, bigint[]> = {
  4: HOST_MASKS[4].map((m) => m ^ 0xffffffffn),
  6: HOST_MASKS[6].map((m) => m ^ ((1n << 128n) - 1n)),
};

function hostMasks(bits: number): bigint[] {
  return Array.from({ length: bits + 1 }, (_, prefix) => (1n << BigInt(bits - prefix)) - 1n);
}

/** The network bits of a prefix length: 10.0.0.0/8 → 255.0.0.0. */
export function prefixMask(family: Family, prefix: number): bigint {
  return PREFIX_MASKS[family][prefix]!;
}

/** The host bits of a prefix length: 10.0.0.0/8 → 0.255.255.255. */
export function hostMask(family: Family, prefix: number): bigint {
  return HOST_MASKS[family][prefix]!;
}

/** A decimal octet as inet_pton reads it: 0-255, no leading zero. */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** The value of a dotted-quad IPv4 address (what node's isIPv4 accepts), or undefined. */
function ipv4Value(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  return ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/**
 * The value of an IPv6 address in RFC 4291 text form (what node's isIPv6 accepts: groups of one
 * to four hex digits, at most one `::`, an optional dotted-quad tail), or undefined.
 */
function ipv6Value(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups: number[][] = [];
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h]!;
    const out: number[] = [];
    groups.push(out);
    if (half === '') continue;
    const parts = half.split(':');
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      const lastOfAll = h === halves.length - 1 && k === parts.length - 1;
      if (lastOfAll && part.includes('.')) {
        const v4 = ipv4Value(part);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (HEX_GROUP.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
  }
  const [left, right] = groups as [number[], number[] | undefined];
  const count = left.length + (right?.length ?? 0);
  // Without `::` all eight groups are written; `::` stands for at least one zero group.
  if (right === undefined ? count !== 8 : count > 7) return undefined;
  const all = right === undefined ? left : [...left, ...Array<number>(8 - count).fill(0), ...right];
  let value = 0n;
  for (let k = 0; k < 8; k += 2) value = (value << 32n) | BigInt(all[k]! * 0x10000 + all[k + 1]!);
  return value;
}

export function formatAddress(family: Family, address: bigint): string {
  if (family === 4) {
    const n = Number(address); // exact: IPv4 fits a double
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  // One conversion of the whole address, not eight shifts: each bigint operation allocates.
  // Each group is its four digits without leading zeros (a zero group is `0`), cut from that
  // text rather than read as a number and printed again: a large policy prints tens of
  // thousands of IPv6 networks.
  const hex32 = address.toString(16).padStart(32, '0');
  const hex: string[] = [];
  for (let i = 0; i < 32; i += 4) {
    let k = i;
    while (k < i + 3 && hex32.charCodeAt(k) === 48) k++;
    hex.push(hex32.slice(k, i + 4));
  }
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (hex[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hex[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Host routes print without a prefix (`10.1.1.10`), networks with one. */
export function formatCidr(c: Cidr): string {
  const addr = formatAddress(c.family, c.address);
  return c.prefix === familyBits(c.family) ? addr : `${addr}/${c.prefix}`;
}
