import grammar from './grammar.generated.js';
import type { MsgrToken } from './lexer.js';
import { Scanner, SCAN_GIVE_UP } from './scan.js';
import type { Deployment } from './ast.js';
import { append, first } from './build.js';

/**
 * A fast path for well-formed policies: a recursive-descent reading of grammar/msgr.ne that
 * builds the tree with the grammar's own post-processors, so it yields exactly the tree nearley
 * yields. nearley's Earley parser keeps the whole chart of a parse alive and was the compiler's
 * largest cost on a large policy (about 1.7 MB/s here); this, with its own scanner (scan.ts),
 * reads 6–11 MB/s (bench/results/latest.md).
 *
 * It is only a shortcut: at the first token it does not expect it gives up (undefined), and the
 * caller parses with nearley, which reports every syntax error as before. It is used only while
 * the compiled grammar has exactly the rules it was written for (`EXPECTED_RULES`): a change to
 * grammar/msgr.ne turns it off until it is brought in step (a test checks it is on).
 */

/** The compiled grammar's rules, one line each: `name -> symbols`, as `ruleSignature` writes them. */
const EXPECTED_RULES = `
main -> deployment
deployment -> "deployment" name "{" items "}"
items ->
items -> itemList
itemList -> item
itemList -> itemList %nl item
item -> "description" %string
item -> "network" name "=" members
item -> "server" name "{" serverStmts "}"
item -> "clients" name "{" clientsStmts "}"
item -> "firewall" name "{" firewallStmts "}"
members -> member
members -> members "," member
member -> name
member -> address
serverStmts ->
serverStmts -> serverList
serverList -> serverStmt
serverList -> serverList %nl serverStmt
serverStmt -> "sip" name
serverStmt -> "sip" name "port" number
clientsStmts ->
clientsStmts -> clientsList
clientsList -> clientsStmt
clientsList -> clientsList %nl clientsStmt
clientsStmt -> "server" name "via" name
clientsStmt -> "features" names
clientsStmt -> "sip" "dynamic" "ports" range
clientsStmt -> "media" "ports" range
clientsStmt -> "peers" names
clientsStmt -> "client" name
firewallStmts ->
firewallStmts -> firewallList
firewallList -> firewallStmt
firewallList -> firewallList %nl firewallStmt
firewallStmt -> "on" name
firewallStmt -> "between" names "and" name
firewallStmt -> "targets" names
firewallStmt -> "default" name
firewallStmt -> "outbound" name
firewallStmt -> "others" name
firewallStmt -> "log" "denied"
firewallStmt -> ruleAction name ports ruleEnds
firewallStmt -> ruleAction name names ruleEnds
ruleAction -> "allow"
ruleAction -> "deny"
ports ->
ports -> rangeList
rangeList -> range
rangeList -> rangeList "," range
ruleEnds -> "from" members
ruleEnds -> "to" members
ruleEnds -> "from" members "to" members
names -> name
names -> names "," name
range -> number
range -> number "-" number
name -> %word
number -> %number
address -> %ipv4
address -> %ipv6
`;

type Rule = (typeof grammar)['ParserRules'][number];
type Symbol = Rule['symbols'][number];

function symbolText(s: Symbol): string {
  if (typeof s === 'string') return s;
  const o = s as { literal?: string; type?: string };
  if (o.literal !== undefined) return JSON.stringify(o.literal);
  if (o.type !== undefined) return `%${o.type}`;
  return '?';
}

const ruleSignature = (r: Rule) => `${r.name} ->${r.symbols.map((s) => ` ${symbolText(s)}`).join('')}`;

/** The grammar's rules by signature, or undefined when they are not exactly the expected ones. */
function rulesBySignature(): Map<string, Rule> | undefined {
  const expected = EXPECTED_RULES.trim().split('\n');
  const rules = grammar.ParserRules;
  if (grammar.ParserStart !== 'main' || rules.length !== expected.length) return undefined;
  const out = new Map<string, Rule>();
  for (let i = 0; i < rules.length; i++) {
    const sig = ruleSignature(rules[i]!);
    if (sig !== expected[i]) return undefined;
    out.set(sig, rules[i]!);
  }
  return out;
}

