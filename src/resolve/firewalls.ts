import { families, intersect, isEmpty, type AddressSet } from '../addresses/set.js';
import type { AddressOrName, FirewallItem, FirewallStmt, PlainRuleStmt } from '../parse/ast.js';
import { nearest } from '../diagnostics/suggest.js';
import { IR_TARGETS, isIrTarget } from '../ir/targets.js';
import type { IrTarget } from '../ir/types.js';
import { type Diagnostics, firstOfEach, names, origin } from './context.js';
import { ICMP_FAMILIES, reportTypesOnPortRule, resolveIcmpTypes } from './icmp.js';
import { icmpNumber, type IcmpType } from '../icmp/messages.js';
import { lookupNetwork, resolveMembers, type NetworkTable } from './networks.js';
import { checkPortRange } from './ranges.js';
import {
  type Firewall,
  type NamedSet,
  type Placement,
  type PlainRule,
  RULE_PROTOCOLS,
  type Protocol,
  type PortRange,
  type Verdict,
} from './model.js';

type Stmt<K extends FirewallStmt['kind']> = Extract<FirewallStmt, { kind: K }>;

/**
 * Plain rules per firewall (MSGR050). The stages that compare rules with each other (the
 * optimiser, the shadowing lints, Windows Firewall's block-before-allow check) index them
 * instead, so their time grows with about n log n; the limit keeps the largest firewall's
 * compile within seconds (bench/run.mjs measures 50,000).
 */
export const MAX_PLAIN_RULES = 50_000;

const VERDICTS: Record<string, Verdict> = { deny: 'drop', accept: 'accept', allow: 'accept', drop: 'drop' };

export function resolveFirewalls(items: readonly FirewallItem[], networks: NetworkTable, diags: Diagnostics): Firewall[] {
  const out: Firewall[] = [];
  const seen = new Map<string, FirewallItem>();
  const folded = new Map<string, FirewallItem>();
  for (const item of items) {
    const name = item.name.text;
    const first = seen.get(name);
    if (first) {
      diags.report('MSGR011', item.name.at, `firewall '${name}' is declared twice (first at line ${first.at.line})`, 'rename one of them');
      continue;
    }
    seen.set(name, item);
    const sameButCase = folded.get(name.toLowerCase());
    if (sameButCase) reportCaseTwin(item, sameButCase, diags);
    else folded.set(name.toLowerCase(), item);
    if (WINDOWS_DEVICE.test(name)) {
      diags.report('MSGR016', item.name.at, `firewall '${name}' would write ${name}.cmd, but ${name.toUpperCase()} is a device name Windows reserves for every extension: no file can have it`, 'choose another name');
    }
    const fw = resolveFirewall(item, networks, diags);
    if (fw) out.push(fw);
  }
  return out;
}

/**
 * Names Windows keeps for devices, whatever the case and extension (`con.cmd` is the console).
 * A firewall's name is the name of its files.
 */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * A firewall's name is its files' name (`<firewall>.nft`, `.cmd`, …) and part of its Windows rule
 * name (`msgrfw <deployment> <firewall>`). Two names that differ only in case are one file on a
 * case-insensitive file system (Windows, macOS), and Windows Firewall matches rule names without
 * regard to case, so each script's `delete rule` would remove the other firewall's rules (MSGR019).
 */
function reportCaseTwin(item: FirewallItem, first: FirewallItem, diags: Diagnostics): void {
  const [a, b] = [first.name.text, item.name.text];
  diags.report(
    'MSGR019',
    item.name.at,
    `firewall '${b}' differs from firewall '${a}' (line ${first.at.line}) only in case: their files (${a}.nft and ${b}.nft, …) are one file ` +
      `on Windows and macOS, and Windows Firewall reads their rule names as one, so each one's script would delete the other's rules`,
    `rename one of them so that the names differ in more than case`,
  );
}

