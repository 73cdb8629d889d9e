import type { IrDirection } from '../ir/types.js';
import { tupleCond } from '../../targets/readers/chains.js';
import { familyOf } from '../../targets/readers/normalize.js';
import type { TuplePortRange } from '../../targets/readers/tuple.js';
import { netshTuples, PROFILES, type NetshRule, type Profile } from '../../targets/netsh/reader.js';
import type { Finding, LiveFirewall, LiveHook, LiveVerdict } from './model.js';
import { VerifyTrouble } from './regions.js';

/**
 * Windows Firewall as saved on the machine (the README's capture command): the output of
 * `netsh advfirewall firewall show rule name="…" verbose`, then that of
 * `netsh advfirewall show allprofiles` (each profile's state and firewall policy). A rule is a
 * block of `Field: value` lines starting at `Rule Name:`; a profile a block starting at
 * `<Name> Profile Settings:` with `State` and `Firewall Policy` lines.
 */
export interface NetshDump {
  rules: { line: number; rule: NetshRule; text: string }[];
  profiles: Partial<Record<Profile, { state?: string; policy?: string }>>;
}

export function parseNetshDump(text: string): NetshDump {
  const out: NetshDump = { rules: [], profiles: {} };
  let fields: Map<string, string> | undefined;
  let start = 0;
  let profile: Profile | undefined;
  const finish = () => {
    if (fields) out.rules.push({ line: start, rule: ruleOf(fields, start), text: `${fields.get('rule name')} (${fields.get('direction') ?? '?'}, ${fields.get('action') ?? '?'})` });
    fields = undefined;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimEnd();
    const settings = /^(Domain|Private|Public) Profile Settings:\s*$/i.exec(line);
    if (settings) {
      finish();
      profile = settings[1]!.toLowerCase() as Profile;
      out.profiles[profile] = {};
      return;
    }
    const field = /^([A-Za-z][A-Za-z ]*?):\s*(.*)$/.exec(line);
    if (field && field[1]!.toLowerCase() === 'rule name') {
      finish();
      profile = undefined;
      fields = new Map([['rule name', field[2]!.trim()]]);
      start = i + 1;
      return;
    }
    if (fields && field) {
      fields.set(field[1]!.toLowerCase(), field[2]!.trim());
      return;
    }
    if (profile) {
      const setting = /^(State|Firewall Policy)\s{2,}(\S.*)$/.exec(line);
      if (setting) out.profiles[profile]![setting[1] === 'State' ? 'state' : 'policy'] = setting[2]!.trim().toLowerCase();
    }
  });
  finish();
  return out;
}

/** The fields of a rule as the reader's NetshRule; what the reader cannot model is trouble, named with the dump line. */
function ruleOf(f: Map<string, string>, line: number): NetshRule {
  const where = `netsh dump line ${line} (rule ${f.get('rule name')})`;
  const get = (name: string) => {
    const v = f.get(name);
    if (v === undefined) throw new VerifyTrouble(`${where}: no '${name}' field; capture the rules with 'verbose'`);
    return v;
  };
  const dir = get('direction').toLowerCase();
  if (dir !== 'in' && dir !== 'out') throw new VerifyTrouble(`${where}: direction ${dir} is neither In nor Out`);
  const action = get('action').toLowerCase();
  if (action !== 'allow' && action !== 'block') throw new VerifyTrouble(`${where}: action ${action} is not modelled (only Allow and Block)`);
  for (const [name, any] of [['edge traversal', 'no'], ['program', 'any'], ['service', 'any'], ['interfacetypes', 'any'], ['security', 'notrequired'], ['remotecomputergroup', ''], ['remoteusergroup', '']] as const) {
    const v = f.get(name);
    if (v !== undefined && v !== '' && v.toLowerCase() !== any) throw new VerifyTrouble(`${where}: ${name} ${v} is not modelled; verify compares addresses, protocols and ports`);
  }
  const protocol = get('protocol').toLowerCase();
  if (!['tcp', 'udp', 'any', 'icmpv4', 'icmpv6'].includes(protocol)) throw new VerifyTrouble(`${where}: protocol ${protocol} is not modelled`);
  return {
    name: get('rule name'),
    dir,
    action,
    enable: get('enabled').toLowerCase() === 'yes',
    profiles: get('profiles').toLowerCase().split(',').map((p) => p.trim()),
    protocol,
    localip: addresses(get('localip'), where),
    remoteip: addresses(get('remoteip'), where),
    localport: ports(f.get('localport') ?? 'Any', where),
    remoteport: ports(f.get('remoteport') ?? 'Any', where),
    params: Object.fromEntries(f),
  };
}

/** `Any`, or a comma list of addresses, prefixes (IPv4 also with a dotted mask) and ranges. */
function addresses(v: string, where: string): string[] | 'any' {
  if (v.toLowerCase() === 'any') return 'any';
  return v.split(',').map((item) => {
    const s = item.trim();
    const masked = /^([0-9.]+)\/([0-9.]+\.[0-9.]+)$/.exec(s);
    if (masked) return `${masked[1]}/${maskLength(masked[2]!, where)}`;
    const ends = s.split('-');
    if (!ends.every((e) => familyOf(e.replace(/\/\d+$/, '')) !== undefined)) throw new VerifyTrouble(`${where}: address ${s} is not modelled (keywords such as LocalSubnet depend on the machine)`);
    return s;
  });
}

