import { formatPortRange } from '../addresses/ports.js';
import type { IrAddressSet, IrClients, IrDocument, IrFirewall, IrPorts, IrRule, IrServer } from '../ir/types.js';
import { gatewayText } from '../ir/zonePairs.js';

/**
 * A picture of a deployment, built from the IR alone: its networks (the servers and clients
 * blocks among them) and firewalls as nodes, and every rule of every firewall as an edge from
 * the rule's source through the firewall that judges it to its destination. The renderers
 * (mermaid.ts, dot.ts) only lay this out in their language; every text here is plain text that
 * they escape.
 */
export interface Graph {
  deployment: string;
  description?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Where each firewall stands: a host firewall on its network, a gateway between its zones. */
  placements: GraphPlacement[];
}

export type GraphNodeKind = 'network' | 'server' | 'clients' | 'any' | 'firewall';

export interface GraphNode {
  /** `n1`, `n2`, … for networks, `fw1`, … for firewalls: never policy text. */
  id: string;
  kind: GraphNodeKind;
  /** The network's or firewall's name (`lcs&clients` for an intersection, `any` for every address). */
  name: string;
  /** Lines under the name: what the node is (role, placement, defaults, targets) and its addresses. */
  details: string[];
}

export interface GraphEdge {
  /** The firewall that judges the traffic, and the rule's id there: `edge` and `r1`. */
  firewall: string;
  rule: string;
  /** Node ids: the rule's source, the firewall, the rule's destination. */
  from: string;
  via: string;
  to: string;
  action: 'accept' | 'drop';
  /** `r1 tcp 1503,6891-6900 (t120, file-transfer) line 18,21`. */
  label: string;
  /** The policy lines behind the rule, and each statement (`line 18: clients clients: features whiteboard`). */
  lines: number[];
  statements: string[];
}

export interface GraphPlacement {
  firewall: string;
  /** Node ids. */
  from: string;
  to: string;
}

/** How many address blocks a node lists before `+N more`: a picture, not an inventory. */
const ADDRESSES_SHOWN = 4;

/** The graph of every firewall, or of one (`only`): then only the nodes its rules and placement touch. */
export function buildGraph(ir: IrDocument, only?: string): Graph {
  const nodes = new NodeTable(ir);
  const firewalls = ir.firewalls.filter((f) => only === undefined || f.name === only);
  const edges: GraphEdge[] = [];
  const placements: GraphPlacement[] = [];
  // The servers and clients blocks are the deployment's cast: drawn even when no firewall sees them.
  if (only === undefined) {
    for (const s of ir.servers) nodes.role(s.name, s.ipv4, s.ipv6);
    for (const c of ir.clients) nodes.role(c.name, c.ipv4, c.ipv6);
  }
  for (const fw of firewalls) {
    const via = nodes.firewall(fw);
    const sets = new Map(fw.addressSets.map((s) => [s.name, s]));
    const node = (name: string | undefined) => {
      const set = name === undefined ? undefined : sets.get(name);
      return set ? nodes.network(set) : nodes.any();
    };
    const zones = fw.placement.kind === 'host' ? [fw.placement.set] : [...fw.placement.zones];
    for (const zone of zones) placements.push({ firewall: fw.name, from: via, to: node(zone) });
    // A host's own side of a rule is the host network: the rule leaves it out (it is implied).
    const host = fw.placement.kind === 'host' ? node(fw.placement.set) : undefined;
    for (const rule of fw.rules) {
      const from = rule.src !== undefined ? node(rule.src) : rule.direction === 'output' && host ? host : nodes.any();
      const to = rule.dst !== undefined ? node(rule.dst) : rule.direction === 'input' && host ? host : nodes.any();
      edges.push({ firewall: fw.name, rule: rule.id, from, via, to, action: rule.action, label: edgeLabel(rule), lines: ruleLines(rule), statements: rule.origins.map((o) => `line ${o.line}: ${o.text}`) });
    }
  }
  const graph: Graph = { deployment: ir.deployment, nodes: nodes.all(), edges, placements };
  if (ir.description !== undefined) graph.description = ir.description;
  return graph;
}

