// The optimiser as it was before issue 15 (with ICMP rules, as main had it): every rule compared with every earlier rule of its
// run of one action. Kept verbatim as the oracle the grouped optimiser (src/optimise) must equal
// rule for rule (test/optimise/grouped.test.ts).
import { equals, isSubset, union, type AddressSet, type Interval } from '../../src/addresses/set.js';
import { normalizePorts, portsCover, samePorts, unionPorts } from '../../src/addresses/ports.js';
import type { Endpoint, PortList } from '../../src/flows/flow.js';
import type { IcmpType } from '../../src/icmp/messages.js';
import type { Origin } from '../../src/resolve/model.js';
import type { PlacedFirewall, PlacedRule } from '../../src/place/placed.js';

/**
 * Shortens a firewall's rule list without changing what it matches: a rule covered by an
 * earlier one is dropped, and rules that differ in one dimension only (ports, source or
 * destination) become one. A rule only moves up past rules of the same action, so first-match
 * semantics are kept. Origins travel with the rules they are merged into.
 */
export function optimiseFirewallPairwise(fw: PlacedFirewall): PlacedFirewall {
  let rules = fw.rules.map(normalizeRule);
  const owned = new WeakSet<AddressSet>();
  // A merge can make two later rules mergeable in turn: repeat until nothing changes.
  for (;;) {
    const out: PlacedRule[] = [];
    for (const rule of rules) if (!absorb(out, rule, owned)) out.push(rule);
    if (out.length === rules.length) return { ...fw, rules: out };
    rules = out;
  }
}

function normalizeRule(r: PlacedRule): PlacedRule {
  const n: PlacedRule = { ...r, origins: [...r.origins] };
  if (r.dstPorts) n.dstPorts = { label: r.dstPorts.label, ranges: normalizePorts(r.dstPorts.ranges) };
  if (r.srcPorts) n.srcPorts = { label: r.srcPorts.label, ranges: normalizePorts(r.srcPorts.ranges) };
  return n;
}

function absorb(out: PlacedRule[], rule: PlacedRule, owned: WeakSet<AddressSet>): boolean {
  for (let i = out.length - 1; i >= 0; i--) {
    const earlier = out[i]!;
    if (earlier.action !== rule.action) return false; // never move a rule past another verdict
    if (earlier.direction !== rule.direction || earlier.protocol !== rule.protocol) continue;
    if (covers(earlier, rule)) {
      earlier.origins = mergeOrigins(earlier.origins, rule.origins);
      return true;
    }
    const merged = mergeOneDimension(earlier, rule, owned);
    if (merged) {
      out[i] = merged;
      return true;
    }
  }
  return false;
}

function covers(a: PlacedRule, b: PlacedRule): boolean {
  // Ports first: a few ranges, where an address set may hold thousands of intervals.
  return (
    icmpCovers(a.icmpTypes, b.icmpTypes) &&
    portsListCovers(a.dstPorts, b.dstPorts) &&
    portsListCovers(a.srcPorts, b.srcPorts) &&
    endpointCovers(a.src, b.src) &&
    endpointCovers(a.dst, b.dst)
  );
}

const endpointCovers = (a: Endpoint | undefined, b: Endpoint | undefined) =>
  a === undefined || (b !== undefined && isSubset(b.set, a.set));
const portsListCovers = (a: PortList | undefined, b: PortList | undefined) =>
  a === undefined || (b !== undefined && portsCover(a.ranges, b.ranges));

/** ICMP rules (of one protocol with the rules they meet) cover each other's messages per family. */
const icmpKeys = (t: readonly IcmpType[] | undefined) => (t ?? []).flatMap((x) => [x.v4 === undefined ? [] : [`4:${x.v4}`], x.v6 === undefined ? [] : [`6:${x.v6}`]].flat());
const icmpCovers = (a: readonly IcmpType[] | undefined, b: readonly IcmpType[] | undefined) => {
  const outer = icmpKeys(a);
  return icmpKeys(b).every((k) => outer.includes(k));
};
const sameIcmp = (a: readonly IcmpType[] | undefined, b: readonly IcmpType[] | undefined) => icmpCovers(a, b) && icmpCovers(b, a);

const sameEndpoint = (a: Endpoint | undefined, b: Endpoint | undefined) =>
  a === b || (a !== undefined && b !== undefined && equals(a.set, b.set));
const samePortList = (a: PortList | undefined, b: PortList | undefined) =>
  a === b || (a !== undefined && b !== undefined && samePorts(a.ranges, b.ranges));

