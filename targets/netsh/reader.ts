import { runBatch, splitArgs, type SimpleCommand } from './readerCmd.js';
import { normalizeAddresses, normalizePorts, parseAddressItem } from '../readers/normalize.js';
import type { Tuple, TupleProtocol, TuplePortRange } from '../readers/tuple.js';

/**
 * A reader for `netsh advfirewall` scripts: runs a .cmd through the batch reader and simulates
 * what Windows Firewall would hold afterwards. It models the parts a firewall script uses:
 * `firewall add rule`, `firewall delete rule` (deletes EVERY rule with the name, and with the
 * other given conditions), `set <profile> state|firewallpolicy|logging`, `reset`. Context and
 * command words may be abbreviated as netsh allows (a unique prefix); parameter names are
 * matched case-insensitively. Anything it does not model is an error, not a guess.
 *
 * Start from a previous state to test idempotence: apply the old script, then the new one.
 */
export interface NetshRule {
  name: string;
  dir: 'in' | 'out';
  action: 'allow' | 'block' | 'bypass';
  enable: boolean;
  profiles: string[];
  protocol: string;
  localip: string[] | 'any';
  remoteip: string[] | 'any';
  localport: TuplePortRange[] | 'any';
  remoteport: TuplePortRange[] | 'any';
  description?: string;
  /** Every parameter as written, lower-case names. */
  params: Record<string, string>;
}

export type Profile = 'domain' | 'private' | 'public';
export const PROFILES: Profile[] = ['domain', 'private', 'public'];

export interface NetshState {
  rules: NetshRule[];
  profiles: Record<Profile, { state: 'on' | 'off'; inbound: string; outbound: string; logDropped: boolean }>;
  /** Every netsh command run, in order, as argv. */
  log: string[][];
}

export function initialNetshState(): NetshState {
  const p = () => ({ state: 'on' as const, inbound: 'blockinbound', outbound: 'allowoutbound', logDropped: false });
  return { rules: [], profiles: { domain: p(), private: p(), public: p() }, log: [] };
}

export class NetshError extends Error {}

/** Runs a .cmd; returns the firewall state after it (starting from `state`, not modified). */
export function readNetshScript(cmd: string, state: NetshState = initialNetshState()): NetshState & { exitCode: number } {
  const s: NetshState = structuredClone(state);
  const { exitCode } = runBatch(cmd, (c: SimpleCommand, line: number) => {
    if (c.name !== 'netsh') throw new NetshError(`line ${line}: unsupported command ${c.name}`);
    if (c.redirections.some((r) => !/^(?:[12]?>>?(?:nul|&[12]))$/i.test(r))) throw new NetshError(`line ${line}: redirection to a file`);
    try {
      return netsh(s, splitArgs(c.tail));
    } catch (e) {
      throw new NetshError(`line ${line}: ${(e as Error).message}`);
    }
  });
  return { ...s, exitCode };
}

function word(w: string | undefined, choices: readonly string[], where: string): string {
  if (w === undefined) throw new Error(`${where}: missing word (one of ${choices.join(', ')})`);
  const l = w.toLowerCase();
  const exact = choices.find((c) => c === l);
  if (exact) return exact;
  const prefixed = choices.filter((c) => c.startsWith(l));
  if (prefixed.length === 1) return prefixed[0]!;
  throw new Error(`${where}: ${prefixed.length ? 'ambiguous' : 'unknown'} word ${w}`);
}

