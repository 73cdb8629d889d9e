import type { PortRange } from '../resolve/model.js';

/** Sorted, disjoint, non-adjacent ranges: the one form ports are compared and printed in. */
export function normalizePorts(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const top = out[out.length - 1];
    if (top && r.from <= top.to + 1) top.to = Math.max(top.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/**
 * Every port of `inner` is in `outer`; both normalised (`normalizePorts`). One sweep: a rule may
 * hold tens of thousands of ranges, and the optimiser compares many pairs of rules.
 */
export function portsCover(outer: readonly PortRange[], inner: readonly PortRange[]): boolean {
  let o = 0;
  for (const r of inner) {
    while (o < outer.length && outer[o]!.to < r.from) o++;
    const cover = outer[o];
    if (cover === undefined || cover.from > r.from || cover.to < r.to) return false;
  }
  return true;
}

/** `normalizePorts([...a, ...b])` of two normalised lists, in one pass instead of a sort. */
export function unionPorts(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    const r = j >= b.length || (i < a.length && a[i]!.from <= b[j]!.from) ? a[i++]! : b[j++]!;
    const top = out[out.length - 1];
    if (top && r.from <= top.to + 1) top.to = Math.max(top.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

export const samePorts = (a: readonly PortRange[], b: readonly PortRange[]) =>
  a.length === b.length && a.every((r, i) => r.from === b[i]!.from && r.to === b[i]!.to);

export const formatPortRange = (r: PortRange) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
