import { mergeIntervals, parseAddressItem, type Family, type Interval } from '../readers/normalize.js';
import { PfError } from './readerLexer.js';
import type { PfHost, PfRuleset } from './reader.js';

/**
 * What a pf address specification stands for, per address family, as pf decides membership.
 *
 * - `self`: pfctl expands it when it loads the ruleset, to every address of every interface
 *   (pfctl_parser.c: host_if accepts "self" as an interface name and ifa_lookup then takes all
 *   interfaces; OpenBSD pf.conf(5): "self: Expands to all addresses assigned to all
 *   interfaces"). The reader cannot ask a kernel: it is given those addresses.
 * - Tables: entries are addresses, networks, `self` and their negations (pf.conf(5), TABLES: "IP
 *   addresses can also be entered in a table by specifying ... the self keyword, in which case
 *   all addresses assigned to the interface(s) will be added"; pfctl marks each address of a
 *   negated entry negated). The kernel looks an address up by longest prefix and the table
 *   holds it when that entry is not negated (pf_table.c, pfr_match_addr: `match = (ke &&
 *   !ke->pfrke_not)`); the PF FAQ's `{ 192.0.2.0/24, !192.0.2.5 }` "will now match all
 *   addresses in the 192.0.2.0/24 network except for 192.0.2.5".
 * - Rules: a list `{ … }` is expanded into one rule per element (PF FAQ, "Lists"), and `self`
 *   is such a list, one element per address, each negated when the host is (parse.y, xhost:
 *   `n->not = $1` for every address of the host). An element names one family (an address) or
 *   both (a table, `any`): a negated address is the rest of its own family and, since pfctl
 *   gives the rule expanded for it that family, nothing of the other. So `{ 10.0.0.0/8,
 *   !10.1.2.3 }` and `! self` with two addresses of a family match every address of it: the
 *   FAQ's "negated lists" mistake, modelled, not refused. A negated table is the rest of the
 *   family (pf_match_addr: the table lookup's result is inverted).
 */
export interface PfAddressContext {
  ruleset: PfRuleset;
  /** The machine's own addresses, what `self` expands to. */
  self: readonly string[];
}

const BITS = { 4: 32, 6: 128 } as const;
const whole = (f: Family): Interval[] => [{ first: 0n, last: (1n << BigInt(BITS[f])) - 1n }];

export function complementIntervals(list: readonly Interval[], family: Family): Interval[] {
  return subtractIntervals(whole(family), list);
}

export function subtractIntervals(from: readonly Interval[], cut: readonly Interval[]): Interval[] {
  let out = mergeIntervals(from);
  for (const c of mergeIntervals(cut)) {
    out = out.flatMap((i) => {
      if (c.last < i.first || c.first > i.last) return [i];
      const parts: Interval[] = [];
      if (c.first > i.first) parts.push({ first: i.first, last: c.first - 1n });
      if (c.last < i.last) parts.push({ first: c.last + 1n, last: i.last });
      return parts;
    });
  }
  return out;
}

/** The addresses `self` stands for, as single-address items of every family. */
function selfItems(ctx: PfAddressContext, line: number): { family: Family; interval: Interval }[] {
  if (!ctx.self.length) throw new PfError(line, 'self: give the machine\'s own addresses (the reader cannot list its interfaces)');
  return ctx.self.map((a) => {
    const item = parseAddressItem(a);
    if (item.interval.first !== item.interval.last) throw new PfError(line, `self: ${a} is not a single address`);
    return item;
  });
}

/** A table's addresses of one family: longest prefix first, a negated entry cuts its block out. */
export function tableIntervals(ctx: PfAddressContext, name: string, family: Family, line: number): Interval[] {
  const entries = ctx.ruleset.tables.get(name);
  if (!entries) throw new PfError(line, `table <${name}> is not defined in this anchor`);
  const items = entries.flatMap((e) => {
    const negated = e.startsWith('!');
    const text = negated ? e.slice(1) : e;
    // Without the machine's addresses, `!self` takes nothing out (PfReadOptions.self).
    if (text === 'self' && negated && !ctx.self.length) return [];
    const parsed = text === 'self' ? selfItems(ctx, line) : [parseAddressItem(text)];
    return parsed.filter((p) => p.family === family).map((p) => ({ negated, interval: p.interval, size: p.interval.last - p.interval.first }));
  });
  for (const a of items) {
    if (items.some((b) => b !== a && b.negated !== a.negated && b.interval.first === a.interval.first && b.size === a.size)) {
      throw new PfError(line, `table <${name}> holds one block both as itself and negated`);
    }
  }
  // Widest blocks first, so every narrower entry overrides them inside its own block.
  items.sort((a, b) => (a.size > b.size ? -1 : a.size < b.size ? 1 : 0));
  let held: Interval[] = [];
  for (const i of items) held = i.negated ? subtractIntervals(held, [i.interval]) : mergeIntervals([...held, i.interval]);
  return held;
}

/** The addresses of one family a rule's source or destination matches (the union of its list). */
export function hostsIntervals(ctx: PfAddressContext, hosts: readonly PfHost[], family: Family, line: number): Interval[] {
  return mergeIntervals(hosts.flatMap((h) => hostIntervals(ctx, h, family, line)));
}

function hostIntervals(ctx: PfAddressContext, h: PfHost, family: Family, line: number): Interval[] {
  switch (h.kind) {
    case 'any':
      return whole(family);
    case 'table': {
      const held = tableIntervals(ctx, h.text, family, line);
      return h.negated ? complementIntervals(held, family) : held;
    }
    case 'address':
    case 'self': {
      // One rule per address, each of its own family.
      const items = h.kind === 'self' ? selfItems(ctx, line) : [parseAddressItem(h.text)];
      return items.filter((i) => i.family === family).flatMap((i) => (h.negated ? complementIntervals([i.interval], family) : [i.interval]));
    }
  }
}

export function inIntervals(list: readonly Interval[], address: bigint): boolean {
  return list.some((i) => i.first <= address && address <= i.last);
}
