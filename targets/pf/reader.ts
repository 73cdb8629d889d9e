import { complementIntervals, hostsIntervals, type PfAddressContext } from './readerAddresses.js';
import { intervalsToCidrs, normalizePorts, familyOf, parseAddressItem, type Interval } from '../readers/normalize.js';
import { icmpTypeNumber } from '../readers/icmp-types.js';
import { Cursor, PfError, tokenizePf, type Token } from './readerLexer.js';
import type { Tuple, TupleDirection, TupleProtocol, TuplePortRange } from '../readers/tuple.js';

export { PfError, tokenizePf };

/**
 * A reader for pf.conf(5) rulesets as loaded into an anchor (`pfctl -a NAME -f FILE`): tables,
 * macros and `pass`/`block` filter rules, lexed as pfctl lexes (readerLexer.ts). The parser covers
 * the filter-rule grammar a firewall policy uses — negation, `self` and negated table entries
 * included (readerAddresses.ts says what they match) — and refuses the rest (interface addresses,
 * user/group, route-to, …) rather than guess.
 *
 * Semantics of the opening packet of a connection, as tuples: pf uses the LAST matching rule
 * unless a rule is `quick`. As a first-match list that is every quick rule in file order, then
 * every non-quick rule in reverse order; a packet no rule matches passes. A rule without
 * `in`/`out` applies to both directions, or, read as a gateway's anchor (`forward: true`), to
 * forwarded traffic. What happens to the packets after it — states, replies, a forwarded packet
 * judged on both interfaces, TCP flags — is readerFilter.ts's.
 */
export interface PfHost {
  kind: 'any' | 'table' | 'address' | 'self';
  text: string;
  /** `! host`: every address the host is not (readerAddresses.ts: per element of a list). */
  negated?: boolean;
}

export interface PfPortOp {
  op: '=' | '<' | '<=' | '>' | '>=' | '><' | ':';
  a: number;
  b?: number;
}

export interface PfRule {
  line: number;
  action: 'pass' | 'block';
  blockMode?: string;
  direction?: 'in' | 'out';
  log: boolean;
  quick: boolean;
  ifaces?: string[];
  af?: 4 | 6;
  protos?: string[];
  src: { hosts: PfHost[]; ports?: PfPortOp[] };
  dst: { hosts: PfHost[]; ports?: PfPortOp[] };
  flags?: string;
  icmpTypes?: string[];
  icmp6Types?: string[];
  state?: 'keep' | 'no' | 'modulate' | 'synproxy';
  label?: string;
}

export interface PfRuleset {
  tables: Map<string, string[]>;
  macros: Map<string, string>;
  rules: PfRule[];
}

export function parsePf(text: string): PfRuleset {
  const macros = new Map<string, string>();
  const tables = new Map<string, string[]>();
  const rules: PfRule[] = [];
  // Macros must be known before the lines that use them are lexed: lex statement by statement.
  const statements = splitStatements(text);
  for (const st of statements) {
    const toks = tokenizePf(st.text, macros).map((t) => ({ ...t, line: t.line + st.line - 1 }));
    const c = new Cursor(toks);
    c.skipNewlines();
    if (c.atEnd()) continue;
    const first = c.peek()!;
    if (first.kind === 'word' && c.is('=', 1)) {
      c.next();
      c.next();
      const parts: string[] = [];
      while (!c.atEnd()) parts.push(c.next().text);
      macros.set(first.text, parts.join(' '));
      continue;
    }
    if (c.is('table')) {
      parseTable(c, tables);
    } else if (c.is('pass') || c.is('block')) {
      rules.push(parseRule(c));
    } else {
      throw new PfError(first.line, `${first.text}: only tables, macros and pass/block rules belong in a msgr anchor`);
    }
    c.skipNewlines();
    if (!c.atEnd()) throw new PfError(c.peek()!.line, `unexpected ${JSON.stringify(c.peek()!.text)}`);
  }
  for (const r of rules) {
    for (const h of [...r.src.hosts, ...r.dst.hosts]) {
      if (h.kind === 'table' && !tables.has(h.text)) throw new PfError(r.line, `table <${h.text}> is not defined in this anchor`);
    }
  }
  return { tables, macros, rules };
}

