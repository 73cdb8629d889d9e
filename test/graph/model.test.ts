// The graph's edges are the IR's rules: one edge per rule of each firewall, from the rule's
// source through the firewall to its destination, labelled with what the rule matches, its
// catalog entries and its policy lines. Read back here from the graph model; the Mermaid and
// DOT texts are read back by their own parsers (dot.test.ts, test/web/).
import { describe, expect, it } from 'vitest';
import { formatPortRange } from '../../src/addresses/ports.js';
import { buildGraph, type Graph } from '../../src/graph/model.js';
import type { IrDocument, IrFirewall, IrRule } from '../../src/ir/types.js';
import { EXAMPLES, irOf } from '../helpers.js';

/** The network name an edge end must show for a rule side: its set's networks, else the host, else any. */
function sideName(fw: IrFirewall, set: string | undefined, own: boolean): string {
  if (set !== undefined) return fw.addressSets.find((s) => s.name === set)!.stands;
  return own && fw.placement.kind === 'host' ? fw.placement.on : 'any';
}

/** Each rule of the IR, as the edge it must be: `firewall rule from → to`. */
function expectedEdges(ir: IrDocument, only?: string): string[] {
  return ir.firewalls
    .filter((f) => only === undefined || f.name === only)
    .flatMap((fw) => fw.rules.map((r) => `${fw.name} ${r.id} ${r.action} ${sideName(fw, r.src, r.direction === 'output')} -> ${sideName(fw, r.dst, r.direction === 'input')}`));
}

function drawnEdges(graph: Graph): string[] {
  const name = (id: string) => graph.nodes.find((n) => n.id === id)!.name;
  return graph.edges.map((e) => {
    expect(name(e.via)).toBe(e.firewall);
    return `${e.firewall} ${e.rule} ${e.action} ${name(e.from)} -> ${name(e.to)}`;
  });
}

const ruleOf = (ir: IrDocument, fw: string, id: string): IrRule => ir.firewalls.find((f) => f.name === fw)!.rules.find((r) => r.id === id)!;

/** Plain rules in both directions, to and from any, a deny, and an outbound rule. */
const PLAIN = `deployment p {
  network cl  = 10.20.0.0/16, 2001:db8:20::/48
  network srv = 10.1.1.10
  network ops = 10.8.0.0/24
  network ven = 203.0.113.0/24
  server srv {
    sip tcp
  }
  clients cl {
    server srv via tcp
    features im, audio
    sip dynamic ports 7000-7049
    media ports 50000-50039
  }
  firewall pc {
    on cl
    targets iptables
    outbound deny
    allow tcp 3389 from ops
    allow udp 53 to any
    deny tcp 445 from any
  }
  firewall gw {
    between cl and ven
    targets nftables
    deny tcp 6899-6900 from ven to cl
    allow tcp 443 to ven
  }
}
`;