function resolveFirewall(item: FirewallItem, networks: NetworkTable, diags: Diagnostics): Firewall | undefined {
  const name = item.name.text;
  const stmts = firstOfEach(item.statements, `firewall ${name}`, diags, ['rule']);
  const placement = resolvePlacement(item, stmts, networks, diags);
  const targetsStmt = stmts.get('targets') as Stmt<'targets'> | undefined;
  const targets = resolveTargets(targetsStmt, item, diags);
  const defaultStmt = stmts.get('default') as Stmt<'default'> | undefined;
  const defaultVerdict = verdictOf(defaultStmt, diags);
  const outboundStmt = stmts.get('outbound') as Stmt<'outbound'> | undefined;
  const outboundVerdict = outboundStmt ? verdictOf(outboundStmt, diags) : 'accept';
  const othersStmt = stmts.get('others') as Stmt<'others'> | undefined;
  if (othersStmt && placement?.kind === 'gateway') {
    placement.others = verdictOf(othersStmt, diags, 'accept');
    placement.othersOrigin = origin(othersStmt.at, `firewall ${name}: others ${othersStmt.action.text}`);
  } else if (othersStmt && placement?.kind === 'host') {
    diags.report('MSGR035', othersStmt.at, `'others' applies to gateways; host firewall ${name} filters its own traffic only`, 'remove it');
  }
  if (outboundStmt && placement?.kind === 'gateway') {
    diags.report('MSGR035', outboundStmt.at, `'outbound' applies to host firewalls; gateway ${name} filters forwarded traffic with 'default'`, 'remove it');
  }
  const rules: PlainRule[] = [];
  let count = 0;
  for (const s of item.statements) {
    if (s.kind !== 'rule') continue;
    if (++count > MAX_PLAIN_RULES) {
      diags.report('MSGR050', s.at, `firewall ${name} has more than ${MAX_PLAIN_RULES.toLocaleString('en-US')} plain rules`, 'merge rules with port lists and networks, or split the firewall');
      return undefined;
    }
    const rule = resolvePlainRule(s, name, networks, diags);
    if (rule) rules.push(rule);
  }
  if (!placement) return undefined;
  const fw: Firewall = {
    name,
    origin: origin(item.at, `firewall ${name}`),
    placement,
    targets,
    // Without a statement the firewall has an error (MSGR044) and no IR; its own line stands in.
    targetsOrigin: targetsStmt ? origin(targetsStmt.at, `firewall ${name}: targets ${targets.join(', ')}`) : origin(item.at, `firewall ${name}`),
    defaultVerdict,
    outboundVerdict,
    logDenied: stmts.has('log-denied'),
    rules,
  };
  if (defaultStmt) fw.defaultOrigin = origin(defaultStmt.at, `firewall ${name}: default ${defaultStmt.action.text}`);
  if (outboundStmt) fw.outboundOrigin = origin(outboundStmt.at, `firewall ${name}: outbound ${outboundStmt.action.text}`);
  return fw;
}

function resolvePlacement(item: FirewallItem, stmts: Map<string, FirewallStmt>, networks: NetworkTable, diags: Diagnostics): Placement | undefined {
  const on = stmts.get('on') as Stmt<'on'> | undefined;
  const between = stmts.get('between') as Stmt<'between'> | undefined;
  const name = item.name.text;
  if (on && between) {
    diags.report('MSGR040', between.at, `firewall ${name} is both a host firewall (line ${on.at.line}) and a gateway`, 'keep `on NET` for a host firewall or `between A and B` for a gateway');
    return undefined;
  }
  if (on) {
    const net = lookupNetwork(on.network, networks, diags);
    return net && { kind: 'host', on: net, origin: origin(on.at, `firewall ${name}: on ${net.name}`) };
  }
  if (between) {
    const zones = resolveZones(between, networks, diags);
    if (!zones) return undefined;
    const list = zones.map((z) => z.name);
    const text = `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
    return { kind: 'gateway', zones, others: 'accept', origin: origin(between.at, `firewall ${name}: between ${text}`) };
  }
  diags.reportMissing(item, 'MSGR040', `firewall ${name} says neither where it sits`, 'add `on NET` (a host firewall) or `between A and B` (a gateway)');
  return undefined;
}

/**
 * A gateway's zones: each a known network, none named twice (MSGR042), no two sharing an
 * address (MSGR041): a packet must belong to at most one zone, or the gateway could not tell
 * which pair of zones it crosses. Every error of the list is reported.
 */
function resolveZones(between: Stmt<'between'>, networks: NetworkTable, diags: Diagnostics) {
  const zones: NamedSet[] = [];
  let ok = true;
  for (const ref of between.zones) {
    const zone = lookupNetwork(ref, networks, diags);
    if (!zone) {
      ok = false;
      continue;
    }
    const twice = zones.find((z) => z.name === zone.name);
    if (twice) {
      diags.report('MSGR042', ref.at, `zone ${zone.name} is named twice in 'between'`, 'name each zone once: `between A, B and C`');
      ok = false;
      continue;
    }
    const overlapping = zones.find((z) => !isEmpty(intersect(z.set, zone.set)));
    if (overlapping) {
      diags.report('MSGR041', ref.at, `zones ${overlapping.name} and ${zone.name} overlap: a gateway between them cannot tell which side a packet is on`, 'use disjoint networks');
      ok = false;
      continue;
    }
    zones.push(zone);
  }
  return ok ? zones : undefined;
}

function resolveTargets(stmt: Stmt<'targets'> | undefined, item: FirewallItem, diags: Diagnostics): IrTarget[] {
  if (!stmt) {
    diags.reportMissing(item, 'MSGR044', `firewall ${item.name.text} has no targets`, `add e.g. \`targets ${IR_TARGETS.join(', ')}\``);
    return [];
  }
  const out: IrTarget[] = [];
  for (const t of stmt.targets) {
    if (!isIrTarget(t.text)) {
      diags.reportMisspelt('MSGR037', t, `unknown target '${t.text}'`, nearest(t.text, IR_TARGETS), `targets are: ${IR_TARGETS.join(', ')}`);
    } else if (!out.includes(t.text)) {
      out.push(t.text);
    }
  }
  return out;
}

