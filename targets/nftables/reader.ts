import { and as conj, flatten, ReaderError, type Action, type ChainProgram, type ChainRule, type Cond, type CtState } from '../readers/chains.js';
import type { Policy } from '../readers/evaluate.js';
import { icmpTypeNumber } from '../readers/icmp-types.js';
import { mergeIntervals, parseAddressItem, type Family, type Interval } from '../readers/normalize.js';
import type { Tuple, TupleDirection, TuplePortRange } from '../readers/tuple.js';

/**
 * A reader for the kernel's own account of an nftables ruleset: the JSON of `nft -j list
 * ruleset` (libnftables' schema, json_schema_version 1), not the text we generated. It reads
 * one table — its named sets (addresses and ports: single values, prefixes, ranges, interval
 * elements), its filter base chains (hook and policy) and the regular chains they `jump` to —
 * and turns every rule into conditions and an action for targets/readers/chains.ts, which flattens the
 * program into first-match tuples for the opening packet of a connection.
 *
 * Conditions it understands: `ip`/`ip6 saddr`/`daddr` against a set, an address, a prefix, a
 * range or an anonymous set; `tcp`/`udp sport`/`dport` against the same forms of ports;
 * `meta l4proto`, `meta nfproto`, `meta iif`/`iifname`/`oif`/`oifname`; `ct state`;
 * `icmp`/`icmpv6 type`; `ip6 hoplimit` and `ip ttl` (kept as an undecidable extra). Statements:
 * accept, drop, reject (a drop for the packet), jump, return, log, counter, limit (a limit in
 * front of a verdict would make it rate-dependent: refused). The kernel leaves out the
 * dependencies it implies (`tcp dport` implies `meta l4proto tcp`, `ip saddr` implies `meta
 * nfproto ipv4` in an inet table); the reader puts them back. Anything else is an error.
 */
export type NftJson = { nftables: Array<Record<string, unknown>> };

interface NftSet {
  name: string;
  type: string;
  /** Addresses (by family) or ports. */
  addresses?: { family: Family; intervals: Interval[] };
  ports?: TuplePortRange[];
}