/**
 * Statements end at a newline outside `{ }` (pfctl allows newlines inside braces in lists).
 * Comments and continuations are left to the lexer: only brace depth is tracked here, and a
 * brace inside a comment or quotes does not count.
 */
function splitStatements(text: string): { line: number; text: string }[] {
  const joined = text;
  const out: { line: number; text: string }[] = [];
  let depth = 0;
  let cur = '';
  let start = 1;
  let line = 1;
  let quote: string | undefined;
  let comment = false;
  for (let k = 0; k < joined.length; k++) {
    const c = joined[k]!;
    cur += c;
    if (c === '\\' && joined[k + 1] === '\n') {
      cur += '\n';
      k++;
      line++;
      continue;
    }
    if (c === '\n') {
      line++;
      comment = false;
      if (quote) quote = undefined; // the lexer reports it
      if (depth === 0) {
        out.push({ line: start, text: cur });
        cur = '';
        start = line;
      }
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#') comment = true;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
  }
  if (cur) out.push({ line: start, text: cur });
  return out;
}

function parseTable(c: Cursor, tables: Map<string, string[]>) {
  const t = c.expect('table');
  c.expect('<');
  const name = c.word('a table name').text;
  c.expect('>');
  if (name.length > 31) throw new PfError(t.line, `table name ${name} is longer than 31 characters`);
  if (tables.has(name)) throw new PfError(t.line, `table <${name}> defined twice`);
  const entries: string[] = [];
  while (!c.atEnd()) {
    if (c.accept('persist') || c.accept('const') || c.accept('counters')) continue;
    if (c.is('file')) throw new PfError(t.line, 'table file "…" cannot be read here');
    if (c.accept('{')) {
      for (;;) {
        c.skipNewlines();
        if (c.accept('}')) break;
        if (c.accept(',')) continue;
        const negated = c.accept('!') ? '!' : '';
        entries.push(negated + (c.accept('self') ? 'self' : address(c)));
      }
      continue;
    }
    throw new PfError(c.peek()!.line, `unexpected ${JSON.stringify(c.peek()!.text)} in table <${name}>`);
  }
  tables.set(name, entries);
}

/** An address, as one or three tokens (`10.0.0.0`, `/`, `8`). Host names are refused. */
function address(c: Cursor): string {
  const t = c.word('an address');
  let text = t.text;
  if (c.accept('/')) text += `/${c.word('a prefix length').text}`;
  if (!familyOf(text)) {
    throw new PfError(t.line, `${text} is not an address (host and interface names resolve at load time and cannot be read here)`);
  }
  parseAddressItem(text);
  return text;
}

const BLOCK_MODES = ['drop', 'return', 'return-rst', 'return-icmp', 'return-icmp6'];
const UNSUPPORTED_OPTS = ['user', 'group', 'route-to', 'reply-to', 'dup-to', 'rdr-to', 'nat-to', 'divert-to', 'tagged', 'received-on', 'rtable', 'probability', 'os', 'once', 'prio', 'set'];

function parseRule(c: Cursor): PfRule {
  const first = c.next();
  const rule: PfRule = { line: first.line, action: first.text as 'pass' | 'block', log: false, quick: false, src: { hosts: [] }, dst: { hosts: [] } };
  if (rule.action === 'block') {
    const m = c.peek();
    if (m && m.kind === 'word' && BLOCK_MODES.includes(m.text)) {
      rule.blockMode = c.next().text;
      if (c.is('(')) skipParens(c);
    }
  }
  // dir, log, quick (pfctl accepts log and quick in either order).
  for (;;) {
    if (!rule.direction && (c.is('in') || c.is('out'))) rule.direction = c.next().text as 'in' | 'out';
    else if (c.accept('log')) {
      rule.log = true;
      if (c.is('(')) skipParens(c);
    } else if (c.accept('quick')) rule.quick = true;
    else break;
  }
  if (c.accept('on')) {
    if (c.accept('{')) {
      rule.ifaces = [];
      while (!c.accept('}')) {
        if (c.accept(',')) continue;
        if (c.is('!')) throw new PfError(first.line, 'negated interfaces are not modelled');
        rule.ifaces.push(c.word('an interface').text);
      }
    } else {
      if (c.is('!')) throw new PfError(first.line, 'negated interfaces are not modelled');
      rule.ifaces = [c.word('an interface').text];
    }
  }
  if (c.accept('inet')) rule.af = 4;
  else if (c.accept('inet6')) rule.af = 6;
  if (c.accept('proto')) {
    rule.protos = [];
    if (c.accept('{')) {
      while (!c.accept('}')) {
        if (c.accept(',')) continue;
        rule.protos.push(c.word('a protocol').text.toLowerCase());
      }
    } else rule.protos.push(c.word('a protocol').text.toLowerCase());
  }
  if (c.accept('all')) {
    // from any to any
  } else {
    if (c.accept('from')) {
      rule.src.hosts = hosts(c);
      if (c.accept('port')) rule.src.ports = portSpec(c);
    }
    if (c.accept('to')) {
      rule.dst.hosts = hosts(c);
      if (c.accept('port')) rule.dst.ports = portSpec(c);
    }
  }
  if (!rule.src.hosts.length) rule.src.hosts = [{ kind: 'any', text: 'any' }];
  if (!rule.dst.hosts.length) rule.dst.hosts = [{ kind: 'any', text: 'any' }];

  while (!c.atEnd()) {
    const t = c.next();
    if (t.kind === 'string') throw new PfError(t.line, `unexpected string ${JSON.stringify(t.text)}`);
    switch (t.text) {
      case 'flags': {
        if (c.accept('any')) {
          rule.flags = 'any';
          break;
        }
        let f = c.peek()?.kind === 'word' ? c.next().text : '';
        c.expect('/');
        f += `/${c.word('tcp flags').text}`;
        rule.flags = f;
        break;
      }
      case 'icmp-type':
      case 'icmp6-type': {
        const types = c.accept('{') ? listUntilBrace(c) : [c.word('an ICMP type').text];
        if (c.is('code')) throw new PfError(t.line, 'ICMP codes are not modelled');
        if (t.text === 'icmp-type') rule.icmpTypes = types;
        else rule.icmp6Types = types;
        break;
      }
      case 'keep':
      case 'modulate':
      case 'synproxy':
        c.expect('state');
        rule.state = t.text as PfRule['state'];
        if (c.is('(')) skipParens(c);
        break;
      case 'no':
        c.expect('state');
        rule.state = 'no';
        break;
      case 'label': {
        const l = c.next();
        if (l.kind !== 'string' && l.kind !== 'word') throw new PfError(l.line, 'label needs a string');
        if (l.text.length > 63) throw new PfError(l.line, 'label longer than 63 characters');
        rule.label = l.text;
        break;
      }
      case 'tag':
        c.next();
        break;
      case 'allow-opts':
        break;
      default:
        if (UNSUPPORTED_OPTS.includes(t.text)) throw new PfError(t.line, `${t.text} is not modelled`);
        throw new PfError(t.line, `unexpected ${JSON.stringify(t.text)} in a filter rule`);
    }
  }
  if (rule.action === 'pass' && rule.state === undefined) rule.state = 'keep';
  const tcpOnly = rule.protos?.every((p) => p === 'tcp' || p === '6');
  if ((rule.src.ports || rule.dst.ports) && !rule.protos?.every((p) => ['tcp', 'udp', '6', '17'].includes(p))) {
    throw new PfError(rule.line, 'port numbers need proto tcp or udp');
  }
  if (rule.flags && rule.flags !== 'any' && rule.flags !== 'S/SA' && tcpOnly) {
    throw new PfError(rule.line, `flags ${rule.flags} select packets inside connections and are not modelled`);
  }
  return rule;
}

function skipParens(c: Cursor) {
  c.expect('(');
  let depth = 1;
  while (depth > 0) {
    const t = c.next();
    if (t.text === '(' && t.kind === 'op') depth++;
    if (t.text === ')' && t.kind === 'op') depth--;
  }
}

function listUntilBrace(c: Cursor): string[] {
  const out: string[] = [];
  for (;;) {
    c.skipNewlines();
    if (c.accept('}')) return out;
    if (c.accept(',')) continue;
    out.push(c.word('a list item').text);
  }
}

function hosts(c: Cursor): PfHost[] {
  if (c.accept('{')) {
    const out: PfHost[] = [];
    for (;;) {
      c.skipNewlines();
      if (c.accept('}')) return out;
      if (c.accept(',')) continue;
      out.push(host(c));
    }
  }
  return [host(c)];
}

function host(c: Cursor): PfHost {
  const t = c.peek()!;
  // parse.y: `ipspec: ANY | xhost | '{' host_list '}'`, `xhost: not host`: no `! any`.
  if (c.accept('any')) return { kind: 'any', text: 'any' };
  const negated = c.accept('!');
  if (negated && c.is('any')) throw new PfError(t.line, '! any is not pf syntax');
  const h = plainHost(c);
  return negated ? { ...h, negated } : h;
}

function plainHost(c: Cursor): PfHost {
  const t = c.peek()!;
  if (c.accept('<')) {
    const name = c.word('a table name').text;
    c.expect('>');
    return { kind: 'table', text: name };
  }
  if (c.accept('self')) return { kind: 'self', text: 'self' };
  if (c.is('(')) throw new PfError(t.line, 'interface addresses are not modelled');
  if (['any', 'no-route', 'urpf-failed', 'route'].includes(t.text)) throw new PfError(t.line, `${t.text} is not modelled`);
  return { kind: 'address', text: address(c) };
}

function portSpec(c: Cursor): PfPortOp[] {
  if (c.accept('{')) {
    const out: PfPortOp[] = [];
    for (;;) {
      c.skipNewlines();
      if (c.accept('}')) return out;
      if (c.accept(',')) continue;
      out.push(portItem(c));
    }
  }
  return [portItem(c)];
}

function portItem(c: Cursor): PfPortOp {
  const t = c.next();
  const num = (tok: Token): number => {
    if (!/^[0-9]+$/.test(tok.text) || Number(tok.text) > 65535) {
      throw new PfError(tok.line, `port ${tok.text} is not a number (service names depend on /etc/services)`);
    }
    return Number(tok.text);
  };
  if (t.kind === 'op') {
    if (t.text === '!=') throw new PfError(t.line, 'port != is not modelled');
    if (['=', '<', '<=', '>', '>='].includes(t.text)) return { op: t.text as PfPortOp['op'], a: num(c.next()) };
    throw new PfError(t.line, `unexpected ${t.text} in a port list`);
  }
  const range = t.text.match(/^([0-9]+):([0-9]+)$/);
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (a > 65535 || b > 65535 || a > b) throw new PfError(t.line, `bad port range ${t.text}`);
    return { op: ':', a, b };
  }
  const a = num(t);
  if (c.is('><')) {
    c.next();
    return { op: '><', a, b: num(c.next()) };
  }
  if (c.is('<>')) throw new PfError(t.line, 'port a <> b (outside a range) is not modelled');
  return { op: '=', a };
}

