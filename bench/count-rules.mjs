// Counting the rules each tool wrote, per target and per firewall, from the files in an output
// directory: nft rules (every statement line inside a chain), iptables `-A`/`-I` lines, netsh
// `add rule` commands, pf `pass`/`block` lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function countNftRules(text) {
  let inChain = false;
  let n = 0;
  for (const raw of text.split('\n')) {
    const t = raw.trim();
    if (/^chain\s+\S+\s*\{/.test(t)) {
      inChain = true;
      continue;
    }
    if (!inChain) continue;
    if (t === '}') {
      inChain = false;
      continue;
    }
    if (t === '' || t.startsWith('#') || /^(type|comment|policy)\b/.test(t)) continue;
    n++;
  }
  return n;
}
const countMatching = (re) => (text) => text.split('\n').filter((l) => re.test(l)).length;
const COUNTERS = {
  nftables: countNftRules,
  iptables: countMatching(/^-[AI] /),
  netsh: countMatching(/\badd rule\b/),
  pf: countMatching(/^\s*(pass|block)\b/),
};

/** Which target an artefact belongs to, by file name. */
function bysuffix(file, table) {
  for (const [suffix, target] of table) if (suffix.test(file)) return { target, firewall: suffix.source === '^[^.]+$' ? file : file.replace(suffix, '') };
  return undefined;
}
const MSGRFW_SUFFIXES = [
  [/\.nft$/, 'nftables'],
  [/\.rules\.v[46]$/, 'iptables'],
  [/\.cmd$/, 'netsh'],
  [/\.pf\.conf$/, 'pf'],
]; // .reg and other companions hold no rules
const CAPIRCA_SUFFIXES = [
  [/\.nft$/, 'nftables'],
  [/\.bat$/, 'netsh'],
  [/\.pf$/, 'pf'],
  [/^[^.]+$/, 'iptables'],
];
export const msgrfwTargetOf = (file) => bysuffix(file, MSGRFW_SUFFIXES);
export const capircaTargetOf = (file) => bysuffix(file, CAPIRCA_SUFFIXES);

/** Rules per target, in total and per firewall (artefacts are named `<firewall><suffix>`). */
export function countRules(dir, targetOf) {
  const rules = {};
  const perFirewall = {};
  let files = 0;
  let bytes = 0;
  for (const f of readdirSync(dir)) {
    const t = targetOf(f);
    if (!t) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    const n = COUNTERS[t.target](text);
    files++;
    bytes += Buffer.byteLength(text);
    rules[t.target] = (rules[t.target] ?? 0) + n;
    const fw = (perFirewall[t.firewall] ??= {});
    fw[t.target] = (fw[t.target] ?? 0) + n;
  }
  return { rules, perFirewall, files, bytes };
}

/**
 * msgrfw's rules per target over the firewalls Capirca wrote that target for, so the two columns
 * count the same firewalls (Capirca has no nftables forward hook, for one).
 */
export function commonRules(m, c) {
  const out = {};
  for (const [fw, byTarget] of Object.entries(c.perFirewall)) {
    for (const t of Object.keys(byTarget)) out[t] = (out[t] ?? 0) + (m.perFirewall[fw]?.[t] ?? 0);
  }
  return out;
}
