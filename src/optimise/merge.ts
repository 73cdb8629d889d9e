import { addInto, equals, isSubset, union, type AddressSet } from '../addresses/set.js';
import { portsCover, samePorts, unionPorts } from '../addresses/ports.js';
import type { Endpoint, PortList } from '../flows/flow.js';
import type { IcmpType } from '../icmp/messages.js';
import type { Origin } from '../resolve/model.js';
import type { PlacedRule } from '../place/placed.js';

/*
 * What the optimiser does to two rules of one direction and protocol: whether the earlier
 * covers the later, and the one rule two rules become when they differ in one dimension.
 */

/** Whether rule `a` matches every packet rule `b` matches (same direction and protocol assumed). */
export function covers(a: PlacedRule, b: PlacedRule, owned: WeakSet<AddressSet>): boolean {
  // Ports first: a few ranges, where an address set may hold thousands of intervals.
  return (
    icmpCovers(a.icmpTypes, b.icmpTypes) &&
    portsListCovers(a.dstPorts, b.dstPorts) &&
    portsListCovers(a.srcPorts, b.srcPorts) &&
    endpointCovers(a.src, b.src, owned) &&
    endpointCovers(a.dst, b.dst, owned)
  );
}

const endpointCovers = (a: Endpoint | undefined, b: Endpoint | undefined, owned: WeakSet<AddressSet>) =>
  a === undefined || (b !== undefined && subsetOf(b.set, a.set, owned));

/**
 * inner ⊆ outer, remembered for sets no merge can change. Every firewall of a large site asks
 * whether each clients block's networks lie inside the same union of all sites (a hundred
 * binary searches over ten thousand intervals each time): the flows share their sets, so the
 * answer is worked out once. A set a merge of this run made (`owned`) may still grow in place,
 * so its answers are never kept; every other set is never changed.
 */
const subsets = new WeakMap<AddressSet, WeakMap<AddressSet, boolean>>();
function subsetOf(inner: AddressSet, outer: AddressSet, owned: WeakSet<AddressSet>): boolean {
  if (inner === outer) return true;
  if (owned.has(inner) || owned.has(outer) || inner.v4.length + inner.v6.length < SMALL_SET) return isSubset(inner, outer);
  let byOuter = subsets.get(inner);
  if (!byOuter) subsets.set(inner, (byOuter = new WeakMap()));
  let answer = byOuter.get(outer);
  if (answer === undefined) byOuter.set(outer, (answer = isSubset(inner, outer)));
  return answer;
}
/** Sets shorter than this are quicker to compare again than to look up. */
const SMALL_SET = 8;
const portsListCovers = (a: PortList | undefined, b: PortList | undefined) =>
  a === undefined || (b !== undefined && portsCover(a.ranges, b.ranges));

/** ICMP rules (of one protocol with the rules they meet) cover each other's messages per family. */
const icmpKeys = (t: readonly IcmpType[] | undefined) => (t ?? []).flatMap((x) => [x.v4 === undefined ? [] : [`4:${x.v4}`], x.v6 === undefined ? [] : [`6:${x.v6}`]].flat());
const icmpCovers = (a: readonly IcmpType[] | undefined, b: readonly IcmpType[] | undefined) => {
  if (a === b || b === undefined || b.length === 0) return true;
  const outer = icmpKeys(a);
  return icmpKeys(b).every((k) => outer.includes(k));
};
/** Whether two rules match the same ICMP messages (tcp and udp rules have none: the same). */
export const sameIcmp = (a: readonly IcmpType[] | undefined, b: readonly IcmpType[] | undefined) => icmpCovers(a, b) && icmpCovers(b, a);
/** A key rules with the same ICMP messages share (their messages per family, in order). */
export const icmpKey = (t: readonly IcmpType[] | undefined) => (t?.length ? [...new Set(icmpKeys(t))].sort().join(',') : '');

export const sameEndpoint = (a: Endpoint | undefined, b: Endpoint | undefined) =>
  a === b || (a !== undefined && b !== undefined && equals(a.set, b.set));
export const samePortList = (a: PortList | undefined, b: PortList | undefined) =>
  a === b || (a !== undefined && b !== undefined && samePorts(a.ranges, b.ranges));

function sameness(a: PlacedRule, b: PlacedRule) {
  return {
    src: sameEndpoint(a.src, b.src),
    dst: sameEndpoint(a.dst, b.dst),
    dstPorts: samePortList(a.dstPorts, b.dstPorts),
    srcPorts: samePortList(a.srcPorts, b.srcPorts),
  };
}

/** Whether `a` and `b` differ in one dimension only, one they both have (ports, sources or destinations). */
export function mergeable(a: PlacedRule, b: PlacedRule): boolean {
  // ICMP rules merge addresses only: their messages must be the same.
  if (!sameIcmp(a.icmpTypes, b.icmpTypes)) return false;
  const same = sameness(a, b);
  const mergesPorts = same.src && same.dst && same.srcPorts && a.dstPorts && b.dstPorts;
  const mergesSrc = same.dst && same.dstPorts && same.srcPorts && a.src && b.src;
  const mergesDst = same.src && same.dstPorts && same.srcPorts && a.dst && b.dst;
  return Boolean(mergesPorts || mergesSrc || mergesDst);
}

/** The rule `a` and `b` become when they are `mergeable`. */
export function mergeOneDimension(a: PlacedRule, b: PlacedRule, owned: WeakSet<AddressSet>): PlacedRule | undefined {
  if (!sameIcmp(a.icmpTypes, b.icmpTypes)) return undefined;
  const same = sameness(a, b);
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
 * union(a, b) for a merge. Merging the rules of many clients blocks (or thousands of plain
 * rules) one after the other would copy the growing set every time; a set this optimiser made
 * belongs to the one rule being replaced (the old rule is dropped), so b's addresses are added
 * to it in place (src/addresses/set.ts `addInto`).
 */
function mergeSets(a: AddressSet, b: AddressSet, owned: WeakSet<AddressSet>): AddressSet {
  // A block merged into a set that already holds it (a site into all sites): the set itself,
  // not a copy of its ten thousand intervals. Neither is changed: only `owned` sets ever are.
  if (subsetOf(b, a, owned)) return a;
  if (subsetOf(a, b, owned)) return b;
  if (owned.has(a)) return addInto(a, b);
  const set = union(a, b);
  owned.add(set);
  return set;
}

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
export function mergeOrigins(into: Origin[], more: readonly Origin[]): Origin[] {
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