describe('the graph of a policy', () => {
  it.each([...EXAMPLES.map((e) => [e.name, e.text]), ['plain rules', PLAIN]])('%s: one edge per IR rule, through its firewall, between the networks it names', (_name, text) => {
    const ir = irOf(text);
    const graph = buildGraph(ir);
    expect(drawnEdges(graph)).toEqual(expectedEdges(ir));
    expect(graph.edges.length).toBe(ir.firewalls.reduce((n, f) => n + f.rules.length, 0));
  });

  it.each([...EXAMPLES.map((e) => [e.name, e.text]), ['plain rules', PLAIN]])('%s: each label says the protocol, the ports, the catalog entries and the policy lines', (_name, text) => {
    const ir = irOf(text);
    for (const edge of buildGraph(ir).edges) {
      const rule = ruleOf(ir, edge.firewall, edge.rule);
      const ports = (p: IrRule['dstPorts']) => p!.ranges.map(formatPortRange).join(',');
      expect(edge.label.startsWith(`${rule.id} `)).toBe(true);
      expect(edge.label).toContain(rule.protocol);
      if (rule.dstPorts) expect(edge.label).toContain(ports(rule.dstPorts));
      if (rule.srcPorts) expect(edge.label).toContain(`${ports(rule.srcPorts)} → ${ports(rule.dstPorts)}`);
      if (rule.catalog) expect(edge.label).toContain(`(${rule.catalog.join(', ')})`);
      else expect(edge.label).toContain(rule.action === 'accept' ? ' allow ' : ' deny ');
      const lines = [...new Set(rule.origins.map((o) => o.line))].sort((a, b) => a - b);
      expect(edge.lines).toEqual(lines);
      expect(edge.label.endsWith(` line ${lines.join(',')}`)).toBe(true);
      expect(edge.statements).toEqual(rule.origins.map((o) => `line ${o.line}: ${o.text}`));
    }
  });

  it('draws contoso: the server, the clients, the firewalls where they stand, and what each rule is for', () => {
    const ir = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    const graph = buildGraph(ir);
    const node = (name: string) => graph.nodes.find((n) => n.name === name)!;
    expect(node('lcs').kind).toBe('server');
    expect(node('lcs').details).toEqual(['server: sip tls 5061, sip tcp 5060', '10.1.1.10, 2001:db8:1::10']);
    expect(node('clients').kind).toBe('clients');
    expect(node('clients').details[0]).toBe('clients of lcs via tls');
    expect(node('edge').details).toEqual(['gateway between clients and partners', 'default forward deny, log denied', 'targets nftables, pf']);
    expect(node('desktop').details.slice(0, 2)).toEqual(['host firewall on clients', 'default input deny, output accept']);
    const placed = graph.placements.map((p) => `${node(p.firewall).id} ${graph.nodes.find((n) => n.id === p.to)!.name}`);
    expect(placed).toEqual([`${node('edge').id} clients`, `${node('edge').id} partners`, `${node('desktop').id} clients`, `${node('lcs-host').id} lcs`]);
    const label = (fw: string, id: string) => graph.edges.find((e) => e.firewall === fw && e.rule === id)!.label;
    expect(label('edge', 'r3')).toBe('r3 udp 50000-50039 → 50000-50039 IPv4 (rtp) line 18,20,21');
    expect(label('desktop', 'r1')).toBe('r1 allow tcp 22 IPv4 line 35');
    expect(label('lcs-host', 'r1')).toBe('r1 tcp 5061 (sip-tls) line 17');
  });

  it('shows a plain rule without ports as every port, a deny as a deny, and a host rule to any', () => {
    const ir = irOf(PLAIN);
    const graph = buildGraph(ir);
    const edge = (fw: string, id: string) => graph.edges.find((e) => e.firewall === fw && e.rule === id)!;
    expect(edge('gw', 'r1')).toMatchObject({ action: 'drop', label: 'r1 deny tcp 6899-6900 IPv4 line 26' });
    expect(drawnEdges({ ...graph, edges: [edge('pc', 'r2')] })).toEqual(['pc r2 accept cl -> any']);
  });

  it('with -f, draws that firewall alone and only the networks its rules and placement touch', () => {
    const ir = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    const graph = buildGraph(ir, 'lcs-host');
    expect(drawnEdges(graph)).toEqual(expectedEdges(ir, 'lcs-host'));
    expect(graph.nodes.map((n) => n.name)).toEqual(['lcs-host', 'lcs', 'clients']);
  });

  it('is deterministic: the same IR, the same graph', () => {
    const text = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
    expect(buildGraph(irOf(text))).toEqual(buildGraph(irOf(text)));
  });

  it('lists at most four address blocks of a network', () => {
    const wide = irOf(PLAIN.replace('network ops = 10.8.0.0/24', 'network ops = 10.0.0.0/16, 10.2.0.0/16, 10.4.0.0/16, 10.6.0.0/16, 10.8.0.0/16, 10.10.0.0/16'));
    expect(buildGraph(wide).nodes.find((n) => n.name === 'ops')!.details).toEqual(['10.0.0.0/16, 10.2.0.0/16, 10.4.0.0/16, 10.6.0.0/16 +2 more']);
  });
});