function mergeOneDimension(a: PlacedRule, b: PlacedRule, owned: WeakSet<AddressSet>): PlacedRule | undefined {
  // ICMP rules merge addresses only: their messages must be the same.
  if (!sameIcmp(a.icmpTypes, b.icmpTypes)) return undefined;
  const same = {
    src: sameEndpoint(a.src, b.src),
    dst: sameEndpoint(a.dst, b.dst),
    dstPorts: samePortList(a.dstPorts, b.dstPorts),
    srcPorts: samePortList(a.srcPorts, b.srcPorts),
  };
  const mergesPorts = same.src && same.dst && same.srcPorts && a.dstPorts && b.dstPorts;
  const mergesSrc = same.dst && same.dstPorts && same.srcPorts && a.src && b.src;
  const mergesDst = same.src && same.dstPorts && same.srcPorts && a.dst && b.dst;
  // Most pairs an absorb looks at do not merge: build the merged rule only for those that do.
  if (!mergesPorts && !mergesSrc && !mergesDst) return undefined;
  const origins = mergeOrigins(a.origins, b.origins);
  const catalog = unionIds(a.catalog, b.catalog);
  const base = { ...a, origins, ...(catalog ? { catalog } : {}) };
  if (same.src && same.dst && same.srcPorts && a.dstPorts && b.dstPorts) {
    return { ...base, dstPorts: { label: joinLabels(a.dstPorts.label, b.dstPorts.label), ranges: unionPorts(a.dstPorts.ranges, b.dstPorts.ranges) } };
  }
  if (same.dst && same.dstPorts && same.srcPorts && a.src && b.src) {
    return { ...base, src: joinEndpoints(a.src, b.src, mergeSets(a.src.set, b.src.set, owned)) };
  }
  if (same.src && same.dstPorts && same.srcPorts && a.dst && b.dst) {
    return { ...base, dst: joinEndpoints(a.dst, b.dst, mergeSets(a.dst.set, b.dst.set, owned)) };
  }
  return undefined;
}

/**
 * union(a, b) for a merge. Merging the rules of many clients blocks one after the other would
 * copy the growing set every time; a set this optimiser made belongs to the one rule being
 * replaced (the old rule is dropped), so when b's addresses all lie past a's — rules merged in
 * address order — they are appended to a in place.
 */
function mergeSets(a: AddressSet, b: AddressSet, owned: WeakSet<AddressSet>): AddressSet {
  // A block merged into a set that already holds it (a site into all sites): the set itself,
  // not a copy of its ten thousand intervals. Neither is changed: only `owned` sets ever are.
  if (isSubset(b, a)) return a;
  if (isSubset(a, b)) return b;
  if (owned.has(a) && liesPast(a.v4, b.v4) && liesPast(a.v6, b.v6)) {
    for (const iv of b.v4) a.v4.push(iv);
    for (const iv of b.v6) a.v6.push(iv);
    return a;
  }
  const set = union(a, b);
  owned.add(set);
  return set;
}

/** Every interval of `after` starts past the end of `list` without touching it. */
const liesPast = (list: readonly Interval[], after: readonly Interval[]) =>
  after.length === 0 || list.length === 0 || after[0]!.first > list[list.length - 1]!.last + 1n;

/** The names an endpoint this module made joins (`a+b+c`), so the next join need not split it. */
const endpointParts = new WeakMap<Endpoint, Set<string>>();

/**
 * `a+b` for a merged endpoint: a's names, then those of b it lacks. A merged endpoint belongs
 * to the one rule being replaced, so its names pass on to the new one instead of being copied
 * (merging hundreds of clients blocks one after the other stays linear).
 */
function joinEndpoints(a: Endpoint, b: Endpoint, set: AddressSet): Endpoint {
  const parts = endpointParts.get(a) ?? new Set(a.name.split('+'));
  let name = a.name;
  for (const part of b.name.split('+')) {
    if (parts.has(part)) continue;
    parts.add(part);
    name += `+${part}`;
  }
  const joined = { name, set };
  endpointParts.set(joined, parts);
  return joined;
}

const joinLabels = (a: string, b: string) => (a && b && a !== b ? `${a}_${b}` : a || b);
/** a's catalog ids, then those of b it lacks (the same list, not a copy, when b adds none). */
function unionIds(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a || !b) return a ?? b;
  const extra = b.filter((id) => !a.includes(id));
  return extra.length ? [...a, ...extra] : a;
}

/** The identity of an origin for merging, built once per origin object. */
const originKeys = new WeakMap<Origin, string>();
function key(o: Origin): string {
  let k = originKeys.get(o);
  if (k === undefined) originKeys.set(o, (k = `${o.line}:${o.column}:${o.text}`));
  return k;
}

/** The keys of the origin lists merged into (each a rule's own, see `normalizeRule`). */
const originKeySets = new WeakMap<Origin[], Set<string>>();

/**
 * Adds to `into` the origins of `more` it lacks, in place, and returns it. `into` is the list of
 * the rule being extended or replaced, which no other rule shares, so a rule that collects
 * hundreds of origins (one per clients block) never copies them.
 */
function mergeOrigins(into: Origin[], more: readonly Origin[]): Origin[] {
  let seen = originKeySets.get(into);
  if (!seen && into.length + more.length <= 8) {
    for (const o of more) if (!into.some((x) => x.line === o.line && x.column === o.column && x.text === o.text)) into.push(o);
    return into;
  }
  if (!seen) originKeySets.set(into, (seen = new Set(into.map(key))));
  for (const o of more) {
    const k = key(o);
    if (seen.has(k)) continue;
    seen.add(k);
    into.push(o);
  }
  return into;
}
