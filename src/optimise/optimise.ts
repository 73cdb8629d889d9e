import type { AddressSet } from '../addresses/set.js';
import { normalizePorts } from '../addresses/ports.js';
import type { PlacedFirewall, PlacedRule } from '../place/placed.js';
import { ActionRun } from './run.js';
import { ObjectIds, rulesFingerprint, sameRules } from './sameRules.js';

export interface OptimiseOptions {
  /** How many rules of one direction and protocol a run holds before they are indexed (tests: 1, to index every group). */
  indexFrom?: number;
}

/**
 * Shortens a firewall's rule list without changing what it matches: a rule covered by an
 * earlier one is dropped, and rules that differ in one dimension only (ports, source or
 * destination) become one. A rule only moves up past rules of the same action, so first-match
 * semantics are kept. Origins travel with the rules they are merged into.
 *
 * Each rule is absorbed by the latest earlier rule of its run of one action that covers it or
 * merges with it. Only rules of the same direction and protocol are compared, and a long list
 * of them is indexed (src/optimise/run.ts), so a firewall of tens of thousands of rules is
 * optimised in about n log n steps, with the result of comparing every pair.
 */
export function optimiseFirewall(fw: PlacedFirewall, options: OptimiseOptions = {}): PlacedFirewall {
  let rules = fw.rules.map(normalizeRule);
  const owned = new WeakSet<AddressSet>();
  // A merge can make two later rules mergeable in turn: repeat until nothing changes.
  for (;;) {
    const out: PlacedRule[] = [];
    let run: ActionRun | undefined;
    for (const rule of rules) {
      if (run?.action !== rule.action) run = new ActionRun(rule.action, out, owned, options.indexFrom);
      run.take(rule);
    }
    if (out.length === rules.length) return { ...fw, rules: out };
    rules = out;
  }
}

/**
 * `optimiseFirewall` for every firewall of a run. Firewalls placed the same rules (a hundred
 * edge routers between the same zones, every host on one network) are optimised once: the
 * others get copies of that result, lists of their own (no two firewalls share an array a later
 * stage might extend), the same sets and endpoints (never changed once optimised).
 */
export function optimiseFirewalls(firewalls: readonly PlacedFirewall[], options: OptimiseOptions = {}): PlacedFirewall[] {
  const ids = new ObjectIds();
  const done = new Map<number, { rules: readonly PlacedRule[]; optimised: readonly PlacedRule[] }[]>();
  return firewalls.map((fw) => {
    const fingerprint = rulesFingerprint(fw.rules, ids);
    const alike = done.get(fingerprint);
    const same = alike?.find((d) => sameRules(d.rules, fw.rules));
    if (same) return { ...fw, rules: same.optimised.map(copyRule) };
    const optimised = optimiseFirewall(fw, options);
    // Kept as they are: the copies are made before any later stage sees a rule. A few per
    // fingerprint: firewalls that share one but differ are each compared with that few only.
    if (!alike) done.set(fingerprint, [{ rules: fw.rules, optimised: optimised.rules }]);
    else if (alike.length < COMPARED) alike.push({ rules: fw.rules, optimised: optimised.rules });
    return optimised;
  });
}

/** How many earlier firewalls with the same fingerprint a firewall's rules are compared with, at most. */
const COMPARED = 4;

const copyRule = (r: PlacedRule): PlacedRule => ({ ...r, origins: [...r.origins], ...(r.catalog ? { catalog: [...r.catalog] } : {}) });

function normalizeRule(r: PlacedRule): PlacedRule {
  const n: PlacedRule = { ...r, origins: [...r.origins] };
  if (r.dstPorts) n.dstPorts = { label: r.dstPorts.label, ranges: normalizePorts(r.dstPorts.ranges) };
  if (r.srcPorts) n.srcPorts = { label: r.srcPorts.label, ranges: normalizePorts(r.srcPorts.ranges) };
  return n;
}