export function portRanges(ops: PfPortOp[] | undefined): TuplePortRange[] | 'any' {
  if (!ops) return 'any';
  const ranges: TuplePortRange[] = [];
  for (const o of ops) {
    if (o.op === '=') ranges.push({ from: o.a, to: o.a });
    else if (o.op === ':') ranges.push({ from: o.a, to: o.b! });
    else if (o.op === '><') {
      if (o.b! - o.a >= 2) ranges.push({ from: o.a + 1, to: o.b! - 1 });
    } else if (o.op === '<') {
      if (o.a > 0) ranges.push({ from: 0, to: o.a - 1 });
    } else if (o.op === '<=') ranges.push({ from: 0, to: o.a });
    else if (o.op === '>') {
      if (o.a < 65535) ranges.push({ from: o.a + 1, to: 65535 });
    } else ranges.push({ from: o.a, to: 65535 });
  }
  return ranges.length ? normalizePorts(ranges) : [];
}

export const PROTOCOL: Record<string, TupleProtocol> = {
  tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', 'ipv6-icmp': 'icmp6', icmp6: 'icmp6', '58': 'icmp6',
};

export interface PfReadOptions {
  /** The anchor filters forwarded traffic: direction-less rules become `forward` tuples, and rules with a direction are refused (they would filter only half the path). */
  forward?: boolean;
  /**
   * The machine's own addresses, what `self` stands for (readerAddresses.ts). Absent: none inside
   * any table or rule, so a table's `!self` takes nothing out of it (an anchor that names `self`
   * positively then needs them: the reader refuses to guess).
   */
  self?: string[];
}

