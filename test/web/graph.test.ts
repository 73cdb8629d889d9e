// `msgrfw graph`'s Mermaid read by Mermaid itself (its browser build, as the playground loads
// it) in Chromium: its parser's model of the flowchart has exactly the graph's nodes and edges,
// with their labels, and its renderer draws every one into an SVG; hostile names stay text.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMermaid } from '../../src/graph/mermaid.js';
import { buildGraph, type Graph } from '../../src/graph/model.js';
import { visibleText } from '../../src/graph/visible.js';
import { hostileGraphs, shownTexts, unescapeMarkdown } from '../graph/support.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { chromiumProblem, startBrowser, type Browser } from './chromium.js';

const skip = chromiumProblem() !== undefined;

interface Parsed {
  edges: { start: string; end: string; type: string; stroke: string; text: string }[];
  vertices: { id: string; text: string; type: string }[];
  svg: { error: boolean; labels: string[]; text: string; injected: number };
}

/** Mermaid's parse of the text (its flowchart model) and what its renderer draws of it. */
async function mermaidReads(page: Page, text: string): Promise<Parsed> {
  return page.evaluate(async (text) => {
    const { loadMermaid } = window.msgrfwGraphTest;
    const mermaid = await loadMermaid();
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const { svg } = await mermaid.render(`t${Math.random().toString(36).slice(2)}`, text);
    const drawn = new DOMParser().parseFromString(svg, 'text/html').querySelector('svg')!;
    return {
      edges: diagram.db.getEdges().map((e: { start: string; end: string; type: string; stroke: string; text: string }) => ({ start: e.start, end: e.end, type: e.type, stroke: e.stroke, text: e.text })),
      vertices: [...diagram.db.getVertices().values()].map((v: { id: string; text: string; type: string }) => ({ id: v.id, text: v.text, type: v.type })),
      svg: {
        error: /Syntax error|Parse error/i.test(drawn.textContent ?? ''),
        labels: [...drawn.querySelectorAll('g.edgeLabel')].map((l) => l.textContent ?? '').filter((t) => t !== ''),
        text: drawn.textContent ?? '',
        injected: drawn.querySelectorAll('script, img, iframe, a, [onerror], [onload]').length,
      },
    };
  }, text);
}

/** Mermaid keeps entities as placeholders in its model (`ﬂ°°35¶ß`) and line breaks as `<br>`. */
const NAMED: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\u00a0' };
const decode = (s: string) => unescapeMarkdown(s.replace(/ﬂ°°(\d+)¶ß/g, (_m, n: string) => String.fromCodePoint(Number(n))).replace(/ﬂ°(\w+)¶ß/g, (_m, n: string) => NAMED[n] ?? `&${n};`));

function expectParsed(graph: Graph, parsed: Parsed): void {
  const shown = shownTexts(graph);
  const SHAPES = { firewall: 'hexagon', server: 'subroutine', clients: 'stadium', any: 'circle', network: 'square' };
  expect(parsed.vertices.map((v) => [v.id, v.type, decode(v.text).split('<br>')])).toEqual(graph.nodes.map((n) => [n.id, SHAPES[n.kind], shown.nodes.get(n.id)]));
  const legs = graph.edges.flatMap((e, i) => [
    { start: e.from, end: e.via, type: e.action === 'accept' ? 'arrow_point' : 'arrow_cross', stroke: 'normal', text: shown.edges[2 * i]![0] },
    { start: e.via, end: e.to, type: e.action === 'accept' ? 'arrow_point' : 'arrow_cross', stroke: e.action === 'accept' ? 'normal' : 'dotted', text: e.rule },
  ]);
  const placements = graph.placements.map((p) => ({ start: p.from, end: p.to, type: 'arrow_open', stroke: 'dotted', text: '' }));
  expect(parsed.edges.map((e) => ({ ...e, text: decode(e.text) }))).toEqual([...placements, ...legs]);
  expect(parsed.svg.error).toBe(false);
  // Every rule's two legs are drawn with their labels.
  expect(parsed.svg.labels).toEqual(legs.map((l) => l.text));
  expect(parsed.svg.injected).toBe(0);
}

describe.skipIf(skip)('the Mermaid text, parsed and drawn by Mermaid in Chromium', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await startBrowser();
    page = await browser.playground();
  });
  afterAll(async () => browser?.close());

  it.each(EXAMPLES.map((e) => [e.name, e.text]))('%s: the same nodes, one edge pair per IR rule, all drawn', async (_name, text) => {
    const graph = buildGraph(irOf(text));
    expectParsed(graph, await mermaidReads(page, renderMermaid(graph)));
  });

  it.each(hostileGraphs())('hostile text is drawn as the text it is: %j', async (text, graph) => {
    const parsed = await mermaidReads(page, renderMermaid(graph));
    expectParsed(graph, parsed);
    // Drawn as written: no markdown, no markup.
    expect(parsed.svg.text.replace(/\u00a0/g, ' ')).toContain(visibleText(text));
  });
});
