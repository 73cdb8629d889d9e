import type { SourcePosition } from '../diagnostics/diagnostic.js';
import type { Deployment, Name } from '../parse/ast.js';

/**
 * Where each name of a policy stands and what it is there. Networks are the one namespace that
 * statements refer to: a `server NET` block and a `clients NET` block are named by their
 * network, and a clients block's `server NET via …` names a server block by it. Firewalls have
 * names of their own, which nothing refers to.
 */
export type Role =
  /** `network NAME = …` */
  | 'network'
  /** `server NAME {`: the server block of a network. */
  | 'server-block'
  /** `clients NAME {`: the clients block of a network. */
  | 'clients-block'
  /** `server NAME via …` in a clients block: refers to a server block. */
  | 'server'
  /** Any other use of a network: a member of a network, peers, on, between, from, to. */
  | 'use'
  /** `firewall NAME {` */
  | 'firewall';

export interface Occurrence {
  name: string;
  role: Role;
  at: SourcePosition;
  /** The column just past the name (names stand on one line). */
  endColumn: number;
}

/** Every name of the policy in the order it is written. */
export function occurrences(ast: Deployment): Occurrence[] {
  const out: Occurrence[] = [];
  const add = (n: Name | undefined, role: Role) => {
    if (n) out.push({ name: n.text, role, at: n.at, endColumn: n.at.column + n.text.length });
  };
  for (const item of ast.items) {
    switch (item.kind) {
      case 'network':
        add(item.name, 'network');
        for (const m of item.members) if (m.kind === 'name') add(m, 'use');
        break;
      case 'server':
        add(item.network, 'server-block');
        break;
      case 'clients':
        add(item.network, 'clients-block');
        for (const s of item.statements) {
          if (s.kind === 'server') add(s.server, 'server');
          else if (s.kind === 'peers') for (const n of s.networks) add(n, 'use');
        }
        break;
      case 'firewall':
        add(item.name, 'firewall');
        for (const s of item.statements) {
          if (s.kind === 'on') add(s.network, 'use');
          else if (s.kind === 'between') for (const z of s.zones) add(z, 'use');
          else if (s.kind === 'rule') for (const m of [...(s.from ?? []), ...(s.to ?? [])]) if (m.kind === 'name') add(m, 'use');
        }
        break;
      case 'description':
        break;
    }
  }
  return out.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
}

/** The occurrence under a position (1-based), its end included (a cursor just after a name is on it). */
export function occurrenceAt(all: readonly Occurrence[], at: SourcePosition): Occurrence | undefined {
  return all.find((o) => o.at.line === at.line && at.column >= o.at.column && at.column <= o.endColumn);
}

/** Whether two occurrences name the same thing: a firewall only itself, every other role the same network. */
export const sameSymbol = (a: Occurrence, b: Occurrence): boolean => a.name === b.name && (a.role === 'firewall') === (b.role === 'firewall');

/**
 * Where a name is defined: a clients block's `server X` goes to X's server block, every other
 * use of a network to its `network` statement, a declaration to itself.
 */
export function definitionOf(all: readonly Occurrence[], o: Occurrence): Occurrence | undefined {
  const wanted: Role[] = o.role === 'firewall' ? ['firewall'] : o.role === 'server' ? ['server-block', 'network'] : ['network'];
  for (const role of wanted) {
    const found = all.find((x) => x.role === role && x.name === o.name);
    if (found) return found;
  }
  return undefined;
}