/** One netsh invocation; returns its exit code. */
export function netsh(s: NetshState, argv: string[]): number {
  s.log.push(argv);
  let i = 0;
  // netsh [-c context] … : only the command form is modelled.
  if (argv[0]?.startsWith('-')) throw new Error(`netsh option ${argv[0]} is not modelled`);
  const top = word(argv[i++], ['advfirewall'], 'netsh');
  if (top !== 'advfirewall') throw new Error('only netsh advfirewall is modelled');
  const cmd = word(argv[i++], ['firewall', 'set', 'show', 'reset', 'export', 'import', 'consec', 'mainmode', 'monitor', 'dump'], 'netsh advfirewall');
  if (cmd === 'show' || cmd === 'dump') return 0;
  if (cmd === 'reset') {
    Object.assign(s, { ...initialNetshState(), log: s.log });
    return 0;
  }
  if (cmd === 'set') return setProfile(s, argv.slice(i));
  if (cmd !== 'firewall') throw new Error(`netsh advfirewall ${cmd} is not modelled`);
  const verb = word(argv[i++], ['add', 'delete', 'set', 'show'], 'netsh advfirewall firewall');
  if (verb === 'show') return 0;
  word(argv[i++], ['rule'], `netsh advfirewall firewall ${verb}`);
  const params = tagged(argv.slice(i));
  if (verb === 'add') return addRule(s, params);
  if (verb === 'delete') return deleteRule(s, params);
  throw new Error('netsh advfirewall firewall set rule is not modelled');
}

function tagged(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new Error(`parameter without a tag: ${a}`);
    const tag = a.slice(0, eq).toLowerCase();
    if (tag in out) throw new Error(`parameter ${tag} given twice`);
    out[tag] = a.slice(eq + 1);
  }
  return out;
}

const ADD_TAGS = [
  'name', 'dir', 'action', 'program', 'service', 'description', 'enable', 'profile', 'localip', 'remoteip',
  'localport', 'remoteport', 'protocol', 'interfacetype', 'rmtcomputergrp', 'rmtusrgrp', 'edge', 'security',
];
const DELETE_TAGS = ['name', 'dir', 'profile', 'program', 'service', 'localip', 'remoteip', 'localport', 'remoteport', 'protocol'];

function addRule(s: NetshState, p: Record<string, string>): number {
  for (const t of Object.keys(p)) if (!ADD_TAGS.includes(t)) throw new Error(`add rule: unknown parameter ${t}`);
  for (const t of ['name', 'dir', 'action']) if (!p[t]) throw new Error(`add rule: ${t}= is required`);
  if (p.name!.toLowerCase() === 'all') throw new Error('add rule: a rule cannot be named all');
  for (const t of ['program', 'service', 'rmtcomputergrp', 'rmtusrgrp', 'security']) {
    if (p[t] !== undefined) throw new Error(`add rule: ${t}= is not modelled`);
  }
  const protocol = parseProtocol(p.protocol ?? 'any');
  if ((p.localport !== undefined || p.remoteport !== undefined) && protocol !== 'tcp' && protocol !== 'udp') {
    throw new Error('add rule: ports need protocol=tcp or protocol=udp');
  }
  const rule: NetshRule = {
    name: p.name!,
    dir: choice(p.dir!, ['in', 'out'], 'dir'),
    action: choice(p.action!, ['allow', 'block', 'bypass'], 'action'),
    enable: choice(p.enable ?? 'yes', ['yes', 'no'], 'enable') === 'yes',
    profiles: parseProfiles(p.profile ?? 'any'),
    protocol,
    localip: parseIps(p.localip ?? 'any', 'localip'),
    remoteip: parseIps(p.remoteip ?? 'any', 'remoteip'),
    localport: parsePorts(p.localport ?? 'any', 'localport'),
    remoteport: parsePorts(p.remoteport ?? 'any', 'remoteport'),
    params: p,
  };
  if (p.description !== undefined) rule.description = p.description;
  if (p.interfacetype !== undefined) choice(p.interfacetype, ['wireless', 'lan', 'ras', 'any'], 'interfacetype');
  if (p.interfacetype !== undefined && p.interfacetype.toLowerCase() !== 'any') throw new Error('interfacetype other than any is not modelled');
  if (p.edge !== undefined && p.edge.toLowerCase() !== 'no') throw new Error('edge traversal is not modelled');
  s.rules.push(rule);
  return 0;
}

