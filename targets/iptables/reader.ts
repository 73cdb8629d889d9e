import { flatten, mergeFamilies, ReaderError, and, type Action, type ChainProgram, type ChainRule, type Cond, type CtState } from '../readers/chains.js';
import type { Policy } from '../readers/evaluate.js';
import { icmpTypeNumber } from '../readers/icmp-types.js';
import { mergeIntervals, parseAddressItem, type Family, type Interval } from '../readers/normalize.js';
import type { Tuple, TupleDirection, TuplePortRange } from '../readers/tuple.js';

/**
 * A reader for what the kernel holds after `iptables-restore`: the output of `iptables-save` /
 * `ip6tables-save` (filter table), with the members of the ipset sets its rules match taken
 * from `ipset save`. Built-in chains (`:INPUT ACCEPT [0:0]`) give the hooks and their
 * policies, `-A` lines the rules, in order; targets/readers/chains.ts flattens jumps into first-match tuples
 * for the opening packet of a connection.
 *
 * Matches it understands: `-s`/`-d`, `-p`, `-i`/`-o`, `-m tcp`/`udp` `--sport`/`--dport`,
 * `-m multiport --sports`/`--dports`, `-m set --match-set NAME src|dst`, `-m conntrack --ctstate`
 * and `-m state --state`, `-m icmp --icmp-type`, `-m icmp6 --icmpv6-type`, `-m hl --hl-eq` (an
 * undecidable extra), `-m comment`, `-m limit` (only in front of LOG: a limit before a verdict
 * would make it rate-dependent). Targets: ACCEPT, DROP, REJECT (a drop for the packet), RETURN,
 * LOG (no verdict) and user chains. Negation (`!`), `-g`, other tables' rules and anything else
 * are errors, not guesses.
 */
export interface IpsetSet {
  name: string;
  type: string;
  family: Family;
  intervals: Interval[];
}

/** `ipset save` (or `ipset list -o save`) output: create and add lines. */
export function parseIpsetSave(text: string): Map<string, IpsetSet> {
  const sets = new Map<string, IpsetSet>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const w = line.split(/\s+/);
    const where = `ipset save line ${i + 1}`;
    if (w[0] === 'create') {
      const [, name, type, ...opts] = w;
      if (!name || !type) throw new ReaderError(`${where}: ${line}`);
      if (type !== 'hash:net' && type !== 'hash:ip') throw new ReaderError(`${where}: set type ${type} is not modelled`);
      const fi = opts.indexOf('family');
      const fam = fi >= 0 ? opts[fi + 1] : 'inet';
      if (fam !== 'inet' && fam !== 'inet6') throw new ReaderError(`${where}: family ${fam}`);
      sets.set(name, { name, type, family: fam === 'inet' ? 4 : 6, intervals: [] });
    } else if (w[0] === 'add') {
      const [, name, elem, ...opts] = w;
      const set = sets.get(name ?? '');
      if (!set || !elem) throw new ReaderError(`${where}: add to unknown set ${name}`);
      if (opts.includes('nomatch')) throw new ReaderError(`${where}: nomatch entries are not modelled`);
      const item = parseAddressItem(elem);
      if (item.family !== set.family) throw new ReaderError(`${where}: ${elem} in an IPv${set.family} set`);
      set.intervals.push(item.interval);
    } else throw new ReaderError(`${where}: ${w[0]} is not modelled`);
  }
  for (const s of sets.values()) s.intervals = mergeIntervals(s.intervals);
  return sets;
}

/** iptables-save's words: whitespace-separated, `"…"` quoted with `\` escapes. */
export function splitSaveLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      i++;
      continue;
    }
    let w = '';
    let quoted = false;
    while (i < line.length && (quoted || (line[i] !== ' ' && line[i] !== '\t'))) {
      const c = line[i]!;
      if (c === '"') {
        quoted = !quoted;
        i++;
      } else if (c === '\\' && quoted && i + 1 < line.length) {
        w += line[i + 1];
        i += 2;
      } else {
        w += c;
        i++;
      }
    }
    if (quoted) throw new ReaderError(`unterminated quote in: ${line}`);
    out.push(w);
  }
  return out;
}

