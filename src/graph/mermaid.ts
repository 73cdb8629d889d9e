import type { Graph, GraphEdge, GraphNode, GraphNodeKind } from './model.js';
import { visibleText } from './visible.js';

/**
 * The graph as a Mermaid flowchart, which GitHub and GitLab draw in a pull request or a README
 * as it is. Node ids are the graph's own (`n1`, `fw1`); every text is a quoted label in which
 * anything but letters, digits and a few inert signs is written as Mermaid's `#NNN;` entity, so
 * no name or description can end the label, start a directive (`%%{…}%%`), open markdown or
 * HTML, or add a node or edge.
 */
export function renderMermaid(graph: Graph): string {
  const out = ['flowchart LR'];
  for (const node of graph.nodes) out.push(`  ${node.id}${shape(node.kind, label([node.name, ...node.details]))}`);
  // Links are numbered in order of definition: linkStyle addresses the drop rules' by number.
  let links = 0;
  for (const p of graph.placements) {
    out.push(`  ${p.from} -.- ${p.to}`);
    links++;
  }
  const dropped: number[] = [];
  for (const e of graph.edges) {
    out.push(`  ${e.from} ${arrow(e, 'in')}|${label([e.label])}| ${e.via}`, `  ${e.via} ${arrow(e, 'out')}|${label([e.rule])}| ${e.to}`);
    if (e.action === 'drop') dropped.push(links, links + 1);
    links += 2;
  }
  for (const [kind, style] of Object.entries(STYLES)) {
    const ids = graph.nodes.filter((n) => n.kind === kind).map((n) => n.id);
    if (ids.length > 0) out.push(`  classDef ${kind} ${style}`, `  class ${ids.join(',')} ${kind}`);
  }
  if (dropped.length > 0) out.push(`  linkStyle ${dropped.join(',')} stroke:#b3261e,color:#b3261e`);
  return `${out.join('\n')}\n`;
}

/** An accepted flow is an arrow through the firewall; a dropped one ends in a cross there, its destination dotted. */
const arrow = (e: GraphEdge, leg: 'in' | 'out') => (e.action === 'accept' ? '-->' : leg === 'in' ? '--x' : '-.-x');

function shape(kind: GraphNodeKind, text: string): string {
  switch (kind) {
    case 'firewall':
      return `{{${text}}}`;
    case 'server':
      return `[[${text}]]`;
    case 'clients':
      return `([${text}])`;
    case 'any':
      return `((${text}))`;
    case 'network':
      return `[${text}]`;
  }
}

const STYLES: Partial<Record<GraphNode['kind'], string>> = {
  firewall: 'fill:#fdecea,stroke:#b3261e',
  server: 'fill:#e6f4ea,stroke:#137333',
  clients: 'fill:#e8f0fe,stroke:#1a56db',
};

/** A quoted Mermaid label: lines joined by `<br/>`, each line escaped. */
const label = (lines: readonly string[]) => `"${lines.map(escapeMermaid).join('<br/>')}"`;

/** Characters that stay as they are: inert in Mermaid's syntax, and in markdown inside a line. */
const LITERAL = /[A-Za-z0-9 ,()/:.=+-]/u;

/**
 * One line of a label. Mermaid decodes `#NNN;` entities and then reads the label as markdown
 * (`**bold**`, `_em_`, `# heading`, lists, links, code), so every other ASCII sign is written as
 * an escaped sign (`#92;#42;`: `\*`, read as `*`), any other character as its entity; a line that
 * would start a markdown block (`- `, `1. `, `===`) has its first sign escaped too, a link
 * (`http://`, `www.`) is broken by an escaped sign, and outer spaces, which Mermaid trims and
 * markdown reads as code or a line break, are no-break spaces.
 */
export function escapeMermaid(text: string): string {
  const line = visibleText(text);
  // Signs to escape although they are literal elsewhere, by their offset in the line.
  const marked = new Set<number>();
  const block = /^[,()/:.=+-]|^[0-9]{1,9}[.)](?= |$)/.exec(line);
  if (block) marked.add(block[0].length - 1);
  for (const m of line.matchAll(/:\/\/|www\./giu)) marked.add(m[0] === '://' ? m.index : m.index + 3);
  let out = '';
  let at = 0;
  for (const c of line) {
    const code = c.codePointAt(0)!;
    out += marked.has(at) || (code < 0x80 && !LITERAL.test(c)) ? `#92;#${code};` : LITERAL.test(c) ? c : `#${code};`;
    at += c.length;
  }
  return out.replace(/^ +| +$/g, (spaces) => '#160;'.repeat(spaces.length));
}