/** Deletes every rule with the name (or all rules for name=all) that also meets the other conditions. */
function deleteRule(s: NetshState, p: Record<string, string>): number {
  for (const t of Object.keys(p)) if (!DELETE_TAGS.includes(t)) throw new Error(`delete rule: unknown parameter ${t}`);
  if (!p.name) throw new Error('delete rule: name= is required');
  const all = p.name.toLowerCase() === 'all';
  const dir = p.dir ? choice(p.dir, ['in', 'out'], 'dir') : undefined;
  const protocol = p.protocol ? parseProtocol(p.protocol) : undefined;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const matches = (r: NetshRule) =>
    (all || r.name.toLowerCase() === p.name!.toLowerCase()) &&
    (dir === undefined || r.dir === dir) &&
    (protocol === undefined || r.protocol === protocol) &&
    (p.localport === undefined || same(r.localport, parsePorts(p.localport, 'localport'))) &&
    (p.remoteport === undefined || same(r.remoteport, parsePorts(p.remoteport, 'remoteport'))) &&
    (p.localip === undefined || same(r.localip, parseIps(p.localip, 'localip'))) &&
    (p.remoteip === undefined || same(r.remoteip, parseIps(p.remoteip, 'remoteip'))) &&
    (p.profile === undefined || same(r.profiles, parseProfiles(p.profile)));
  const before = s.rules.length;
  s.rules = s.rules.filter((r) => !matches(r));
  // netsh prints "No rules match the specified criteria." and fails when nothing matched.
  return s.rules.length === before ? 1 : 0;
}

function setProfile(s: NetshState, args: string[]): number {
  const which = word(args[0], ['allprofiles', 'currentprofile', 'domainprofile', 'privateprofile', 'publicprofile', 'global', 'store'], 'netsh advfirewall set');
  if (which === 'global' || which === 'store' || which === 'currentprofile') throw new Error(`netsh advfirewall set ${which} is not modelled`);
  const targets: Profile[] = which === 'allprofiles' ? PROFILES : [which.replace('profile', '') as Profile];
  const what = word(args[1], ['state', 'firewallpolicy', 'logging', 'settings'], `netsh advfirewall set ${which}`);
  if (what === 'state') {
    const v = choice(args[2] ?? '', ['on', 'off', 'notconfigured'], 'state');
    if (v === 'notconfigured' || args.length > 3) throw new Error('state: only on|off is modelled');
    for (const t of targets) s.profiles[t].state = v;
    return 0;
  }
  if (what === 'firewallpolicy') {
    const m = (args[2] ?? '').toLowerCase().match(/^(blockinbound|blockinboundalways|allowinbound|notconfigured),(allowoutbound|blockoutbound|notconfigured)$/);
    if (!m || args.length > 3) throw new Error(`firewallpolicy ${args.slice(2).join(' ')} is not inbound,outbound`);
    for (const t of targets) {
      s.profiles[t].inbound = m[1]!;
      s.profiles[t].outbound = m[2]!;
    }
    return 0;
  }
  if (what === 'logging') {
    const key = word(args[2], ['droppedconnections', 'allowedconnections', 'filename', 'maxfilesize'], 'logging');
    if (key !== 'droppedconnections') throw new Error(`logging ${key} is not modelled`);
    const v = choice(args[3] ?? '', ['enable', 'disable', 'notconfigured'], 'droppedconnections');
    for (const t of targets) s.profiles[t].logDropped = v === 'enable';
    return 0;
  }
  throw new Error('netsh advfirewall set … settings is not modelled');
}

function choice<T extends string>(v: string, choices: readonly T[], what: string): T {
  const l = v.toLowerCase() as T;
  if (!choices.includes(l)) throw new Error(`${what}=${v}: not one of ${choices.join('|')}`);
  return l;
}