/**
 * Lists: `list -> one {% b.first %} | list SEP one {% b.append %}` build cons cells, which
 * `materialize` turns into arrays after a nearley parse. The fast path builds the arrays
 * directly (no cells, no walk over the finished tree), so it requires exactly those
 * post-processors, and `outer -> list {% id %}` for the lists a block may leave empty.
 */
const LISTS: [list: string, one: string, sep: string, outer?: string][] = [
  ['itemList', 'item', '%nl', 'items'],
  ['members', 'member', '","'],
  ['serverList', 'serverStmt', '%nl', 'serverStmts'],
  ['clientsList', 'clientsStmt', '%nl', 'clientsStmts'],
  ['firewallList', 'firewallStmt', '%nl', 'firewallStmts'],
  ['rangeList', 'range', '","', 'ports'],
  ['names', 'name', '","'],
];

function listsAreArrays(rules: Map<string, Rule>): boolean {
  const post = (sig: string) => rules.get(sig)?.postprocess;
  const probe = {};
  const isId = (f: Rule['postprocess']) => f !== undefined && f([probe], 0, {}) === probe;
  return LISTS.every(
    ([list, one, sep, outer]) =>
      post(`${list} -> ${one}`) === first &&
      post(`${list} -> ${list} ${sep} ${one}`) === append &&
      (outer === undefined || isId(post(`${outer} -> ${list}`))),
  );
}

const RULES = ((rules) => (rules && listsAreArrays(rules) ? rules : undefined))(rulesBySignature());

/** Whether the fast path is on (the grammar is the one it was written for). */
export const fastPathEnabled = RULES !== undefined;

/** Raised inside the parser to give up; never escapes `parseFast`. */
const GIVE_UP = Symbol('give up');
/** nearley's reject marker for post-processors; none of ours uses it, but honour it. */
const REJECT = {};

type Data = unknown;

class FastParser {
  /** moo's tokens for a well-formed policy, read faster (scan.ts). */
  private readonly lexer: Scanner;
  private token: MsgrToken | undefined;
  /** Index of `token` in the token stream (nearley's `reference` for a rule starting there). */
  private index = 0;
  private readonly rules: Map<string, Rule>;

  constructor(text: string, rules: Map<string, Rule>) {
    this.rules = rules;
    this.lexer = new Scanner(text);
    this.token = this.lexer.next();
  }

  /** The rule's post-processor applied to its data, as nearley does on completing it. */
  private reduce(signature: string, start: number, d: Data[]): Data {
    const rule = this.rules.get(signature)!;
    if (!rule.postprocess) return d;
    const v = rule.postprocess(d, start, REJECT);
    if (v === REJECT) throw GIVE_UP;
    return v;
  }

  private advance(): MsgrToken {
    const t = this.token;
    if (t === undefined) throw GIVE_UP;
    this.token = this.lexer.next();
    this.index++;
    return t;
  }

  /** nearley matches a literal against the token's text, and %type against its type. */
  private isLiteral(text: string): boolean {
    return this.token !== undefined && this.token.text === text;
  }
  private isType(type: string): boolean {
    return this.token !== undefined && this.token.type === type;
  }
  private literal(text: string): MsgrToken {
    if (!this.isLiteral(text)) throw GIVE_UP;
    return this.advance();
  }
  private ofType(type: string): MsgrToken {
    if (!this.isType(type)) throw GIVE_UP;
    return this.advance();
  }

  parse(): Deployment {
    const start = this.index;
    const dep = this.deployment();
    if (this.token !== undefined) throw GIVE_UP;
    return this.reduce('main -> deployment', start, [dep]) as Deployment;
  }

  private deployment(): Data {
    const start = this.index;
    const kw = this.literal('deployment');
    const name = this.name();
    const open = this.literal('{');
    const items = this.list('items', () => this.item());
    const close = this.literal('}');
    return this.reduce('deployment -> "deployment" name "{" items "}"', start, [kw, name, open, items, close]);
  }