/** The ruleset as tuples in first-match order (quick rules as written, then the others reversed). */
export function pfTuples(rs: PfRuleset, opts: PfReadOptions = {}): Tuple[] {
  const ordered = [...rs.rules.filter((r) => r.quick), ...rs.rules.filter((r) => !r.quick).reverse()];
  const ctx: PfAddressContext = { ruleset: rs, self: opts.self ?? [] };
  return ordered.flatMap((r) => ruleTuples(ctx, r, opts));
}

function ruleTuples(ctx: PfAddressContext, r: PfRule, opts: PfReadOptions): Tuple[] {
  let directions: TupleDirection[];
  if (opts.forward) {
    if (r.direction) throw new PfError(r.line, `a gateway rule with direction ${r.direction} filters only half of the forwarded path`);
    directions = ['forward'];
  } else directions = r.direction ? [r.direction] : ['in', 'out'];
  const protos: TupleProtocol[] = r.protos === undefined ? ['any'] : r.protos.map((p) => {
    const known = PROTOCOL[p];
    if (known) return known;
    if (/^[0-9]+$/.test(p)) return `ip-${p}` as TupleProtocol;
    throw new PfError(r.line, `protocol ${p} is not understood`);
  });
  const side = (hosts: PfHost[], family: 4 | 6): string[] | 'any' => {
    const held = hostsIntervals(ctx, hosts, family, r.line);
    return sameIntervals(held, complementIntervals([], family)) ? 'any' : intervalsToCidrs(held, family);
  };
  const srcPorts = portRanges(r.src.ports);
  const dstPorts = portRanges(r.dst.ports);
  if ((srcPorts !== 'any' && !srcPorts.length) || (dstPorts !== 'any' && !dstPorts.length)) return [];
  const out: Tuple[] = [];
  for (const direction of directions) {
    for (const protocol of protos) {
      for (const family of r.af ? [r.af] : ([4, 6] as const)) {
        if ((protocol === 'icmp' && family === 6) || (protocol === 'icmp6' && family === 4)) continue;
        const src = side(r.src.hosts, family);
        const dst = side(r.dst.hosts, family);
        if ((src !== 'any' && !src.length) || (dst !== 'any' && !dst.length)) continue;
        const t: Tuple = {
          direction,
          action: r.action === 'pass' ? 'accept' : 'drop',
          protocol,
          family,
          src,
          dst,
          srcPorts: protocol === 'tcp' || protocol === 'udp' ? srcPorts : 'any',
          dstPorts: protocol === 'tcp' || protocol === 'udp' ? dstPorts : 'any',
        };
        if (r.ifaces) {
          if (r.ifaces.length !== 1) throw new PfError(r.line, 'rules on several interfaces are not modelled');
          t.iface = r.ifaces[0]!;
        }
        const types = protocol === 'icmp' ? r.icmpTypes : protocol === 'icmp6' ? r.icmp6Types : undefined;
        if (types) t.icmpTypes = types.map((x) => icmpTypeNumber('pf', family, x));
        out.push(t);
      }
    }
  }
  return out;
}

const sameIntervals = (a: readonly Interval[], b: readonly Interval[]) => a.length === b.length && a.every((x, i) => x.first === b[i]!.first && x.last === b[i]!.last);

export function readPf(text: string, opts: PfReadOptions = {}): { ruleset: PfRuleset; tuples: Tuple[] } {
  const ruleset = parsePf(text);
  return { ruleset, tuples: pfTuples(ruleset, opts) };
}