function parseProtocol(v: string): string {
  const l = v.toLowerCase();
  if (l === 'tcp' || l === '6') return 'tcp';
  if (l === 'udp' || l === '17') return 'udp';
  if (l === 'any') return 'any';
  if (/^icmpv[46](:.*)?$/.test(l)) return l;
  if (/^[0-9]+$/.test(l) && Number(l) <= 255) return `ip-${l}`;
  throw new Error(`protocol=${v} is not understood`);
}

function parseProfiles(v: string): string[] {
  const parts = v.toLowerCase().split(',');
  const out = new Set<string>();
  for (const p of parts) {
    if (p === 'any' || p === 'all') PROFILES.forEach((x) => out.add(x));
    else if ((PROFILES as string[]).includes(p)) out.add(p);
    else throw new Error(`profile=${v} is not understood`);
  }
  return [...out].sort();
}

const IP_KEYWORDS = ['localsubnet', 'dns', 'dhcp', 'wins', 'defaultgateway', 'intranet', 'internet', 'rmtintranet', 'ply2renderers'];

/** Addresses as written (each item parsed to prove it is one), or any. */
function parseIps(v: string, what: string): string[] | 'any' {
  if (v.toLowerCase() === 'any') return 'any';
  const items = v.split(',');
  for (const item of items) {
    if (IP_KEYWORDS.includes(item.toLowerCase())) throw new Error(`${what}=${item}: keywords are not modelled`);
    parseAddressItem(item);
  }
  return items;
}

const PORT_KEYWORDS = ['rpc', 'rpc-epmap', 'iphttps', 'iphttpsin', 'iphttpsout', 'teredo', 'ply2disc', 'mdns'];

function parsePorts(v: string, what: string): TuplePortRange[] | 'any' {
  if (v.toLowerCase() === 'any') return 'any';
  const ranges = v.split(',').map((item) => {
    if (PORT_KEYWORDS.includes(item.toLowerCase())) throw new Error(`${what}=${item}: keywords are not modelled`);
    const m = item.match(/^([0-9]+)(?:-([0-9]+))?$/);
    if (!m) throw new Error(`${what}=${v}: not a port list`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 65535 || to > 65535 || from > to) throw new Error(`${what}=${v}: bad range ${item}`);
    return { from, to };
  });
  return normalizePorts(ranges);
}

const LISTS = ['localip', 'remoteip', 'localport', 'remoteport'] as const;

/**
 * Rules that one IR rule became when its lists did not fit one command line, merged back into
 * the rule they stand for. The target writes such a rule as consecutive commands that agree in
 * everything but their lists, each list cut into chunks, one command per combination of chunks:
 * merged, each list is its chunks in order. Anything else is an error: a chunk repeated or an
 * item in two chunks (a list would be read twice), a combination missing or given twice (part
 * of the rule would be left out). Rules that were not split come back as they are.
 */
export function mergeSplitRules(rules: readonly NetshRule[]): NetshRule[] {
  const out: NetshRule[] = [];
  const sameRule = (r: NetshRule) => JSON.stringify({ ...r, params: { ...r.params, localip: 0, remoteip: 0, localport: 0, remoteport: 0 }, localip: 0, remoteip: 0, localport: 0, remoteport: 0 });
  for (let i = 0; i < rules.length; ) {
    const key = sameRule(rules[i]!);
    let j = i + 1;
    while (j < rules.length && sameRule(rules[j]!) === key) j++;
    const group = rules.slice(i, j);
    i = j;
    if (group.length === 1) {
      out.push(group[0]!);
      continue;
    }
    const where = `rules ${JSON.stringify(group[0]!.description ?? group[0]!.name)}`;
    const chunks = LISTS.map((l) => [...new Set(group.map((r) => JSON.stringify(r[l])))]);
    const product = chunks.reduce((n, c) => n * c.length, 1);
    const combos = new Set(group.map((r) => LISTS.map((l) => JSON.stringify(r[l])).join('|')));
    if (combos.size !== group.length) throw new Error(`${where}: a combination of chunks is written twice`);
    if (product !== group.length) throw new Error(`${where}: ${group.length} commands, but the ${chunks.map((c) => c.length).join(' × ')} chunks make ${product} combinations`);
    const merged: NetshRule = { ...group[0]!, params: { ...group[0]!.params } };
    LISTS.forEach((l, k) => {
      const lists = chunks[k]!.map((c) => JSON.parse(c) as string[] | TuplePortRange[] | 'any');
      if (lists.length === 1) return;
      if (lists.includes('any')) throw new Error(`${where}: ${l} is any in one command and a list in another`);
      const items = (lists as unknown[][]).flat().map((x) => JSON.stringify(x));
      if (new Set(items).size !== items.length) throw new Error(`${where}: an item of ${l} is in two chunks`);
      (merged as unknown as Record<string, unknown>)[l] = (lists as unknown[][]).flat();
      delete merged.params[l];
    });
    out.push(merged);
  }
  return out;
}