const HOOK_DIRECTION: Record<string, TupleDirection> = { input: 'in', output: 'out', forward: 'forward' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

export interface NftRead {
  table: string;
  family: string;
  program: ChainProgram;
  tuples: Tuple[];
  policy: Policy;
}

/**
 * Read table `table` (or the only table) of `nft -j list ruleset` output, for packets in
 * conntrack state `ctState`: a connection's opening packet (`new`) or a reply (`established`).
 */
export function readNftJson(json: NftJson | string, table?: string, ctState: CtState = 'new'): NftRead {
  const { table: tname, family: tfamily, program } = readNftProgram(json, table, ctState);
  const { tuples, policy } = flatten(program);
  // A hook without a base chain of this table: the table lets everything through there.
  for (const d of Object.values(HOOK_DIRECTION)) policy[d] ??= 'accept';
  return { table: tname, family: tfamily, program, tuples, policy };
}

/** The table as a chain program, before flattening (several base chains on one hook allowed). */
export function readNftProgram(json: NftJson | string, table?: string, ctState: CtState = 'new'): Omit<NftRead, 'tuples' | 'policy'> {
  const doc = (typeof json === 'string' ? JSON.parse(json) : json) as NftJson;
  if (!doc || !Array.isArray(doc.nftables)) throw new ReaderError('not nft JSON: no "nftables" array');
  const objects = doc.nftables;
  const tables = objects.filter((o) => isObj(o.table)).map((o) => o.table as Obj);
  const chosen = table === undefined ? tables : tables.filter((t) => t.name === table);
  if (chosen.length !== 1) {
    throw new ReaderError(`expected exactly one table${table ? ` named ${table}` : ''}, found ${tables.map((t) => `${t.family} ${t.name}`).join(', ') || 'none'}`);
  }
  const tname = chosen[0]!.name as string;
  const tfamily = chosen[0]!.family as string;
  if (!['inet', 'ip', 'ip6'].includes(tfamily)) throw new ReaderError(`table family ${tfamily} is not modelled`);
  const mine = (o: Obj) => o.table === tname && o.family === tfamily;

  const sets = new Map<string, NftSet>();
  for (const o of objects) {
    const s = o.set;
    if (!isObj(s) || !mine(s)) continue;
    sets.set(s.name as string, readSet(s));
  }
  if (objects.some((o) => isObj(o.map) && mine(o.map as Obj))) throw new ReaderError('maps are not modelled');

  const program: ChainProgram = { chains: new Map(), hooks: [] };
  for (const o of objects) {
    const c = o.chain;
    if (!isObj(c) || !mine(c)) continue;
    const name = c.name as string;
    program.chains.set(name, []);
    if (c.hook === undefined) continue;
    if (c.type !== 'filter') throw new ReaderError(`base chain ${name}: type ${String(c.type)} is not modelled`);
    const direction = HOOK_DIRECTION[c.hook as string];
    if (!direction) throw new ReaderError(`base chain ${name}: hook ${String(c.hook)} is not modelled`);
    const policy = c.policy ?? 'accept';
    if (policy !== 'accept' && policy !== 'drop') throw new ReaderError(`base chain ${name}: policy ${String(policy)}`);
    program.hooks.push({
      direction,
      chain: name,
      policy,
      ...(tfamily === 'ip' ? { family: 4 as const } : tfamily === 'ip6' ? { family: 6 as const } : {}),
      ...(typeof c.prio === 'number' ? { priority: c.prio } : {}),
    });
  }
  for (const o of objects) {
    const r = o.rule;
    if (!isObj(r) || !mine(r)) continue;
    const chain = program.chains.get(r.chain as string);
    if (!chain) throw new ReaderError(`rule in unknown chain ${String(r.chain)}`);
    const read = readRule(r, sets, ctState);
    read.where = { chain: r.chain as string, position: chain.length + 1, ...(typeof r.handle === 'number' ? { handle: r.handle } : {}) };
    chain.push(read);
  }
  return { table: tname, family: tfamily, program };
}

function readSet(s: Obj): NftSet {
  const name = s.name as string;
  const type = s.type;
  const elems = Array.isArray(s.elem) ? s.elem : s.elem === undefined ? [] : [s.elem];
  if (type === 'ipv4_addr' || type === 'ipv6_addr') {
    const family: Family = type === 'ipv4_addr' ? 4 : 6;
    return { name, type, addresses: { family, intervals: addressValues(elems, family, `set ${name}`) } };
  }
  if (type === 'inet_service') return { name, type, ports: portValues(elems, `set ${name}`) };
  throw new ReaderError(`set ${name}: type ${show(type)} is not modelled`);
}

/** An element as it appears in a set or an anonymous set: the value, unwrapped from `elem`. */
function unwrap(e: unknown): unknown {
  if (isObj(e) && isObj(e.elem)) {
    const inner = e.elem as Obj;
    if (inner.val === undefined) throw new ReaderError(`element without a value: ${show(e)}`);
    return inner.val;
  }
  return e;
}

function addressValues(values: unknown[], family: Family, where: string): Interval[] {
  const out: Interval[] = [];
  for (const raw of values) {
    const v = unwrap(raw);
    let text: string;
    if (typeof v === 'string') text = v;
    else if (isObj(v) && isObj(v.prefix)) text = `${String((v.prefix as Obj).addr)}/${String((v.prefix as Obj).len)}`;
    else if (isObj(v) && Array.isArray(v.range) && v.range.length === 2) text = `${String(v.range[0])}-${String(v.range[1])}`;
    else throw new ReaderError(`${where}: address ${show(v)} is not modelled`);
    const item = parseAddressItem(text);
    if (item.family !== family) throw new ReaderError(`${where}: ${text} is not an IPv${family} address`);
    out.push(item.interval);
  }
  return mergeIntervals(out);
}

function portNumber(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ReaderError(`${where}: port ${show(v)} is not modelled`);
  return n;
}

function portValues(values: unknown[], where: string): TuplePortRange[] {
  return values.map((raw) => {
    const v = unwrap(raw);
    if (isObj(v) && Array.isArray(v.range) && v.range.length === 2) return { from: portNumber(v.range[0], where), to: portNumber(v.range[1], where) };
    const n = portNumber(v, where);
    return { from: n, to: n };
  });
}

/** The values of a match's right-hand side: a list for an anonymous set, else one value. */
function rightValues(right: unknown): unknown[] {
  if (isObj(right) && Array.isArray(right.set)) return right.set;
  return [right];
}

const L4: Record<string, NonNullable<Cond['protocol']>> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', 'ipv6-icmp': 'icmp6', icmpv6: 'icmp6', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmp6' };

function readRule(r: Obj, sets: Map<string, NftSet>, ctState: CtState): ChainRule {
  const text = `chain ${String(r.chain)} handle ${String(r.handle)}: ${show(r.expr)}`;
  const exprs = Array.isArray(r.expr) ? (r.expr as unknown[]) : [];
  let cond: Cond | undefined = {};
  let action: Action | undefined;
  let limited = false;
  const add = (c: Cond | undefined) => {
    // Conditions are a conjunction: merge field by field (a repeated field intersects).
    cond = cond && c ? conj(cond, c) : undefined;
  };
  for (const e of exprs) {
    if (action) break; // after a verdict nothing runs
    if (!isObj(e)) throw new ReaderError(`${text}: expression ${show(e)}`);
    const [key] = Object.keys(e);
    const val = e[key!];
    switch (key) {
      case 'match':
        add(readMatch(val as Obj, sets, text, ctState));
        break;
      case 'accept':
        action = { kind: 'accept' };
        break;
      case 'drop':
      case 'reject':
        action = { kind: 'drop' };
        break;
      case 'jump':
        action = { kind: 'jump', chain: String((val as Obj).target) };
        break;
      case 'return':
        action = { kind: 'return' };
        break;
      case 'continue':
        action = { kind: 'continue' };
        break;
      case 'limit':
        limited = true;
        break;
      case 'log':
      case 'counter':
        break;
      default:
        throw new ReaderError(`${text}: statement ${key} is not modelled`);
    }
  }
  if (!action) return { cond, action: { kind: 'continue' }, text };
  if (limited && action.kind !== 'continue') throw new ReaderError(`${text}: a limit before a verdict makes it rate-dependent`);
  return { cond, action, text };
}