const BUILTIN: Record<string, TupleDirection> = { INPUT: 'in', OUTPUT: 'out', FORWARD: 'forward' };
const PROTO: Record<string, NonNullable<Cond['protocol']>> = { tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', 'ipv6-icmp': 'icmp6', icmpv6: 'icmp6', '58': 'icmp6' };

function ports(text: string, multi: boolean, where: string): TuplePortRange[] {
  const items = multi ? text.split(',') : [text];
  return items.map((it) => {
    const m = /^([0-9]*)(?::([0-9]*))?$/.exec(it);
    if (!m || (it.includes(':') ? false : m[1] === '')) throw new ReaderError(`${where}: port ${it}`);
    const from = m[1] === '' ? 0 : Number(m[1]);
    const to = it.includes(':') ? (m[2] === '' ? 65535 : Number(m[2])) : from;
    if (from > 65535 || to > 65535 || from > to) throw new ReaderError(`${where}: port range ${it}`);
    return { from, to };
  });
}

/** One family's filter table as a chain program (the policies of the built-in chains included). */
export function iptablesProgram(save: string, family: Family, ipsets: Map<string, IpsetSet> = new Map(), ctState: CtState = 'new'): ChainProgram {
  const program: ChainProgram = { chains: new Map(), hooks: [] };
  const policies = new Map<string, 'accept' | 'drop'>();
  let table: string | undefined;
  let seenFilter = false;
  const lines = save.split('\n');
  // Chain declarations first (a rule may jump to a chain declared after its own).
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (table !== 'filter' || !line.startsWith(':')) continue;
    const [name, policy] = line.slice(1).split(/\s+/);
    program.chains.set(name!, []);
    if (name! in BUILTIN) {
      if (policy !== 'ACCEPT' && policy !== 'DROP') throw new ReaderError(`chain ${name}: policy ${policy} is not modelled`);
      policies.set(name!, policy === 'ACCEPT' ? 'accept' : 'drop');
    }
  }
  table = undefined;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    const where = `${family === 4 ? 'iptables' : 'ip6tables'}-save line ${i + 1}`;
    if (!line || line.startsWith('#') || line === 'COMMIT' || line.startsWith(':')) continue;
    if (line.startsWith('*')) {
      table = line.slice(1);
      if (table === 'filter') seenFilter = true;
      continue;
    }
    if (table !== 'filter') {
      if (line.startsWith('-A ')) throw new ReaderError(`${where}: rules in table ${table} are not modelled`);
      continue;
    }
    if (!line.startsWith('-A ')) throw new ReaderError(`${where}: ${line}`);
    const words = splitSaveLine(line);
    const chain = words[1]!;
    const rules = program.chains.get(chain);
    if (!rules) throw new ReaderError(`${where}: rule in undeclared chain ${chain}`);
    const read = readRule(words.slice(2), family, ipsets, program, `${where}: ${line}`, ctState);
    read.where = { chain, position: rules.length + 1 };
    rules.push(read);
  }
  if (!seenFilter) throw new ReaderError(`no *filter table in the ${family === 4 ? 'iptables' : 'ip6tables'}-save output`);
  for (const [name, direction] of Object.entries(BUILTIN)) {
    const policy = policies.get(name);
    if (policy) program.hooks.push({ direction, chain: name, policy, family });
  }
  return program;
}

