import { isIPv4, isIPv6 } from 'node:net';
import type { TuplePortRange } from './tuple.js';

/**
 * Address and port normalisation for the readers. Deliberately independent of src/addresses:
 * a reader that shared the compiler's CIDR code would agree with its bugs.
 */
export type Family = 4 | 6;

export interface Interval {
  first: bigint;
  last: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;
const maxOf = (f: Family) => (1n << BigInt(BITS[f])) - 1n;

export function familyOf(address: string): Family | undefined {
  const a = address.split('/')[0]!;
  return isIPv4(a) ? 4 : isIPv6(a) ? 6 : undefined;
}

function toBigint(address: string, family: Family): bigint {
  if (family === 4) return address.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
  // Let the URL parser (WHATWG) expand the IPv6 text: an independent implementation.
  const host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [l, r] = host.includes('::') ? host.split('::') : [host, undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function fromBigint(value: bigint, family: Family): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/**
 * One address item as the targets write it: `a.b.c.d`, `a.b.c.d/len`, `a.b.c.d/255.255.0.0`,
 * `first-last`, and the IPv6 forms. Throws on anything else (names, keywords).
 */
export function parseAddressItem(text: string): { family: Family; interval: Interval } {
  const range = text.match(/^([^/-]+)-([^/-]+)$/);
  if (range) {
    const f = familyOf(range[1]!);
    if (!f || familyOf(range[2]!) !== f) throw new Error(`bad address range ${text}`);
    const first = toBigint(range[1]!, f);
    const last = toBigint(range[2]!, f);
    if (last < first) throw new Error(`address range ${text} ends before it starts`);
    return { family: f, interval: { first, last } };
  }
  const [addr, len, ...rest] = text.split('/');
  const f = familyOf(addr ?? '');
  if (!f || rest.length) throw new Error(`not an address: ${text}`);
  let prefix: number = BITS[f];
  if (len !== undefined) {
    if (/^[0-9]{1,3}$/.test(len)) prefix = Number(len);
    else if (f === 4 && isIPv4(len)) prefix = maskToPrefix(toBigint(len, 4), text);
    else throw new Error(`bad prefix in ${text}`);
    if (prefix > BITS[f]) throw new Error(`prefix too long in ${text}`);
  }
  const size = 1n << BigInt(BITS[f] - prefix);
  const first = toBigint(addr!, f) & ~(size - 1n) & maxOf(f);
  return { family: f, interval: { first, last: first + size - 1n } };
}

function maskToPrefix(mask: bigint, text: string): number {
  for (let p = 0; p <= 32; p++) {
    if (mask === ((maxOf(4) << BigInt(32 - p)) & maxOf(4))) return p;
  }
  throw new Error(`not a contiguous netmask in ${text}`);
}

export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) {
    const top = out[out.length - 1];
    if (top && i.first <= top.last + 1n) {
      if (i.last > top.last) top.last = i.last;
    } else out.push({ ...i });
  }
  return out;
}

/** Minimal CIDR blocks covering exactly the intervals, `addr/len` each. */
export function intervalsToCidrs(list: readonly Interval[], family: Family): string[] {
  const out: string[] = [];
  for (const { first, last } of mergeIntervals(list)) {
    let cur = first;
    while (cur <= last) {
      let size = 1n;
      let len = BITS[family];
      // Grow the block while it stays aligned and inside the interval.
      while (len > 0 && cur % (size * 2n) === 0n && cur + size * 2n - 1n <= last) {
        size *= 2n;
        len--;
      }
      out.push(`${fromBigint(cur, family)}/${len}`);
      cur += size;
    }
  }
  return out;
}

/**
 * Address items of every family → the normal form for one family: `'any'` for the whole family,
 * `[]` when no item is of this family.
 */
export function normalizeAddresses(items: readonly string[], family: Family): string[] | 'any' {
  const intervals = items.map(parseAddressItem).filter((p) => p.family === family).map((p) => p.interval);
  const merged = mergeIntervals(intervals);
  if (merged.length === 1 && merged[0]!.first === 0n && merged[0]!.last === maxOf(family)) return 'any';
  return intervalsToCidrs(merged, family);
}

const parsedItems = new Map<string, { family: Family; interval: Interval }>();

/** Does an address list (normal form) contain an address (as a bigint of its family)? */
export function addressIn(list: string[] | 'any', family: Family, address: bigint): boolean {
  if (list === 'any') return true;
  return list.some((c) => {
    // Evaluating many probes parses the same few CIDRs over and over: keep them.
    let p = parsedItems.get(c);
    if (!p) parsedItems.set(c, (p = parseAddressItem(c)));
    return p.family === family && p.interval.first <= address && address <= p.interval.last;
  });
}

export function addressValue(text: string): { family: Family; value: bigint } {
  const f = familyOf(text);
  if (!f) throw new Error(`not an address: ${text}`);
  return { family: f, value: toBigint(text, f) };
}

export function addressText(value: bigint, family: Family): string {
  return fromBigint(value, family);
}

export function intervalsOf(list: string[], family: Family): Interval[] {
  return list.map(parseAddressItem).filter((p) => p.family === family).map((p) => p.interval);
}

export function normalizePorts(ranges: readonly TuplePortRange[]): TuplePortRange[] | 'any' {
  for (const r of ranges) {
    if (!Number.isInteger(r.from) || !Number.isInteger(r.to) || r.from < 0 || r.to > 65535 || r.from > r.to) {
      throw new Error(`bad port range ${r.from}-${r.to}`);
    }
  }
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: TuplePortRange[] = [];
  for (const r of sorted) {
    const top = out[out.length - 1];
    if (top && r.from <= top.to + 1) top.to = Math.max(top.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  if (out.length === 1 && out[0]!.from <= 1 && out[0]!.to === 65535) return 'any';
  return out;
}