  /**
   * `outer -> ∅ | list` with `list -> one | list %nl one`: empty exactly when the block closes
   * at once (no statement starts with `}`).
   */
  private list(outer: string, parseOne: () => Data): Data {
    const start = this.index;
    if (this.isLiteral('}')) return this.reduce(`${outer} ->`, start, []);
    // `outer -> list {% id %}` and the list's first/append: the list itself, as an array.
    const items = [parseOne()];
    while (this.isType('nl')) {
      this.advance();
      items.push(parseOne());
    }
    return items;
  }

  /** `list -> one | list "," one` (first/append): the array of the items. */
  private commaList(parseOne: () => Data): Data {
    const items = [parseOne()];
    while (this.isLiteral(',')) {
      this.advance();
      items.push(parseOne());
    }
    return items;
  }

  private item(): Data {
    const start = this.index;
    const t = this.token;
    if (t === undefined) throw GIVE_UP;
    switch (t.text) {
      case 'description': {
        const kw = this.advance();
        return this.reduce('item -> "description" %string', start, [kw, this.ofType('string')]);
      }
      case 'network': {
        const kw = this.advance();
        const name = this.name();
        const eq = this.literal('=');
        const members = this.commaList(() => this.member());
        return this.reduce('item -> "network" name "=" members', start, [kw, name, eq, members]);
      }
      case 'server':
        return this.block(start, 'server', 'serverStmts', () => this.serverStmt());
      case 'clients':
        return this.block(start, 'clients', 'clientsStmts', () => this.clientsStmt());
      case 'firewall':
        return this.block(start, 'firewall', 'firewallStmts', () => this.firewallStmt());
      default:
        throw GIVE_UP;
    }
  }

  private block(start: number, keyword: string, outer: string, parseOne: () => Data): Data {
    const kw = this.advance();
    const name = this.name();
    const open = this.literal('{');
    const body = this.list(outer, parseOne);
    const close = this.literal('}');
    return this.reduce(`item -> "${keyword}" name "{" ${outer} "}"`, start, [kw, name, open, body, close]);
  }

  private member(): Data {
    const start = this.index;
    if (this.isType('word')) return this.reduce('member -> name', start, [this.name()]);
    if (this.isType('ipv4') || this.isType('ipv6')) {
      const address = this.reduce(this.isType('ipv4') ? 'address -> %ipv4' : 'address -> %ipv6', start, [this.advance()]);
      return this.reduce('member -> address', start, [address]);
    }
    throw GIVE_UP;
  }

  private serverStmt(): Data {
    const start = this.index;
    const sip = this.literal('sip');
    const name = this.name();
    if (!this.isLiteral('port')) return this.reduce('serverStmt -> "sip" name', start, [sip, name]);
    const port = this.advance();
    return this.reduce('serverStmt -> "sip" name "port" number', start, [sip, name, port, this.number()]);
  }

  private clientsStmt(): Data {
    const start = this.index;
    const t = this.token;
    if (t === undefined) throw GIVE_UP;
    switch (t.text) {
      case 'server': {
        const kw = this.advance();
        const server = this.name();
        const via = this.literal('via');
        return this.reduce('clientsStmt -> "server" name "via" name', start, [kw, server, via, this.name()]);
      }
      case 'features': {
        const kw = this.advance();
        return this.reduce('clientsStmt -> "features" names', start, [kw, this.names()]);
      }
      case 'sip': {
        const kw = this.advance();
        const dynamic = this.literal('dynamic');
        const ports = this.literal('ports');
        return this.reduce('clientsStmt -> "sip" "dynamic" "ports" range', start, [kw, dynamic, ports, this.range()]);
      }
      case 'media': {
        const kw = this.advance();
        const ports = this.literal('ports');
        return this.reduce('clientsStmt -> "media" "ports" range', start, [kw, ports, this.range()]);
      }
      case 'peers': {
        const kw = this.advance();
        return this.reduce('clientsStmt -> "peers" names', start, [kw, this.names()]);
      }
      case 'client': {
        const kw = this.advance();
        return this.reduce('clientsStmt -> "client" name', start, [kw, this.name()]);
      }
      default:
        throw GIVE_UP;
    }
  }

