import { equals, isSubset, union } from '../addresses/set.js';
import { normalizePorts, portsCover, samePorts } from '../addresses/ports.js';
import type { Endpoint, PortList } from '../flows/flow.js';
import type { Origin } from '../resolve/model.js';
import type { PlacedFirewall, PlacedRule } from '../place/placed.js';

/**
 * Shortens a firewall's rule list without changing what it matches: a rule covered by an
 * earlier one is dropped, and rules that differ in one dimension only (ports, source or
 * destination) become one. A rule only moves up past rules of the same action, so first-match
 * semantics are kept. Origins travel with the rules they are merged into.
 */
export function optimiseFirewall(fw: PlacedFirewall): PlacedFirewall {
  let rules = fw.rules.map(normalizeRule);
  // A merge can make two later rules mergeable in turn: repeat until nothing changes.
  for (;;) {
    const out: PlacedRule[] = [];
    for (const rule of rules) if (!absorb(out, rule)) out.push(rule);
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

function absorb(out: PlacedRule[], rule: PlacedRule): boolean {
  for (let i = out.length - 1; i >= 0; i--) {
    const earlier = out[i]!;
    if (earlier.action !== rule.action) return false; // never move a rule past another verdict
    if (earlier.direction !== rule.direction || earlier.protocol !== rule.protocol) continue;
    if (covers(earlier, rule)) {
      earlier.origins = mergeOrigins(earlier.origins, rule.origins);
      return true;
    }
    const merged = mergeOneDimension(earlier, rule);
    if (merged) {
      out[i] = merged;
      return true;
    }
  }
  return false;
}

function covers(a: PlacedRule, b: PlacedRule): boolean {
  return (
    endpointCovers(a.src, b.src) &&
    endpointCovers(a.dst, b.dst) &&
    portsListCovers(a.dstPorts, b.dstPorts) &&
    portsListCovers(a.srcPorts, b.srcPorts)
  );
}

const endpointCovers = (a: Endpoint | undefined, b: Endpoint | undefined) =>
  a === undefined || (b !== undefined && isSubset(b.set, a.set));
const portsListCovers = (a: PortList | undefined, b: PortList | undefined) =>
  a === undefined || (b !== undefined && portsCover(a.ranges, b.ranges));

const sameEndpoint = (a: Endpoint | undefined, b: Endpoint | undefined) =>
  a === b || (a !== undefined && b !== undefined && equals(a.set, b.set));
const samePortList = (a: PortList | undefined, b: PortList | undefined) =>
  a === b || (a !== undefined && b !== undefined && samePorts(a.ranges, b.ranges));

function mergeOneDimension(a: PlacedRule, b: PlacedRule): PlacedRule | undefined {
  const same = {
    src: sameEndpoint(a.src, b.src),
    dst: sameEndpoint(a.dst, b.dst),
    dstPorts: samePortList(a.dstPorts, b.dstPorts),
    srcPorts: samePortList(a.srcPorts, b.srcPorts),
  };
  const origins = mergeOrigins(a.origins, b.origins);
  const catalog = a.catalogId === b.catalogId ? a.catalogId : joinIds(a.catalogId, b.catalogId);
  const base = { ...a, origins, ...(catalog ? { catalogId: catalog } : {}) };
  if (same.src && same.dst && same.srcPorts && a.dstPorts && b.dstPorts) {
    return { ...base, dstPorts: { label: joinLabels(a.dstPorts.label, b.dstPorts.label), ranges: normalizePorts([...a.dstPorts.ranges, ...b.dstPorts.ranges]) } };
  }
  if (same.dst && same.dstPorts && same.srcPorts && a.src && b.src) {
    return { ...base, src: { name: joinNames(a.src.name, b.src.name), set: union(a.src.set, b.src.set) } };
  }
  if (same.src && same.dstPorts && same.srcPorts && a.dst && b.dst) {
    return { ...base, dst: { name: joinNames(a.dst.name, b.dst.name), set: union(a.dst.set, b.dst.set) } };
  }
  return undefined;
}

const joinNames = (a: string, b: string) => [...new Set([...a.split('+'), ...b.split('+')])].join('+');
const joinLabels = (a: string, b: string) => (a && b && a !== b ? `${a}_${b}` : a || b);
const joinIds = (a: string | undefined, b: string | undefined) => [a, b].filter(Boolean).join('+') || undefined;

function mergeOrigins(a: readonly Origin[], b: readonly Origin[]): Origin[] {
  const out = [...a];
  for (const o of b) if (!out.some((x) => x.line === o.line && x.column === o.column && x.text === o.text)) out.push(o);
  return out;
}
