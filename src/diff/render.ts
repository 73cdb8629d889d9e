import { lineText } from '../explain/render.js';
import { isAllAddresses, isAllPorts, type Cause, type Change, type FirewallDiff, type PolicyDiff, type TrafficClass } from './diff.js';

/** The diff as text for a reviewer: per firewall, what is newly allowed and denied, and why. */
export function renderDiff(d: PolicyDiff): string {
  const out = [`--- ${d.old}`, `+++ ${d.new}`];
  for (const fw of d.firewalls) out.push('', ...renderFirewall(fw));
  const changed = d.firewalls.filter((f) => f.status !== 'unchanged').length;
  out.push('', changed ? `${changed} firewall(s) allow other connections than before` : 'no change in allowed traffic');
  return `${out.join('\n')}\n`;
}

function renderFirewall(fw: FirewallDiff): string[] {
  if (fw.status === 'added') return [`firewall ${fw.name} (${fw.placement.new}): added`];
  if (fw.status === 'removed') return [`firewall ${fw.name} (${fw.placement.old}): removed`];
  const head = `firewall ${fw.name} (${fw.placement.new}): ${fw.status === 'changed' ? 'allowed traffic changed' : 'no change in allowed traffic'}`;
  const out = [head, ...fw.notes.map((n) => `  note: ${n}`)];
  for (const c of fw.newlyAllowed) out.push(...renderChange(c, 'allowed'));
  for (const c of fw.newlyDenied) out.push(...renderChange(c, 'denied'));
  if (fw.rules.added.length) out.push('  rules added:', ...fw.rules.added.map((r) => `    + ${r}`));
  if (fw.rules.removed.length) out.push('  rules removed:', ...fw.rules.removed.map((r) => `    - ${r}`));
  return out;
}

function renderChange(c: Change, kind: 'allowed' | 'denied'): string[] {
  const sign = kind === 'allowed' ? '+' : '-';
  const [first, second] = kind === 'allowed' ? ([['now', c.new], ['before', c.old]] as const) : ([['before', c.old], ['now', c.new]] as const);
  // Traffic that moves in or out of the firewall's placement is not a verdict it changed.
  const heading =
    kind === 'allowed'
      ? c.old.kind === 'unjudged' ? 'newly allowed (the firewall did not judge it before)'
      : c.new.kind === 'unjudged' ? 'no longer denied (between none of the zones: left to the machine\'s other rules)'
      : 'newly allowed'
    : c.new.kind === 'unjudged' ? 'no longer allowed by this firewall (it does not judge it now)' : 'newly denied';
  return [
    `  ${sign} ${heading}:`,
    ...c.classes.map((t) => `      ${classText(t)}`),
    ...renderCause(first[0], first[1]),
    ...renderCause(second[0], second[1]),
  ];
}

function renderCause(when: 'now' | 'before', c: Cause): string[] {
  return [`    ${when}: ${causeText(c)}`, ...c.lines.map((l) => `      ${lineText(l)}`)];
}

export function causeText(c: Cause): string {
  const verb = c.verdict === 'accept' ? 'accepted' : 'dropped';
  if (c.kind === 'unjudged') return 'not judged by this firewall (outside its placement)';
  if (c.kind === 'others') return 'dropped by others deny (forwarded between none of the zones)';
  if (c.kind === 'policy') {
    const defaults = c.defaults.map((d) => `${d.direction} default (${c.verdict === 'accept' ? 'accept' : 'deny'}${d.written ? '' : ', left out of the policy'})`);
    return `${verb} by the ${defaults.join(' and ')}`;
  }
  const catalog = [...new Set(c.rules.flatMap((r) => r.catalog.map((x) => x.id)))];
  const what = catalog.length ? `Messenger ${catalog.join(', ')}` : 'plain rule';
  return `${verb} by rule ${c.rules.map((r) => r.id).join(', ')} (${what})`;
}

export function classText(t: TrafficClass): string {
  const addrs = (l: string[]) => (isAllAddresses(l, t.family) ? 'any' : l.join(','));
  const ports = (what: string, l: string[]) => (isAllPorts(l) ? '' : `  ${what} ${l.join(',')}`);
  const head = `${t.protocol} ${t.direction} ipv${t.family}  ${addrs(t.src)} -> ${addrs(t.dst)}`;
  if (t.icmpTypes) return `${head}  type ${t.icmpTypes.join(',')}`;
  const [src = [], dst = []] = [t.srcPorts, t.dstPorts];
  return `${head}${ports('sport', src)}${isAllPorts(dst) ? '  dport any' : ports('dport', dst)}`;
}
