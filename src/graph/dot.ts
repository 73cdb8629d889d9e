import type { Graph, GraphNodeKind } from './model.js';
import { visibleText } from './visible.js';

/**
 * The graph in Graphviz's DOT (`msgrfw graph … --format dot | dot -Tsvg > contoso.svg`). Node
 * ids are the graph's own (`n1`, `fw1`); every text is a quoted string escaped for DOT and for
 * Graphviz's label escapes (`\N`, `\l`, entities), so no name or description can end the string,
 * add a statement or attribute, or turn into another node's name. Each rule's first leg carries
 * its label and, as its tooltip (shown on hover in SVG), the policy statements behind it.
 */
export function renderDot(graph: Graph): string {
  const title = `deployment ${graph.deployment}${graph.description !== undefined ? `: ${graph.description}` : ''}`;
  const out = [
    'digraph msgrfw {',
    `  graph [rankdir=LR, label=${quote(title)}, labelloc=t, fontname="Helvetica", fontsize=12];`,
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const node of graph.nodes) out.push(`  ${node.id} [label=${quote([node.name, ...node.details])}, ${SHAPES[node.kind]}];`);
  for (const p of graph.placements) out.push(`  ${p.from} -> ${p.to} [dir=none, style=dotted, color="#888888"];`);
  for (const e of graph.edges) {
    const colour = e.action === 'accept' ? '' : ', color="#b3261e", fontcolor="#b3261e"';
    const head = e.action === 'accept' ? '' : ', arrowhead=tee';
    out.push(
      `  ${e.from} -> ${e.via} [id=${quote(`${e.via}-${e.rule}`)}, label=${quote(e.label)}, tooltip=${quote(e.statements)}${colour}${head}];`,
      `  ${e.via} -> ${e.to} [label=${quote(e.rule)}${colour}${e.action === 'accept' ? '' : ', style=dashed'}];`,
    );
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

const SHAPES: Record<GraphNodeKind, string> = {
  firewall: 'shape=hexagon, style=filled, fillcolor="#fdecea", color="#b3261e"',
  server: 'shape=box3d, style=filled, fillcolor="#e6f4ea", color="#137333"',
  clients: 'shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#1a56db"',
  any: 'shape=ellipse',
  network: 'shape=box',
};

/** A DOT string of one or more lines (joined by Graphviz's `\n`). */
function quote(text: string | readonly string[]): string {
  const lines = typeof text === 'string' ? [text] : text;
  return `"${lines.map(escapeDot).join('\\n')}"`;
}

/**
 * `\` and `"` escaped for the parser and for Graphviz's own escapes (`\\` is one backslash,
 * so `\N` or `\l` in a name stays text); `&` as `&amp;`, since Graphviz reads entities.
 */
export function escapeDot(text: string): string {
  return visibleText(text).replace(/[\\"&]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`));
}
