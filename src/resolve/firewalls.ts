import { families, intersect, isEmpty, type AddressSet } from '../addresses/set.js';
import type { FirewallItem, FirewallStmt, PlainRuleStmt } from '../parse/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { IR_TARGETS, isIrTarget } from '../ir/targets.js';
import type { IrTarget } from '../ir/types.js';
import { type Diagnostics, firstOfEach, origin } from './context.js';
import { lookupNetwork, type NetworkTable } from './networks.js';
import { checkPortRange } from './ranges.js';
import {
  type Firewall,
  type Placement,
  type PlainRule,
  PROTOCOLS,
  type Protocol,
  type PortRange,
  type Verdict,
} from './model.js';

type Stmt<K extends FirewallStmt['kind']> = Extract<FirewallStmt, { kind: K }>;

/**
 * Plain rules per firewall (MSGR050). Checking rules against each other (shadowing, Windows
 * Firewall's block-before-allow order) grows with the square of their number; a Messenger
 * firewall needs a handful.
 */
export const MAX_PLAIN_RULES = 1000;

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
  if (outboundStmt && placement?.kind === 'gateway') {
    diags.report('MSGR035', outboundStmt.at, `'outbound' applies to host firewalls; gateway ${name} filters forwarded traffic with 'default'`, 'remove it');
  }
  const rules: PlainRule[] = [];
  let count = 0;
  for (const s of item.statements) {
    if (s.kind !== 'rule') continue;
    if (++count > MAX_PLAIN_RULES) {
      diags.report('MSGR050', s.at, `firewall ${name} has more than ${MAX_PLAIN_RULES} plain rules`, 'merge rules with port lists and networks, or split the firewall');
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
    const a = lookupNetwork(between.a, networks, diags);
    const b = lookupNetwork(between.b, networks, diags);
    if (!a || !b) return undefined;
    if (!isEmpty(intersect(a.set, b.set))) {
      diags.report('MSGR041', between.b.at, `zones ${a.name} and ${b.name} overlap: a gateway between them cannot tell which side a packet is on`, 'use two disjoint networks');
      return undefined;
    }
    return { kind: 'gateway', a, b, origin: origin(between.at, `firewall ${name}: between ${a.name} and ${b.name}`) };
  }
  diags.reportMissing(item, 'MSGR040', `firewall ${name} says neither where it sits`, 'add `on NET` (a host firewall) or `between A and B` (a gateway)');
  return undefined;
}

function resolveTargets(stmt: Stmt<'targets'> | undefined, item: FirewallItem, diags: Diagnostics): IrTarget[] {
  if (!stmt) {
    diags.reportMissing(item, 'MSGR044', `firewall ${item.name.text} has no targets`, `add e.g. \`targets ${IR_TARGETS.join(', ')}\``);
    return [];
  }
  const out: IrTarget[] = [];
  for (const t of stmt.targets) {
    if (!isIrTarget(t.text)) {
      diags.report('MSGR037', t.at, `unknown target '${t.text}'`, didYouMean(t.text, IR_TARGETS) ?? `targets are: ${IR_TARGETS.join(', ')}`);
    } else if (!out.includes(t.text)) {
      out.push(t.text);
    }
  }
  return out;
}

function verdictOf(stmt: Stmt<'default'> | Stmt<'outbound'> | undefined, diags: Diagnostics): Verdict {
  if (!stmt) return 'drop'; // an unspecified default is the safe one
  const v = VERDICTS[stmt.action.text];
  if (v && (stmt.action.text === 'deny' || stmt.action.text === 'accept')) return v;
  diags.report('MSGR037', stmt.action.at, `'${stmt.action.text}' is not a default action`, didYouMean(stmt.action.text, ['deny', 'accept']) ?? 'use deny or accept');
  return 'drop';
}

function resolvePlainRule(s: PlainRuleStmt, fw: string, networks: NetworkTable, diags: Diagnostics): PlainRule | undefined {
  const protocol = s.protocol.text;
  let ok = true;
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    diags.report('MSGR037', s.protocol.at, `unknown protocol '${protocol}'`, didYouMean(protocol, PROTOCOLS) ?? 'use tcp or udp');
    ok = false;
  }
  const ports: PortRange[] = [];
  for (const p of s.ports) {
    const r = checkPortRange(p, diags);
    if (r) ports.push(r);
    else ok = false;
  }
  const from = s.from && lookupNetwork(s.from, networks, diags);
  const to = s.to && lookupNetwork(s.to, networks, diags);
  if ((s.from && !from) || (s.to && !to) || !ok) return undefined;
  if (from && to && neverMatches(from.set, to.set)) {
    diags.report('MSGR043', s.at, `from ${from.name} to ${to.name} mixes IPv4 and IPv6: the rule can never match`, 'use networks of a common address family');
  }
  const portText = ports.length ? ` ${ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(',')}` : '';
  const ends = `${from ? ` from ${from.name}` : ''}${to ? ` to ${to.name}` : ''}`;
  const rule: PlainRule = {
    action: s.action.text === 'allow' ? 'accept' : 'drop',
    protocol: protocol as Protocol,
    ports,
    origin: origin(s.at, `firewall ${fw}: ${s.action.text} ${protocol}${portText}${ends}`),
  };
  if (from) rule.from = from;
  if (to) rule.to = to;
  return rule;
}

const neverMatches = (a: AddressSet, b: AddressSet) =>
  !families(a).some((f) => families(b).includes(f));
