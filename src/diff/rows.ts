import { coalesce, ListIds, Work, type Box, type Region } from '../addresses/boxes.js';
import { normalizeIntervals, type Interval } from '../addresses/set.js';

/**
 * The rows a region is shown in: as few disjoint boxes as this finds. Usually that is its
 * canonical layout, which depends only on the points of the region, never on how the rules that
 * made it happened to cut it up, so the same traffic always reads the same: dimension by
 * dimension, from the first (source addresses), the dimension is cut wherever a box starts or
 * ends, the pieces across which the rest of the region (its later dimensions) is the same are
 * joined into one list, and each such rest is laid out the same way; rows that then agree in
 * every dimension but one are joined. So rows differ first in addresses, the way people read
 * them, and port ranges stay whole. When the region's own boxes, joined the same way, are fewer
 * (a rule for two networks and one port beside a rule for two others and another port), those
 * are shown instead.
 */
export function rows(region: Region, work: Work = new Work()): Box[] {
  const own = coalesce(region, work);
  if (own.length < 2) return [...own]; // one box is its own layout
  const canonical = canonicalRows(region, work);
  return own.length < canonical.length ? [...own].sort(compareRows) : canonical;
}

/** The canonical layout alone (see `rows`): the same points give the same rows, whatever boxes they come in. */
export function canonicalRows(region: Region, work: Work = new Work()): Box[] {
  if (region.length === 0) return [];
  return [...coalesce(layout(region, 0, new ListIds(work), work), work)].sort(compareRows);
}

/** The canonical layout of the region over dimensions k and later (the earlier ones are fixed). */
function layout(boxes: readonly Box[], k: number, ids: ListIds, work: Work): Box[] {
  const dims = boxes[0]!.length;
  if (boxes.length === 1) return [boxes[0]!.slice(k)];
  if (k === dims - 1) {
    const joined = normalizeIntervals(boxes.flatMap((b) => b[k]!));
    work.spend(joined.length + boxes.length);
    return [[joined]];
  }
  // Boxes with the same list here cover the same pieces of it: sweep each list once.
  const byList = new Map<number, Box[]>();
  for (const b of boxes) {
    const id = ids.id(b[k]!);
    const same = byList.get(id);
    if (same) same.push(b);
    else byList.set(id, [b]);
  }
  const lists = [...byList.values()];
  if (lists.length === 1) {
    const list = boxes[0]![k]!;
    return layout(boxes, k + 1, ids, work).map((r) => [list, ...r]);
  }
  const events: { at: bigint; list: number; starts: boolean }[] = [];
  lists.forEach((same, list) => {
    for (const iv of same[0]![k]!) events.push({ at: iv.first, list, starts: true }, { at: iv.last + 1n, list, starts: false });
  });
  events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  work.spend(events.length);
  const active = new Set<number>();
  /** The layout of the rest for each set of lists that covers a piece (the boxes are disjoint beyond k). */
  const rests = new Map<string, { rows: Box[]; key: string }>();
  /** The pieces of dimension k, by the rest they carry. */
  const groups = new Map<string, { rows: Box[]; pieces: Interval[] }>();
  for (let e = 0; e < events.length; ) {
    const at = events[e]!.at;
    for (; e < events.length && events[e]!.at === at; e++) {
      const ev = events[e]!;
      if (ev.starts) active.add(ev.list);
      else active.delete(ev.list);
    }
    if (active.size === 0 || e === events.length) continue;
    const covering = [...active].sort((x, y) => x - y);
    work.spend(covering.length);
    const setKey = covering.join(',');
    let rest = rests.get(setKey);
    if (!rest) {
      const restRows = layout(covering.flatMap((i) => lists[i]!), k + 1, ids, work);
      rest = { rows: restRows, key: restRows.map((r) => r.map((l) => ids.id(l)).join('|')).join(';') };
      rests.set(setKey, rest);
    }
    const group = groups.get(rest.key) ?? { rows: rest.rows, pieces: [] };
    groups.set(rest.key, group);
    group.pieces.push({ first: at, last: events[e]!.at - 1n });
  }
  const out: Box[] = [];
  for (const { rows: restRows, pieces } of groups.values()) {
    const list = normalizeIntervals(pieces);
    work.spend(pieces.length + restRows.length);
    for (const r of restRows) out.push([list, ...r]);
  }
  return out;
}

/** By the first point of each dimension in turn: a total order on disjoint boxes. */
function compareRows(a: Box, b: Box): number {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]![0]!.first;
    const y = b[k]![0]!.first;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