/** `r3 udp 50000-50039 → 50000-50039 IPv4 (rtp) line 18,20,21`; a plain rule says `allow` or `deny`. */
export function edgeLabel(rule: IrRule): string {
  const ports = (p: IrPorts | undefined) => (p ? p.ranges.map(formatPortRange).join(',') : 'any port');
  const what = rule.srcPorts ? `${ports(rule.srcPorts)} → ${ports(rule.dstPorts)}` : rule.dstPorts ? ports(rule.dstPorts) : '';
  const family = rule.families.length === 1 ? ` IPv${rule.families[0]}` : '';
  const why = rule.catalog ? ` (${rule.catalog.join(', ')})` : '';
  const verb = rule.catalog ? '' : `${rule.action === 'accept' ? 'allow' : 'deny'} `;
  return `${rule.id} ${verb}${rule.protocol}${what ? ` ${what}` : ''}${family}${why} line ${ruleLines(rule).join(',')}`;
}

const ruleLines = (rule: IrRule) => [...new Set(rule.origins.map((o) => o.line))].sort((a, b) => a - b);

/** Nodes in order of first use, one per network (by the networks it stands for and its addresses). */
class NodeTable {
  private readonly nodes: GraphNode[] = [];
  private readonly byKey = new Map<string, GraphNode>();
  private readonly servers: Map<string, IrServer>;
  private readonly clients: Map<string, IrClients>;
  private firewalls = 0;
  private networks = 0;

  constructor(ir: IrDocument) {
    this.servers = new Map(ir.servers.map((s) => [s.name, s]));
    this.clients = new Map(ir.clients.map((c) => [c.name, c]));
  }

  /** A network an address set stands for: a server or clients block when it is one. */
  network(set: IrAddressSet): string {
    return this.role(set.stands, set.ipv4, set.ipv6);
  }

  role(name: string, ipv4: readonly string[], ipv6: readonly string[]): string {
    const key = `net ${name} ${ipv4.join(',')} ${ipv6.join(',')}`;
    const found = this.byKey.get(key);
    if (found) return found.id;
    const server = this.servers.get(name);
    const clients = this.clients.get(name);
    const details: string[] = [];
    if (clients) details.push(`clients of ${clients.server} via ${clients.transport}`, `features ${clients.features.join(', ')}`);
    if (server) details.push(`server: ${server.listeners.map((l) => `sip ${l.transport} ${l.port}`).join(', ')}`);
    details.push(addressText([...ipv4, ...ipv6]));
    return this.add(key, { id: `n${++this.networks}`, kind: clients ? 'clients' : server ? 'server' : 'network', name, details });
  }

  any(): string {
    return this.byKey.get('any')?.id ?? this.add('any', { id: `n${++this.networks}`, kind: 'any', name: 'any', details: ['every address'] });
  }

  firewall(fw: IrFirewall): string {
    const p = fw.placement;
    const where = p.kind === 'host' ? `host firewall on ${p.on}` : gatewayText(p);
    const defaults = Object.entries(fw.policy).map(([direction, verdict]) => `${direction} ${verdict === 'accept' ? 'accept' : 'deny'}`);
    const details = [where, `default ${defaults.join(', ')}${fw.logDenied ? ', log denied' : ''}`, `targets ${fw.targets.join(', ')}`];
    return this.add(`fw ${fw.name}`, { id: `fw${++this.firewalls}`, kind: 'firewall', name: fw.name, details });
  }

  all(): GraphNode[] {
    return [...this.nodes];
  }

  private add(key: string, node: GraphNode): string {
    this.nodes.push(node);
    this.byKey.set(key, node);
    return node.id;
  }
}

function addressText(blocks: readonly string[]): string {
  if (blocks.length === 0) return 'no addresses';
  const shown = blocks.slice(0, ADDRESSES_SHOWN).join(', ');
  return blocks.length > ADDRESSES_SHOWN ? `${shown} +${blocks.length - ADDRESSES_SHOWN} more` : shown;
}
