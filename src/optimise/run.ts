import type { AddressSet, Interval } from '../addresses/set.js';
import type { Endpoint, PortList } from '../flows/flow.js';
import type { PlacedRule } from '../place/placed.js';
import { covers, icmpKey, mergeable, mergeOneDimension, mergeOrigins, sameEndpoint, samePortList, sameIcmp } from './merge.js';
import { addressIndex, firstPoint, PointIndex, portIndex, portIntervals } from './pointIndex.js';

/**
 * A run of rules of one action at the end of the list being built: the stretch a new rule may
 * be absorbed into (it never moves past a rule of the other action). The run's rules are grouped
 * by direction and protocol, the only rules a rule can be covered by or merged with.
 */
export class ActionRun {
  private readonly kinds = new Map<string, KindGroup>();

  constructor(
    readonly action: PlacedRule['action'],
    private readonly out: PlacedRule[],
    private readonly owned: WeakSet<AddressSet>,
    private readonly indexFrom = INDEX_FROM,
  ) {}

  /**
   * Takes the next rule: it is absorbed by the latest rule of the run that covers it or merges
   * with it (as if every earlier rule of the run were tried, last first), or appended.
   */
  take(rule: PlacedRule): void {
    const kind = `${rule.direction} ${rule.protocol}`;
    let group = this.kinds.get(kind);
    if (!group) this.kinds.set(kind, (group = new KindGroup(this.out, this.owned, this.indexFrom)));
    const found = group.find(rule);
    if (found?.covers) {
      const earlier = this.out[found.at]!;
      earlier.origins = mergeOrigins(earlier.origins, rule.origins);
    } else if (found) {
      const earlier = this.out[found.at]!;
      const merged = mergeOneDimension(earlier, rule, this.owned)!;
      this.out[found.at] = merged;
      group.replaced(found.at, earlier, merged, rule);
    } else {
      this.out.push(rule);
      group.added(this.out.length - 1, rule);
    }
  }
}

/** Below this many rules a group is searched rule by rule: an index would cost more than it saves. */
const INDEX_FROM = 512;

type Dimension = 'src' | 'dst' | 'srcPorts' | 'dstPorts';
const DIMENSIONS: readonly Dimension[] = ['src', 'dst', 'srcPorts', 'dstPorts'];

/** How two rules can merge: the dimension they differ in; the other three must be equal. */
type MergeKind = Dimension & ('src' | 'dst' | 'dstPorts');
const MERGE_KINDS: readonly MergeKind[] = ['dstPorts', 'src', 'dst'];
const EQUAL_IN: Record<MergeKind, readonly Dimension[]> = {
  dstPorts: ['src', 'dst', 'srcPorts'],
  src: ['dst', 'dstPorts', 'srcPorts'],
  dst: ['src', 'dstPorts', 'srcPorts'],
};

/** Whether `a` and `b` merge in `kind` (mergeOneDimension's condition for it). */
function mergesIn(kind: MergeKind, a: PlacedRule, b: PlacedRule): boolean {
  if (a[kind] === undefined || b[kind] === undefined || !sameIcmp(a.icmpTypes, b.icmpTypes)) return false;
  return EQUAL_IN[kind].every((d) => (d === 'src' || d === 'dst' ? sameEndpoint(a[d], b[d]) : samePortList(a[d], b[d])));
}

/**
 * The rules of a run with one direction and protocol. Small groups are searched from the last
 * rule back, as the optimiser always did. A large one is indexed: equal dimensions by a key
 * (two rules can merge only if the three dimensions they share have equal keys), and coverage
 * by the points rules hold (a rule that covers another holds its first address and port). The
 * index only proposes candidates; each is checked exactly, latest first, so the answer is the
 * one the search rule by rule gives.
 */
class KindGroup {
  private readonly ids: number[] = [];
  private index?: GroupIndex;

  constructor(
    private readonly out: PlacedRule[],
    private readonly owned: WeakSet<AddressSet>,
    private readonly indexFrom: number,
  ) {}

  find(rule: PlacedRule): { at: number; covers: boolean } | undefined {
    if (!this.index) {
      for (let k = this.ids.length - 1; k >= 0; k--) {
        const at = this.ids[k]!;
        const earlier = this.out[at]!;
        if (covers(earlier, rule, this.owned)) return { at, covers: true };
        if (mergeable(earlier, rule)) return { at, covers: false };
      }
      return undefined;
    }
    const merge = this.index.latestMerge(rule);
    const cover = this.index.latestCover(rule, merge ?? -1, this.ids);
    if (cover !== undefined) return { at: cover, covers: true };
    return merge === undefined ? undefined : { at: merge, covers: false };
  }

  added(at: number, rule: PlacedRule): void {
    this.ids.push(at);
    if (this.index) this.index.add(at, rule);
    else if (this.ids.length >= this.indexFrom) {
      this.index = new GroupIndex(this.out, this.owned);
      for (const id of this.ids) this.index.add(id, this.out[id]!);
    }
  }

  /** `earlier` at `at` became `merged` by taking in `rule`. */
  replaced(at: number, earlier: PlacedRule, merged: PlacedRule, rule: PlacedRule): void {
    this.index?.grow(at, earlier, merged, rule);
  }
}

class GroupIndex {
  /** By merge kind and key of the three equal dimensions: the rules (and which rule object it was). */
  private readonly mergeable = new Map<string, { at: number; rule: PlacedRule }[]>();
  private readonly points: Record<Dimension, PointIndex> = { src: addressIndex(), dst: addressIndex(), srcPorts: portIndex(), dstPorts: portIndex() };