function readMatch(m: Obj, sets: Map<string, NftSet>, text: string, ctState: CtState): Cond | undefined {
  const op = m.op;
  const left = m.left;
  const right = m.right;
  if (!isObj(left)) throw new ReaderError(`${text}: match on ${show(left)}`);
  if (isObj(left.ct)) {
    const key = (left.ct as Obj).key;
    if (key !== 'state') throw new ReaderError(`${text}: ct ${String(key)} is not modelled`);
    const states = (Array.isArray(right) ? right : rightValues(right)).map(String);
    const holds = states.includes(ctState);
    if (op === '==' || op === 'in') return holds ? {} : undefined;
    if (op === '!=') return holds ? undefined : {};
    throw new ReaderError(`${text}: ct state ${String(op)}`);
  }
  if (op !== '==' && op !== 'in') throw new ReaderError(`${text}: operator ${String(op)} is not modelled`);
  if (isObj(left.meta)) {
    const key = (left.meta as Obj).key as string;
    const vals = rightValues(right).map(String);
    if (key === 'l4proto') {
      if (vals.length !== 1) throw new ReaderError(`${text}: meta l4proto with several values is not modelled`);
      const p = L4[vals[0]!];
      if (p) return { protocol: p };
      if (/^[0-9]+$/.test(vals[0]!)) return { protocol: `ip-${vals[0]}` as NonNullable<Cond['protocol']> };
      throw new ReaderError(`${text}: l4proto ${vals[0]}`);
    }
    if (key === 'nfproto') {
      if (vals.length !== 1 || !['ipv4', 'ipv6'].includes(vals[0]!)) throw new ReaderError(`${text}: nfproto ${vals.join(',')}`);
      return { family: vals[0] === 'ipv4' ? 4 : 6 };
    }
    if (['iif', 'iifname', 'oif', 'oifname'].includes(key)) {
      if (vals.length !== 1 || vals[0]!.includes('*')) throw new ReaderError(`${text}: meta ${key} ${vals.join(',')}`);
      return key.startsWith('i') ? { iface: vals[0]! } : { outIface: vals[0]! };
    }
    throw new ReaderError(`${text}: meta ${key} is not modelled`);
  }
  if (isObj(left.payload)) {
    const { protocol, field } = left.payload as { protocol?: string; field?: string };
    if ((protocol === 'ip' || protocol === 'ip6') && (field === 'saddr' || field === 'daddr')) {
      const family: Family = protocol === 'ip' ? 4 : 6;
      const intervals = addressesOf(right, family, sets, text);
      return { family, [field === 'saddr' ? 'src' : 'dst']: intervals };
    }
    if ((protocol === 'tcp' || protocol === 'udp') && (field === 'sport' || field === 'dport')) {
      const ports = portsOf(right, sets, text);
      return { protocol, [field === 'sport' ? 'srcPorts' : 'dstPorts']: ports };
    }
    if ((protocol === 'icmp' || protocol === 'icmpv6') && field === 'type') {
      const family: Family = protocol === 'icmp' ? 4 : 6;
      const types = rightValues(right).map((v) => icmpTypeNumber('nft', family, String(v)));
      return { family, protocol: family === 4 ? 'icmp' : 'icmp6', icmpTypes: types };
    }
    if ((protocol === 'ip6' && field === 'hoplimit') || (protocol === 'ip' && field === 'ttl')) {
      return { family: protocol === 'ip' ? 4 : 6, extra: [`${protocol} ${field} == ${rightValues(right).map(String).join(',')}`] };
    }
    throw new ReaderError(`${text}: payload ${String(protocol)} ${String(field)} is not modelled`);
  }
  throw new ReaderError(`${text}: match on ${show(left)} is not modelled`);
}

function addressesOf(right: unknown, family: Family, sets: Map<string, NftSet>, text: string): Interval[] {
  if (typeof right === 'string' && right.startsWith('@')) {
    const s = sets.get(right.slice(1));
    if (!s?.addresses) throw new ReaderError(`${text}: ${right} is not an address set of the table`);
    if (s.addresses.family !== family) throw new ReaderError(`${text}: ${right} holds IPv${s.addresses.family} addresses`);
    return s.addresses.intervals;
  }
  return addressValues(rightValues(right), family, text);
}

function portsOf(right: unknown, sets: Map<string, NftSet>, text: string): TuplePortRange[] {
  if (typeof right === 'string' && right.startsWith('@')) {
    const s = sets.get(right.slice(1));
    if (!s?.ports) throw new ReaderError(`${text}: ${right} is not a port set of the table`);
    return s.ports;
  }
  return portValues(rightValues(right), text);
}
