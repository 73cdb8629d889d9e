import type { IrAddressSet, IrFamily, IrPortRange } from '../src/ir/types.js';

/**
 * How large msgrfw lets its output grow (MSGR053). Within the policy limits (4 MiB, 1,000 plain
 * rules per firewall) some shapes multiply: Windows Firewall has no address sets, so a netsh rule
 * repeats a chunk of one list for every chunk of the other; a large network is written out by
 * every firewall that uses it, and the policy's description by every file. Each target counts
 * what it would write from the IR alone (its capabilities' `size`), so `check` and `compile`
 * refuse the same policies, and no text past these sizes is ever built (far past them, the
 * runtime's string limit would crash the compiler).
 */

/** The largest file msgrfw writes: far above any real firewall, and loaded by every tool in seconds. */
export const MAX_ARTEFACT_BYTES = 64 * 1024 * 1024;

/**
 * The most one policy's compile writes in all: every artefact is held in memory until all of
 * them can be written at once (or none), so this bounds the compiler's memory too.
 */
export const MAX_RUN_BYTES = 256 * 1024 * 1024;

/**
 * One file a target would write for a firewall, counted from the IR: at least as many bytes as
 * the file will have (the count may exceed it by the slack of fixed text, never fall short).
 */
export interface ArtefactSize {
  name: string;
  bytes: number;
  /** What makes the file so large, when one thing multiplies it (netsh's chunk products). */
  why?: string;
}

export const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
export const count = (n: number) => n.toLocaleString('en-US');

/**
 * The bytes of `s` in UTF-8, counted without encoding it (and without Node's Buffer: the
 * playground runs this in the browser). A lone surrogate counts as U+FFFD, as encoders write it.
 */
export function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

/** One family's blocks of a set: how many, and their characters. */
export interface ListText {
  count: number;
  chars: number;
}

/** Per IR set and family: counted once, however many rules and targets name the set. */
const listTexts = new WeakMap<IrAddressSet, Record<IrFamily, ListText>>();

export function cidrText(set: IrAddressSet, family: IrFamily): ListText {
  let known = listTexts.get(set);
  if (!known) {
    const of = (list: readonly string[]): ListText => ({ count: list.length, chars: list.reduce((n, c) => n + c.length, 0) });
    listTexts.set(set, (known = { 4: of(set.ipv4), 6: of(set.ipv6) }));
  }
  return known[family];
}

/** Characters of a list's items joined with a separator of `separator` characters. */
export const joinedChars = (list: ListText, separator: number) => list.chars + separator * Math.max(0, list.count - 1);

/** The two families' blocks as one list. */
export const bothFamilies = (set: IrAddressSet): ListText => {
  const [a, b] = [cidrText(set, 4), cidrText(set, 6)];
  return { count: a.count + b.count, chars: a.chars + b.chars };
};

const digits = (n: number) => String(n).length;

/** Port ranges as written (`5060`, `5000-5100`; pf's `:` and iptables' `:` are as long). */
export function portText(ranges: readonly IrPortRange[]): ListText {
  let chars = 0;
  for (const r of ranges) chars += r.from === r.to ? digits(r.from) : digits(r.from) + 1 + digits(r.to);
  return { count: ranges.length, chars };
}
