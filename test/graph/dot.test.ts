// The DOT text goes through Graphviz itself: `dot -Tsvg` must accept it, and the SVG it draws is
// read back (each node's and edge's group, its title and its text lines) and compared with the
// graph: the same nodes, one edge pair per IR rule with the rule's label, and for hostile names
// exactly the text as written (control characters shown as escapes), never another node, edge
// or attribute.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderDot } from '../../src/graph/dot.js';
import { buildGraph, type Graph } from '../../src/graph/model.js';
import { visibleText } from '../../src/graph/visible.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { missingTools } from '../requiredTools.js';
import { hostileGraphs, shownTexts } from './support.js';

const missing = missingTools(['dot']);
if (missing && process.env.CI === 'true') throw new Error(`Graphviz checks cannot run, and CI must run every check: ${missing}`);
if (missing) console.warn(`skipping Graphviz checks: ${missing}`);

function svgOf(dot: string): string {
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dot -Tsvg refused the graph: ${r.stderr}`);
  expect(r.stderr).toBe('');
  return r.stdout;
}

const xmlText = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    // Graphviz writes a run of spaces as a space and no-break spaces.
    .replace(/\u00a0/g, ' ');

interface Drawn {
  kind: 'node' | 'edge';
  id: string;
  title: string;
  texts: string[];
}

/** Graphviz's SVG, read back: every node and edge group with its title and its lines of text. */
function readSvg(svg: string): Drawn[] {
  const groups = [...svg.matchAll(/<g id="([^"]*)" class="(node|edge)">([\s\S]*?)<\/g>\n(?=<!--|<\/g>)/g)];
  return groups.map(([, id, kind, body]) => ({
    kind: kind as Drawn['kind'],
    id: xmlText(id!),
    title: xmlText(/<title>([\s\S]*?)<\/title>/.exec(body!)![1]!),
    texts: [...body!.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => xmlText(m[1]!)),
  }));
}

/** The graph as Graphviz must draw it: its nodes, its placements, then each rule's two legs. */
function expectDrawn(graph: Graph, drawn: Drawn[]): void {
  const shown = shownTexts(graph);
  const nodes = drawn.filter((d) => d.kind === 'node');
  // Graphviz draws in an order of its own: compared as sorted lists.
  const sorted = (list: unknown[][]) => list.map((x) => JSON.stringify(x)).sort();
  expect(sorted(nodes.map((n) => [n.title, n.texts]))).toEqual(sorted(graph.nodes.map((n) => [n.id, shown.nodes.get(n.id)])));
  const edges = drawn.filter((d) => d.kind === 'edge');
  const placements = graph.placements.map((p) => [`${p.from}->${p.to}`, []]);
  const legs = graph.edges.flatMap((e, i) => [
    [`${e.from}->${e.via}`, shown.edges[2 * i]],
    [`${e.via}->${e.to}`, shown.edges[2 * i + 1]],
  ]);
  expect(sorted(edges.map((e) => [e.title, e.texts]))).toEqual(sorted([...placements, ...legs]));
  // Each rule's first leg is its own SVG element, `fw1-r1`, drawn with the rule's label.
  for (const [i, e] of graph.edges.entries()) {
    expect(edges.find((d) => d.id === `${e.via}-${e.rule}`), `${e.via}-${e.rule}`).toMatchObject({ title: `${e.from}->${e.via}`, texts: shown.edges[2 * i] });
  }
}

describe.skipIf(missing !== undefined)('msgrfw graph --format dot, drawn by Graphviz', () => {
  it.each(EXAMPLES.map((e) => [e.name, e.text]))('%s: dot -Tsvg draws every node and one labelled edge pair per IR rule', (_name, text) => {
    const ir = irOf(text);
    const graph = buildGraph(ir);
    expectDrawn(graph, readSvg(svgOf(renderDot(graph))));
    expect(graph.edges.length).toBe(ir.firewalls.reduce((n, f) => n + f.rules.length, 0));
  });

  it('draws the deployment and its description as the title', () => {
    const svg = svgOf(renderDot(buildGraph(irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text))));
    expect(svg).toContain('>deployment contoso: Contoso LCS 2005 pilot</text>');
  });

  it.each(hostileGraphs())('hostile text stays text in every label: %j', (text, graph) => {
    const svg = svgOf(renderDot(graph));
    expectDrawn(graph, readSvg(svg));
    const title = visibleText(`deployment ${text}: ${text}`);
    expect([...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => xmlText(m[1]!))).toContain(title);
  });
});