  constructor(
    private readonly out: PlacedRule[],
    private readonly owned: WeakSet<AddressSet>,
  ) {}

  add(at: number, rule: PlacedRule): void {
    this.fileMergeKeys(at, rule);
    for (const d of DIMENSIONS) this.filePoints(at, d, rule[d]);
  }

  /**
   * A merge holds all the old rule held: only what the new part adds is filed. The merged
   * dimension is the one whose value is a new object (its set may be the old one grown in place).
   */
  grow(at: number, earlier: PlacedRule, merged: PlacedRule, rule: PlacedRule): void {
    this.fileMergeKeys(at, merged);
    for (const d of DIMENSIONS) if (merged[d] !== earlier[d]) this.filePoints(at, d, rule[d]);
  }

  /** The latest rule `rule` merges with. */
  latestMerge(rule: PlacedRule): number | undefined {
    let latest: number | undefined;
    for (const kind of MERGE_KINDS) {
      if (rule[kind] === undefined) continue;
      const entries = this.mergeable.get(mergeKey(kind, rule));
      if (!entries) continue;
      let stale = false;
      for (const e of entries) {
        if (this.out[e.at] !== e.rule) stale = true;
        else if ((latest === undefined || e.at > latest) && mergesIn(kind, e.rule, rule)) latest = e.at;
      }
      if (stale) this.mergeable.set(mergeKey(kind, rule), entries.filter((e) => this.out[e.at] === e.rule));
    }
    return latest;
  }

  /** The latest rule at or after `from` that covers `rule` (`all`: the group's rules). */
  latestCover(rule: PlacedRule, from: number, all: readonly number[]): number | undefined {
    // The dimension with the fewest candidates: a rule without it is covered only by rules
    // without it; otherwise the rules that hold its first point. No dimension narrows it (empty
    // address sets, no ports): every rule is a candidate.
    let best: (readonly number[])[] = [all];
    let bestCount = Infinity;
    for (const d of DIMENSIONS) {
      const lists = this.candidates(d, rule[d]);
      if (!lists) continue;
      const count = lists.reduce((n, l) => n + l.length, 0);
      if (count < bestCount) [best, bestCount] = [lists, count];
    }
    // Checked in any order: a candidate is checked only while it is later than the best found.
    let latest: number | undefined;
    for (const list of best) {
      for (const at of list) {
        if (at < from || (latest !== undefined && at <= latest)) continue;
        if (covers(this.out[at]!, rule, this.owned)) latest = at;
      }
    }
    return latest;
  }

  private candidates(d: Dimension, value: Endpoint | PortList | undefined): number[][] | undefined {
    const index = this.points[d];
    if (value === undefined) return [index.everywhere];
    if ('set' in value) {
      const p = firstPoint(value.set);
      return p && index.holding(p.family, p.point);
    }
    return value.ranges.length ? index.holding(4, BigInt(value.ranges[0]!.from)) : undefined;
  }

  private fileMergeKeys(at: number, rule: PlacedRule): void {
    for (const kind of MERGE_KINDS) {
      if (rule[kind] === undefined) continue;
      const key = mergeKey(kind, rule);
      const entries = this.mergeable.get(key);
      if (entries) entries.push({ at, rule });
      else this.mergeable.set(key, [{ at, rule }]);
    }
  }

  private filePoints(at: number, d: Dimension, value: Endpoint | PortList | undefined): void {
    const index = this.points[d];
    if (value === undefined) index.everywhere.push(at);
    else if ('set' in value) {
      index.add(at, 4, value.set.v4);
      index.add(at, 6, value.set.v6);
    } else index.add(at, 4, portIntervals(value.ranges));
  }
}

/** The merge kind, the keys of its three equal dimensions and the ICMP messages (which must be the same). */
const mergeKey = (kind: MergeKind, rule: PlacedRule) => `${kind}|${EQUAL_IN[kind].map((d) => keyOf(rule[d])).join('|')}|${icmpKey(rule.icmpTypes)}`;

/**
 * A key equal values always share and different ones rarely do: the lengths and bounds of a
 * set or port list (never its ten thousand intervals), the bounds as doubles (equal bigints give
 * equal doubles). A set a merge grew in place is keyed again when its ends or lengths changed.
 */
function keyOf(value: Endpoint | PortList | undefined): string {
  if (value === undefined) return '*';
  if ('ranges' in value) {
    const r = value.ranges;
    return r.length ? `${r.length}:${r[0]!.from}-${r[r.length - 1]!.to}` : '0';
  }
  const s = value.set;
  const ends = [s.v4[0], s.v4[s.v4.length - 1], s.v6[0], s.v6[s.v6.length - 1]];
  const cached = setKeys.get(s);
  if (cached && cached.v4 === s.v4.length && cached.v6 === s.v6.length && cached.ends.every((e, k) => e === ends[k])) return cached.key;
  const bounds = (l: readonly Interval[]) => (l.length ? `${l.length}:${Number(l[0]!.first)}-${Number(l[l.length - 1]!.last)}` : '0');
  const key = `${bounds(s.v4)}/${bounds(s.v6)}`;
  setKeys.set(s, { v4: s.v4.length, v6: s.v6.length, ends, key });
  return key;
}
const setKeys = new WeakMap<AddressSet, { v4: number; v6: number; ends: (Interval | undefined)[]; key: string }>();
