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

/** Every port of `inner` is in `outer`. */
export function portsCover(outer: readonly PortRange[], inner: readonly PortRange[]): boolean {
  return inner.every((r) => outer.some((o) => o.from <= r.from && r.to <= o.to));
}

export const samePorts = (a: readonly PortRange[], b: readonly PortRange[]) =>
  a.length === b.length && a.every((r, i) => r.from === b[i]!.from && r.to === b[i]!.to);

export const formatPortRange = (r: PortRange) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
