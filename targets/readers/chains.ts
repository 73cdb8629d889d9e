import { intervalsOf, intervalsToCidrs, mergeIntervals, normalizePorts, type Family, type Interval } from './normalize.js';
import type { Policy } from './evaluate.js';
import type { Tuple, TupleAction, TupleDirection, TupleProtocol, TuplePortRange } from './tuple.js';

/**
 * The common back end of the nftables and iptables readers (their reader.ts): a ruleset as chains
 * of rules, each a conjunction of conditions and an action, entered from hooks (input, output,
 * forward) that end in a policy. `flatten` turns it into first-match tuples for the opening
 * packet of a new connection:
 *
 * - `accept`/`drop` give one tuple per address family the conditions allow;
 * - `jump` inlines the target chain, each of its rules conjoined with the jump rule's
 *   conditions (a packet that falls off the end of the target chain continues after the jump,
 *   which is exactly where the flattened list continues too);
 * - `continue` (log, counter, a rule without verdict) has no effect on the verdict;
 * - an unconditional `return` ends the chain; a conditional one cannot be written as
 *   first-match tuples and is refused.
 *
 * Conntrack state is decided statically, for one kind of packet at a time (`CtState`): a new
 * connection's first packet is in state `new`, so a rule that needs established, related or
 * invalid never matches it; the reply to a connection the kernel accepted is `established`.
 */
/** The conntrack state of the packets a flattened program is for. */
export type CtState = 'new' | 'established';

export interface Cond {
  family?: Family;
  /** Undefined: any protocol. */
  protocol?: Exclude<TupleProtocol, 'any'>;
  /** Undefined: any address. Intervals of `family`, merged. */
  src?: Interval[];
  dst?: Interval[];
  srcPorts?: TuplePortRange[];
  dstPorts?: TuplePortRange[];
  /** The interface a packet comes in on (`-i`, `iif`). */
  iface?: string;
  /** The interface a packet goes out on (`-o`, `oif`). */
  outIface?: string;
  icmpTypes?: string[];
  extra?: string[];
}

export type Action = { kind: 'accept' } | { kind: 'drop' } | { kind: 'jump'; chain: string } | { kind: 'return' } | { kind: 'continue' };

export interface ChainRule {
  /** Undefined: the rule can never match a packet of the program's conntrack state. */
  cond: Cond | undefined;
  action: Action;
  /** The rule as the reader saw it, for error messages. */
  text: string;
  /** Where the ruleset has it: its chain, 1-based position there, and nftables' handle. */
  where?: { chain: string; position: number; handle?: number };
}

export interface Hook {
  direction: TupleDirection;
  chain: string;
  policy: TupleAction;
  /** Only packets of this family reach the hook (iptables: one ruleset per family). */
  family?: Family;
  /** nftables' priority: base chains on one hook run in its order (lowest first). */
  priority?: number;
}

export interface ChainProgram {
  chains: Map<string, ChainRule[]>;
  hooks: Hook[];
}

export class ReaderError extends Error {}

function intersectIntervals(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const first = x.first > y.first ? x.first : y.first;
      const last = x.last < y.last ? x.last : y.last;
      if (first <= last) out.push({ first, last });
    }
  }
  return mergeIntervals(out);
}

function intersectPorts(a: TuplePortRange[], b: TuplePortRange[]): TuplePortRange[] {
  const out: TuplePortRange[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from <= to) out.push({ from, to });
    }
  }
  return out;
}