/**
 * Enabled tcp/udp/any rules as tuples, in the order the rules were added. Inbound rules see the
 * remote side as source, outbound ones as destination. A rule yields a tuple for a family when
 * both its address lists are any or hold an address of that family (netsh puts both families in
 * one list).
 */
export function netshTuples(s: Pick<NetshState, 'rules'>): Tuple[] {
  const out: Tuple[] = [];
  for (const r of s.rules) {
    if (!r.enable) continue;
    if (r.action === 'bypass') throw new Error(`rule ${r.name}: action=bypass is not modelled`);
    const protocol: TupleProtocol = r.protocol.startsWith('icmpv4') ? 'icmp' : r.protocol.startsWith('icmpv6') ? 'icmp6' : (r.protocol as TupleProtocol);
    // `icmpv4:8,any`: type 8, any code (netsh's `protocol=icmpv4:type,code`); a bare icmpv4 is every type.
    const typed = /^icmpv[46]:([0-9]+|any),any$/.exec(r.protocol);
    if (/^icmpv[46]:/.test(r.protocol) && !typed) throw new Error(`rule ${r.name}: protocol=${r.protocol}: only a type with any code is modelled`);
    for (const family of [4, 6] as const) {
      const local = r.localip === 'any' ? 'any' : normalizeAddresses(r.localip, family);
      const remote = r.remoteip === 'any' ? 'any' : normalizeAddresses(r.remoteip, family);
      if ((local !== 'any' && local.length === 0) || (remote !== 'any' && remote.length === 0)) continue;
      if ((protocol === 'icmp' && family === 6) || (protocol === 'icmp6' && family === 4)) continue;
      const inbound = r.dir === 'in';
      out.push({
        direction: r.dir,
        action: r.action === 'allow' ? 'accept' : 'drop',
        protocol,
        family,
        src: inbound ? remote : local,
        dst: inbound ? local : remote,
        srcPorts: inbound ? r.remoteport : r.localport,
        dstPorts: inbound ? r.localport : r.remoteport,
        ...(typed && typed[1] !== 'any' ? { icmpTypes: [String(Number(typed[1]))] } : {}),
      });
    }
  }
  return out;
}

/**
 * Windows Firewall is not first-match: block rules win over allow rules whatever their order.
 * As a first-match list that is every block tuple, then every allow tuple.
 */
export function windowsEvaluationOrder(tuples: readonly Tuple[]): Tuple[] {
  return [...tuples.filter((t) => t.action === 'drop'), ...tuples.filter((t) => t.action === 'accept')];
}

/** The default verdicts of a profile as tuple policy. */
export function netshPolicy(s: NetshState, profile: Profile): { in: 'accept' | 'drop'; out: 'accept' | 'drop' } {
  const p = s.profiles[profile];
  if (p.state === 'off') return { in: 'accept', out: 'accept' };
  return { in: p.inbound === 'allowinbound' ? 'accept' : 'drop', out: p.outbound === 'blockoutbound' ? 'drop' : 'accept' };
}
