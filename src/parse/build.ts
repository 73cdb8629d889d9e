// Post-processors of grammar/msgr.ne: turn nearley's match arrays into AST nodes.
import type { Token } from 'moo';
import type * as A from './ast.js';

type D = any[]; // nearley hands post-processors untyped arrays; the grammar fixes their shape.

const at = (t: Token) => ({ line: t.line, column: t.col });
const atNode = (n: A.Located | Token) => ('at' in n ? n.at : at(n as Token));

export const name = (d: D): A.Name => ({ at: at(d[0]), text: d[0].value });
export const number = (d: D): A.NumberLit => ({ at: at(d[0]), value: Number(d[0].value), text: d[0].value });

/**
 * Lists are built as cons cells and turned into arrays once, after the parse (`materialize`).
 * Earley completes every prefix of a list, so copying an array per element would cost O(n²);
 * appending in place would corrupt the shared prefixes. A cons cell per element is O(1).
 */
export interface Cons {
  cons: true;
  prev: Cons | null;
  value: unknown;
}
export const first = (d: D): Cons => ({ cons: true, prev: null, value: d[0] });
export const append = (d: D): Cons => ({ cons: true, prev: d[0], value: d[2] });

const isCons = (x: unknown): x is Cons => typeof x === 'object' && x !== null && (x as Cons).cons === true;

/** Replaces every cons list in a finished parse tree by an array, in place; returns the tree. */
export function materialize<T>(node: T): T {
  const stack: unknown[] = [node];
  while (stack.length) {
    const n = stack.pop();
    if (typeof n !== 'object' || n === null) continue;
    const obj = n as Record<string, unknown>;
    // for…in, not Object.keys: no array per node (the tree's nodes are plain object literals).
    for (const key in obj) {
      let v = obj[key];
      if (isCons(v)) {
        const arr: unknown[] = [];
        for (let c: Cons | null = v; c; c = c.prev) arr.push(c.value);
        v = obj[key] = arr.reverse();
      }
      if (typeof v === 'object' && v !== null && key !== 'at' && key !== 'end') stack.push(v);
    }
  }
  return node;
}

export const deployment = (d: D): A.Deployment => ({ at: at(d[0]), end: at(d[4]), name: d[1], items: d[3] });

export function description(d: D): A.DescriptionItem {
  const raw: string = d[1].value;
  return { kind: 'description', at: at(d[0]), text: raw.slice(1, -1).replace(/\\(["\\])/g, '$1') };
}

export const memberName = (d: D): A.AddressOrName => ({ kind: 'name', ...d[0] });
export const memberAddress = (d: D): A.AddressOrName => ({ kind: 'address', ...d[0] });

export const network = (d: D): A.NetworkItem => ({
  kind: 'network',
  at: at(d[0]),
  name: d[1],
  members: d[3],
});

export const server = (d: D): A.ServerItem => ({ kind: 'server', at: at(d[0]), end: at(d[4]), network: d[1], listeners: d[3] });

export function sip(d: D): A.SipListenerStmt {
  const s: A.SipListenerStmt = { kind: 'sip', at: at(d[0]), transport: d[1] };
  if (d[3]) s.port = d[3];
  return s;
}

export const clients = (d: D): A.ClientsItem => ({ kind: 'clients', at: at(d[0]), end: at(d[4]), network: d[1], statements: d[3] });
export const clientsServer = (d: D): A.ClientsStmt => ({ kind: 'server', at: at(d[0]), server: d[1], transport: d[3] });
export const features = (d: D): A.ClientsStmt => ({ kind: 'features', at: at(d[0]), features: d[1] });
export const sipDynamicPorts = (d: D): A.ClientsStmt => ({ kind: 'sip-dynamic-ports', at: at(d[0]), range: d[3] });
export const mediaPorts = (d: D): A.ClientsStmt => ({ kind: 'media-ports', at: at(d[0]), range: d[2] });
export const peers = (d: D): A.ClientsStmt => ({ kind: 'peers', at: at(d[0]), networks: d[1] });
export const client = (d: D): A.ClientsStmt => ({ kind: 'client', at: at(d[0]), software: d[1] });

export const firewall = (d: D): A.FirewallItem => ({ kind: 'firewall', at: at(d[0]), end: at(d[4]), name: d[1], statements: d[3] });
export const on = (d: D): A.FirewallStmt => ({ kind: 'on', at: at(d[0]), network: d[1] });
// `between A, B and C`: the last zone joins the list of the others (a cons list from nearley,
// which `materialize` turns into an array; an array already from the fast path).
export const between = (d: D): A.FirewallStmt => ({
  kind: 'between',
  at: at(d[0]),
  zones: (Array.isArray(d[1]) ? [...d[1], d[3]] : append([d[1], null, d[3]])) as A.Name[],
});
export const targets = (d: D): A.FirewallStmt => ({ kind: 'targets', at: at(d[0]), targets: d[1] });
export const defaultAction = (d: D): A.FirewallStmt => ({ kind: 'default', at: at(d[0]), action: d[1] });
export const outbound = (d: D): A.FirewallStmt => ({ kind: 'outbound', at: at(d[0]), action: d[1] });
export const others = (d: D): A.FirewallStmt => ({ kind: 'others', at: at(d[0]), action: d[1] });
export const logDenied = (d: D): A.FirewallStmt => ({ kind: 'log-denied', at: at(d[0]) });

export const fromOnly = (d: D) => ({ from: d[1] as A.AddressOrName[] });
export const toOnly = (d: D) => ({ to: d[1] as A.AddressOrName[] });
export const fromTo = (d: D) => ({ from: d[1] as A.AddressOrName[], to: d[3] as A.AddressOrName[] });

export function rule(d: D): A.PlainRuleStmt {
  const action: Token = d[0];
  return { kind: 'rule', at: at(action), action: { at: at(action), text: action.value }, protocol: d[1], ports: d[2], types: [], ...d[3] };
}

/** `allow icmp echo-request from …`: the names after the protocol are ICMP types. */
export function typedRule(d: D): A.PlainRuleStmt {
  const action: Token = d[0];
  return { kind: 'rule', at: at(action), action: { at: at(action), text: action.value }, protocol: d[1], ports: [], types: d[2], ...d[3] };
}

export function range(d: D): A.PortRangeLit {
  const r: A.PortRangeLit = { at: atNode(d[0]), from: d[0] };
  if (d[2]) r.to = d[2];
  return r;
}