  private firewallStmt(): Data {
    const start = this.index;
    const t = this.token;
    if (t === undefined) throw GIVE_UP;
    const oneName = (keyword: string) => {
      const kw = this.advance();
      return this.reduce(`firewallStmt -> "${keyword}" name`, start, [kw, this.name()]);
    };
    switch (t.text) {
      case 'on':
      case 'default':
      case 'outbound':
      case 'others':
        return oneName(t.text);
      case 'between': {
        const kw = this.advance();
        const zones = this.names();
        const and = this.literal('and');
        return this.reduce('firewallStmt -> "between" names "and" name', start, [kw, zones, and, this.name()]);
      }
      case 'targets': {
        const kw = this.advance();
        return this.reduce('firewallStmt -> "targets" names', start, [kw, this.names()]);
      }
      case 'log': {
        const kw = this.advance();
        return this.reduce('firewallStmt -> "log" "denied"', start, [kw, this.literal('denied')]);
      }
      case 'allow':
      case 'deny': {
        const action = this.reduce(`ruleAction -> "${t.text}"`, start, [this.advance()]);
        const protocol = this.name();
        // ICMP types: names, up to the ends' from/to. (`from`/`to` may also be a type's name,
        // `allow icmp from to X`: read as the ends here, that fails, and nearley reads it.)
        if (this.isType('word') && !this.isLiteral('from') && !this.isLiteral('to')) {
          return this.reduce('firewallStmt -> ruleAction name names ruleEnds', start, [action, protocol, this.names(), this.ruleEnds()]);
        }
        const portsStart = this.index;
        // `ports -> ∅ | rangeList`: a range starts with a number, the rule's ends with from/to.
        const ports = this.isType('number')
          ? this.commaList(() => this.range())
          : this.reduce('ports ->', portsStart, []);
        return this.reduce('firewallStmt -> ruleAction name ports ruleEnds', start, [action, protocol, ports, this.ruleEnds()]);
      }
      default:
        throw GIVE_UP;
    }
  }

  private ruleEnds(): Data {
    const start = this.index;
    const members = () => this.commaList(() => this.member());
    if (this.isLiteral('to')) {
      const to = this.advance();
      return this.reduce('ruleEnds -> "to" members', start, [to, members()]);
    }
    const from = this.literal('from');
    const a = members();
    if (!this.isLiteral('to')) return this.reduce('ruleEnds -> "from" members', start, [from, a]);
    const to = this.advance();
    return this.reduce('ruleEnds -> "from" members "to" members', start, [from, a, to, members()]);
  }

  private names(): Data {
    return this.commaList(() => this.name());
  }

  private range(): Data {
    const start = this.index;
    const from = this.number();
    if (!this.isLiteral('-')) return this.reduce('range -> number', start, [from]);
    const dash = this.advance();
    return this.reduce('range -> number "-" number', start, [from, dash, this.number()]);
  }

  private name(): Data {
    const start = this.index;
    return this.reduce('name -> %word', start, [this.ofType('word')]);
  }

  private number(): Data {
    const start = this.index;
    return this.reduce('number -> %number', start, [this.ofType('number')]);
  }
}

/**
 * The tree nearley would build for `text`, its lists already arrays (as `materialize` leaves
 * them), or undefined when the text is not a well-formed policy or the fast path is off: then
 * parse with nearley.
 */
export function parseFast(text: string): Deployment | undefined {
  if (!RULES) return undefined;
  try {
    return new FastParser(text, RULES).parse();
  } catch (e) {
    if (e === GIVE_UP || e === SCAN_GIVE_UP) return undefined;
    throw e; // a bug of ours: let it surface (the tests feed the fast path random policies)
  }
}