function readRule(w: string[], family: Family, ipsets: Map<string, IpsetSet>, program: ChainProgram, text: string, ctState: CtState): ChainRule {
  let cond: Cond | undefined = { family };
  let action: Action = { kind: 'continue' };
  let limited = false;
  const add = (c: Cond | undefined) => {
    cond = and(cond, c);
  };
  const modules = new Set<string>();
  let i = 0;
  const arg = () => {
    const v = w[++i];
    if (v === undefined) throw new ReaderError(`${text}: ${w[i - 1]} needs a value`);
    return v;
  };
  const addr = (v: string) => {
    const item = parseAddressItem(v);
    if (item.family !== family) throw new ReaderError(`${text}: ${v} is not IPv${family}`);
    return [item.interval];
  };
  for (; i < w.length; i++) {
    const o = w[i]!;
    switch (o) {
      case '!':
        throw new ReaderError(`${text}: negation is not modelled`);
      case '-s':
      case '--source':
        add({ src: addr(arg()) });
        break;
      case '-d':
      case '--destination':
        add({ dst: addr(arg()) });
        break;
      case '-p':
      case '--protocol': {
        const p = arg().toLowerCase();
        if (p === 'all' || p === '0') break;
        const known = PROTO[p];
        if (known) add({ protocol: known });
        else if (/^[0-9]+$/.test(p)) add({ protocol: `ip-${p}` as NonNullable<Cond['protocol']> });
        else throw new ReaderError(`${text}: protocol ${p}`);
        break;
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        const name = arg();
        if (name.endsWith('+')) throw new ReaderError(`${text}: interface wildcard ${name}`);
        add(o === '-i' || o === '--in-interface' ? { iface: name } : { outIface: name });
        break;
      }
      case '-m':
      case '--match': {
        const m = arg();
        if (!['tcp', 'udp', 'multiport', 'set', 'conntrack', 'state', 'comment', 'limit', 'icmp', 'icmp6', 'hl'].includes(m)) {
          throw new ReaderError(`${text}: match module ${m} is not modelled`);
        }
        modules.add(m);
        break;
      }
      case '--sport':
      case '--source-port':
      case '--dport':
      case '--destination-port': {
        if (!modules.has('tcp') && !modules.has('udp')) throw new ReaderError(`${text}: ${o} without -m tcp/udp`);
        const r = ports(arg(), false, text);
        add(o.startsWith('--s') ? { srcPorts: r } : { dstPorts: r });
        break;
      }
      case '--sports':
      case '--source-ports':
      case '--dports':
      case '--destination-ports': {
        if (!modules.has('multiport')) throw new ReaderError(`${text}: ${o} without -m multiport`);
        const r = ports(arg(), true, text);
        add(o.startsWith('--s') ? { srcPorts: r } : { dstPorts: r });
        break;
      }
      case '--match-set': {
        const name = arg();
        const dir = arg();
        const set = ipsets.get(name);
        if (!set) throw new ReaderError(`${text}: ipset ${name} is not in the ipset save`);
        if (set.family !== family) throw new ReaderError(`${text}: ipset ${name} is IPv${set.family}`);
        if (dir === 'src') add({ src: set.intervals });
        else if (dir === 'dst') add({ dst: set.intervals });
        else throw new ReaderError(`${text}: --match-set direction ${dir} is not modelled`);
        break;
      }
      case '--ctstate':
      case '--state': {
        const states = arg().toUpperCase().split(',');
        // The opening packet of a connection is NEW, a reply ESTABLISHED.
        if (!states.includes(ctState.toUpperCase())) cond = undefined;
        break;
      }
      case '--comment':
        arg();
        break;
      case '--limit':
      case '--limit-burst':
        arg();
        limited = true;
        break;
      case '--icmp-type':
      case '--icmpv6-type': {
        const type = arg();
        if (type.includes('/')) throw new ReaderError(`${text}: ICMP codes are not modelled`);
        add({ protocol: o === '--icmp-type' ? 'icmp' : 'icmp6', icmpTypes: [icmpTypeNumber('iptables', family, type)] });
        break;
      }
      case '--hl-eq':
        add({ extra: [`hl == ${arg()}`] });
        break;
      case '-j':
      case '--jump': {
        const t = arg();
        const rest = w.slice(i + 1);
        if (t === 'ACCEPT') action = { kind: 'accept' };
        else if (t === 'DROP' || t === 'REJECT') action = { kind: 'drop' };
        else if (t === 'RETURN') action = { kind: 'return' };
        else if (t === 'LOG') action = { kind: 'continue' };
        else if (program.chains.has(t)) action = { kind: 'jump', chain: t };
        else throw new ReaderError(`${text}: target ${t} is not modelled`);
        for (let k = 0; k < rest.length; k++) {
          const opt = rest[k]!;
          if (t === 'LOG' && ['--log-prefix', '--log-level'].includes(opt)) k++;
          else if (t === 'REJECT' && opt === '--reject-with') k++;
          else if (t === 'LOG' && ['--log-tcp-sequence', '--log-tcp-options', '--log-ip-options', '--log-uid'].includes(opt)) continue;
          else throw new ReaderError(`${text}: target option ${opt} is not modelled`);
        }
        i = w.length;
        break;
      }
      default:
        throw new ReaderError(`${text}: ${o} is not modelled`);
    }
  }
  if (limited && action.kind !== 'continue') throw new ReaderError(`${text}: a limit before a verdict makes it rate-dependent`);
  return { cond, action, text };
}

export interface IptablesRead {
  tuples: Tuple[];
  policy: Policy;
}

/**
 * Both families' saves (either may be absent: that family then gets no verdict) and the ipset
 * save, for packets in conntrack state `ctState` (targets/readers/chains.ts).
 */
export function readIptables(input: { v4?: string; v6?: string; ipset?: string }, ctState: CtState = 'new'): IptablesRead {
  const ipsets = input.ipset ? parseIpsetSave(input.ipset) : new Map<string, IpsetSet>();
  const parts = ([4, 6] as const)
    .filter((f) => (f === 4 ? input.v4 : input.v6) !== undefined)
    .map((family) => ({ family, ...flatten(iptablesProgram((family === 4 ? input.v4 : input.v6)!, family, ipsets, ctState)) }));
  return mergeFamilies(parts);
}