function maskLength(mask: string, where: string): number {
  const bits = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits) || bits.length !== 32) throw new VerifyTrouble(`${where}: ${mask} is not a network mask`);
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

function ports(v: string, where: string): TuplePortRange[] | 'any' {
  if (v.toLowerCase() === 'any') return 'any';
  return v.split(',').map((p) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p.trim());
    if (!m) throw new VerifyTrouble(`${where}: port ${p.trim()} is not modelled`);
    return { from: Number(m[1]), to: Number(m[2] ?? m[1]) };
  });
}

const key = (r: NetshRule) => JSON.stringify(netshTuples({ rules: [r] }));

/**
 * The firewall's meaning: block rules first (they win over allow rules whatever the order),
 * then allow rules, then the profiles' inbound and outbound policy. The three profiles must
 * agree (msgrfw writes its rules for every profile); rules are held against the artefact's by
 * their meaning, so a rule added or changed by hand under msgrfw's name is named.
 */
export function liveNetsh(ruleName: string, dump: NetshDump, expected: NetshRule[]): LiveFirewall {
  const source = `Windows Firewall rules named "${ruleName}" (saved dump)`;
  const notFiltered = (d: IrDirection) => `not filtered: Windows Firewall judges no ${d} traffic here`;
  if (dump.rules.length === 0) {
    return { source, applied: false, opening: [], replies: [], notFiltered, loopback: 'loopback', findings: [{ kind: 'not-applied', message: `not applied: the dump has no rule named "${ruleName}"` }] };
  }
  const policies = PROFILES.map((p) => dump.profiles[p]);
  if (policies.some((p) => !p?.state || !p.policy)) throw new VerifyTrouble(`the dump lacks the profiles' state and firewall policy: append the output of netsh advfirewall show allprofiles`);
  const shapes = new Set(policies.map((p) => `${p!.state} ${p!.policy}`));
  if (shapes.size > 1) throw new VerifyTrouble(`the profiles differ (${PROFILES.map((p, i) => `${p}: ${policies[i]!.state} ${policies[i]!.policy}`).join('; ')}); verify compares one firewall, as msgrfw writes it for every profile`);
  const [state, policy] = [...shapes][0]!.split(' ') as [string, string];
  const findings: Finding[] = [];
  const left = expected.map(key);
  for (const { rule, line, text } of dump.rules) {
    if (rule.name !== ruleName) findings.push({ kind: 'foreign', message: `rule "${rule.name}" (dump line ${line}) is not msgrfw's` });
    if (rule.enable && !PROFILES.every((p) => rule.profiles.includes(p))) throw new VerifyTrouble(`netsh dump line ${line}: rule ${rule.name} holds only for ${rule.profiles.join(', ')}; verify compares rules that hold for every profile`);
    const i = left.indexOf(key(rule));
    if (i >= 0) left.splice(i, 1);
    else findings.push({ kind: 'foreign', message: `a rule the policy does not have: dump line ${line}: ${text}`, rule: { where: `dump line ${line}`, text } });
  }
  if (left.length) findings.push({ kind: 'missing', message: `${left.length} rule(s) of the policy are missing from the dump` });
  const verdicts = (dir: 'in' | 'out'): LiveVerdict[] => {
    const ordered = [...dump.rules.filter((r) => r.rule.action === 'block'), ...dump.rules.filter((r) => r.rule.action === 'allow')];
    return ordered.flatMap(({ rule, line, text }) =>
      netshTuples({ rules: [rule] }).filter((t) => t.direction === dir).map((t) => ({ action: t.action, cond: tupleCond(t), rule: { where: `dump line ${line}`, text } })),
    );
  };
  const on = state === 'on';
  const inbound = on && !policy.includes('allowinbound') ? 'drop' : 'accept';
  const outbound = on && policy.includes('blockoutbound') ? 'drop' : 'accept';
  // Windows Firewall does not filter loopback traffic: it passes before any rule.
  const loopback = (iface: 'iface' | 'outIface'): LiveVerdict => ({ action: 'accept', cond: { [iface]: 'loopback' }, rule: { where: 'Windows Firewall', text: 'loopback traffic is not filtered' } });
  const opening: LiveHook[] = [
    { direction: 'input', chains: [{ rules: on ? [loopback('iface'), ...verdicts('in')] : [], policy: inbound, policyText: `${inbound === 'drop' ? 'blocked' : 'allowed'} by the profiles' inbound policy (${state} ${policy})` }] },
    { direction: 'output', chains: [{ rules: on ? [loopback('outIface'), ...verdicts('out')] : [], policy: outbound, policyText: `${outbound === 'drop' ? 'blocked' : 'allowed'} by the profiles' outbound policy (${state} ${policy})` }] },
  ];
  return { source, applied: true, opening, replies: [], notFiltered: (d) => (d === 'forward' ? notFiltered(d) : 'allowed: Windows Firewall lets the replies of a connection it allowed back'), loopback: 'loopback', findings };
}