function verdictOf(stmt: Stmt<'default'> | Stmt<'outbound'> | Stmt<'others'> | undefined, diags: Diagnostics, fallback: Verdict = 'drop'): Verdict {
  if (!stmt) return 'drop'; // an unspecified default is the safe one
  const v = VERDICTS[stmt.action.text];
  if (v && (stmt.action.text === 'deny' || stmt.action.text === 'accept')) return v;
  diags.reportMisspelt('MSGR037', stmt.action, `'${stmt.action.text}' is not ${stmt.kind === 'others' ? "an 'others'" : 'a default'} action`, nearest(stmt.action.text, ['deny', 'accept']), 'use deny or accept');
  return fallback;
}

function resolvePlainRule(s: PlainRuleStmt, fw: string, networks: NetworkTable, diags: Diagnostics): PlainRule | undefined {
  const protocol = s.protocol.text;
  let ok = true;
  let icmpTypes: IcmpType[] | undefined;
  if (!(RULE_PROTOCOLS as readonly string[]).includes(protocol)) {
    diags.reportMisspelt('MSGR037', s.protocol, `unknown protocol '${protocol}'`, nearest(protocol, RULE_PROTOCOLS), `use ${RULE_PROTOCOLS.join(', ')}`);
    ok = false;
  } else if (protocol in ICMP_FAMILIES) {
    icmpTypes = resolveIcmpTypes(s, diags);
    if (!icmpTypes) ok = false;
  } else if (s.types.length > 0) {
    reportTypesOnPortRule(s, diags);
    ok = false;
  }
  const ports: PortRange[] = [];
  if (!icmpTypes) {
    for (const p of s.ports) {
      const r = checkPortRange(p, diags);
      if (r) ports.push(r);
      else ok = false;
    }
  }
  const from = s.from && resolveMembers(s.from, networks, diags);
  const to = s.to && resolveMembers(s.to, networks, diags);
  if ((s.from && !from) || (s.to && !to) || !ok) return undefined;
  if (from && to && neverMatches(from.set, to.set)) {
    diags.report('MSGR043', s.at, `from ${memberText(s.from!)} to ${memberText(s.to!)} mixes IPv4 and IPv6: the rule can never match`, 'use networks of a common address family');
  } else if (icmpTypes) {
    const typeFamilies = ICMP_FAMILIES[protocol]!.filter((f) => icmpTypes!.some((t) => icmpNumber(t, f) !== undefined));
    const end = [from, to].find((e) => e && !families(e.set).some((f) => typeFamilies.includes(f)));
    if (end) {
      const what = `${protocol}${s.types.length ? ` ${names(s.types)}` : ''}`;
      diags.report('MSGR043', s.at, `${what} is IPv${typeFamilies.join('/IPv')} only and ${end.name} has no address of that family: the rule can never match`, 'use networks of the family the ICMP types have');
    }
  }
  const portText = ports.length ? ` ${ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(',')}` : '';
  const typeText = s.types.length && icmpTypes ? ` ${icmpTypes.map((t) => t.name).join(', ')}` : '';
  const ends = `${s.from ? ` from ${memberText(s.from)}` : ''}${s.to ? ` to ${memberText(s.to)}` : ''}`;
  const rule: PlainRule = {
    action: s.action.text === 'allow' ? 'accept' : 'drop',
    protocol: icmpTypes ? 'icmp' : (protocol as Protocol),
    ports,
    origin: origin(s.at, `firewall ${fw}: ${s.action.text} ${protocol}${portText}${typeText}${ends}`),
  };
  if (icmpTypes) rule.icmpTypes = icmpTypes;
  if (from) rule.from = from;
  if (to) rule.to = to;
  return rule;
}

/** A rule's end as written: `admins, 10.10.99.0/24`. */
const memberText = (members: readonly AddressOrName[]) => members.map((m) => m.text).join(', ');

const neverMatches = (a: AddressSet, b: AddressSet) =>
  !families(a).some((f) => families(b).includes(f));