/** The conjunction of two conditions; undefined when no packet can meet both. */
export function and(a: Cond | undefined, b: Cond | undefined): Cond | undefined {
  if (!a || !b) return undefined;
  const out: Cond = { ...a };
  if (b.family !== undefined) {
    if (out.family !== undefined && out.family !== b.family) return undefined;
    out.family = b.family;
  }
  if (b.protocol !== undefined) {
    if (out.protocol !== undefined && out.protocol !== b.protocol) return undefined;
    out.protocol = b.protocol;
  }
  if ((out.protocol === 'icmp' && out.family === 6) || (out.protocol === 'icmp6' && out.family === 4)) return undefined;
  for (const k of ['src', 'dst'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    const merged = out[k] === undefined ? mergeIntervals(v) : intersectIntervals(out[k]!, v);
    if (merged.length === 0) return undefined;
    out[k] = merged;
  }
  for (const k of ['srcPorts', 'dstPorts'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    const cut = out[k] === undefined ? v : intersectPorts(out[k]!, v);
    if (cut.length === 0) return undefined;
    out[k] = cut;
  }
  for (const k of ['iface', 'outIface'] as const) {
    if (b[k] === undefined) continue;
    if (out[k] !== undefined && out[k] !== b[k]) return undefined;
    out[k] = b[k];
  }
  if (b.icmpTypes !== undefined) {
    const cut = out.icmpTypes === undefined ? b.icmpTypes : out.icmpTypes.filter((t) => b.icmpTypes!.includes(t));
    if (cut.length === 0) return undefined;
    out.icmpTypes = cut;
  }
  if (b.extra?.length) out.extra = [...(out.extra ?? []), ...b.extra];
  return out;
}

const same = (a: Cond, b: Cond) => {
  const text = (c: Cond) => JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text(a) === text(b);
};

/** Tuples for packets meeting `c` (one per family it allows). */
export function condTuples(direction: TupleDirection, action: TupleAction, c: Cond): Tuple[] {
  if ((c.src || c.dst) && c.family === undefined) throw new ReaderError('address condition without a family');
  const families: Family[] = c.family ? [c.family] : [4, 6];
  const out: Tuple[] = [];
  for (const family of families) {
    const protocol: TupleProtocol = c.protocol ?? 'any';
    if ((protocol === 'icmp' && family === 6) || (protocol === 'icmp6' && family === 4)) continue;
    const addrs = (v: Interval[] | undefined): string[] | 'any' => {
      if (v === undefined) return 'any';
      const merged = mergeIntervals(v);
      const max = (1n << BigInt(family === 4 ? 32 : 128)) - 1n;
      if (merged.length === 1 && merged[0]!.first === 0n && merged[0]!.last === max) return 'any';
      return intervalsToCidrs(merged, family);
    };
    const ports = (v: TuplePortRange[] | undefined) => (v === undefined ? 'any' : normalizePorts(v));
    const t: Tuple = {
      direction,
      action,
      protocol,
      family,
      src: addrs(c.src),
      dst: addrs(c.dst),
      srcPorts: ports(c.srcPorts),
      dstPorts: ports(c.dstPorts),
    };
    if (c.iface !== undefined) t.iface = c.iface;
    if (c.outIface !== undefined) t.outIface = c.outIface;
    if (c.icmpTypes !== undefined) t.icmpTypes = c.icmpTypes;
    if (c.extra?.length) t.extra = c.extra;
    out.push(t);
  }
  return out;
}

/** The program as first-match tuples and per-direction policy (see the top of the file). */
export function flatten(p: ChainProgram): { tuples: Tuple[]; policy: Policy } {
  const tuples: Tuple[] = [];
  const policy: Policy = {};
  for (const { hook: h, rules } of flattenRules(p)) {
    if (h.direction in policy) throw new ReaderError(`several base chains on the ${h.direction} hook are not modelled`);
    for (const r of rules) tuples.push(...condTuples(h.direction, r.action, r.cond));
    policy[h.direction] = h.policy;
  }
  return { tuples, policy };
}

/** A verdict for the packets meeting `cond`, given by `rule` (reached through the jump rules `via`). */
export interface FlatRule {
  action: TupleAction;
  cond: Cond;
  rule: ChainRule;
  via: ChainRule[];
}

/**
 * Each hook's base chain flattened into first-match verdict rules, jumps inlined, with the rule
 * each comes from: what `flatten` makes tuples of, and what names a rule in a report.
 */
export function flattenRules(p: ChainProgram): { hook: Hook; rules: FlatRule[] }[] {
  const walk = (out: FlatRule[], chain: string, ctx: Cond, stack: string[], via: ChainRule[]) => {
    const rules = p.chains.get(chain);
    if (!rules) throw new ReaderError(`jump to chain ${chain}, which does not exist`);
    if (stack.includes(chain)) throw new ReaderError(`chain loop: ${[...stack, chain].join(' -> ')}`);
    for (const r of rules) {
      const c = and(ctx, r.cond);
      if (r.action.kind === 'return') {
        // Unconditional for every packet that got here: the chain ends.
        if (c && same(c, ctx)) return;
        if (!c) continue;
        throw new ReaderError(`conditional return is not modelled: ${r.text}`);
      }
      if (!c) continue;
      if (r.action.kind === 'accept' || r.action.kind === 'drop') out.push({ action: r.action.kind, cond: c, rule: r, via });
      else if (r.action.kind === 'jump') walk(out, r.action.chain, c, [...stack, chain], [...via, r]);
    }
  };
  return p.hooks.map((hook) => {
    const rules: FlatRule[] = [];
    walk(rules, hook.chain, hook.family ? { family: hook.family } : {}, [], []);
    return { hook, rules };
  });
}

/**
 * Merge the flattened programs of two families (iptables' v4 and v6 rulesets): the tuples of
 * each only match packets of its family. A direction whose policy differs between them gets a
 * catch-all tuple per family instead of a policy (so does every direction when only one
 * family is given: the other then has no verdict at all).
 */
export function mergeFamilies(parts: { family: Family; tuples: Tuple[]; policy: Policy }[]): { tuples: Tuple[]; policy: Policy } {
  const tuples = parts.flatMap((x) => x.tuples);
  const policy: Policy = {};
  const directions = new Set(parts.flatMap((x) => Object.keys(x.policy) as TupleDirection[]));
  for (const d of directions) {
    const vals = new Set(parts.map((x) => x.policy[d]));
    if (parts.length === 2 && vals.size === 1 && !vals.has(undefined)) policy[d] = parts[0]!.policy[d]!;
    else for (const x of parts) if (x.policy[d]) tuples.push(...condTuples(d, x.policy[d]!, { family: x.family }));
  }
  return { tuples, policy };
}

/** A tuple's match as a condition (to conjoin it with another). */
export function tupleCond(t: Tuple): Cond {
  const c: Cond = { family: t.family };
  if (t.protocol !== 'any') c.protocol = t.protocol;
  if (t.src !== 'any') c.src = mergeIntervals(intervalsOf(t.src, t.family));
  if (t.dst !== 'any') c.dst = mergeIntervals(intervalsOf(t.dst, t.family));
  if (t.srcPorts !== 'any') c.srcPorts = t.srcPorts;
  if (t.dstPorts !== 'any') c.dstPorts = t.dstPorts;
  if (t.iface !== undefined) c.iface = t.iface;
  if (t.outIface !== undefined) c.outIface = t.outIface;
  if (t.icmpTypes !== undefined) c.icmpTypes = t.icmpTypes;
  if (t.extra !== undefined) c.extra = t.extra;
  return c;
}
