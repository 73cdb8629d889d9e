// The Mermaid text, statement by statement: every line is one of the few forms the renderer
// writes (a node, a link, a class or link style), every label decodes to the text shown, and no
// label can end early or hold a directive. Mermaid's own parser and renderer read the same text
// in Chromium (test/web/graph.test.ts).
import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../src/graph/mermaid.js';
import { buildGraph, type Graph } from '../../src/graph/model.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { hostileGraphs, shownTexts, unescapeMarkdown } from './support.js';

const LABEL = '"([^"]*)"';
const FORMS: [string, RegExp][] = [
  ['node', new RegExp(`^  (n\\d+|fw\\d+)(?:\\{\\{${LABEL}\\}\\}|\\[\\[${LABEL}\\]\\]|\\(\\[${LABEL}\\]\\)|\\(\\(${LABEL}\\)\\)|\\[${LABEL}\\])$`)],
  ['placement', /^  (fw\d+) -\.- (n\d+)$/],
  ['leg', new RegExp(`^  (n\\d+|fw\\d+) (-->|--x|-\\.-x)\\|${LABEL}\\| (n\\d+|fw\\d+)$`)],
  ['style', /^  (classDef (firewall|server|clients) [a-z:#0-9,-]+|class [a-z0-9,]+ (firewall|server|clients)|linkStyle [0-9,]+ [a-z:#0-9,-]+)$/],
];

/** Mermaid's label entities (`#35;`), markdown escapes and line breaks (`<br/>`) undone. */
const decode = (label: string) => label.split('<br/>').map((l) => unescapeMarkdown(l.replace(/#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))));

/** The text read back: each statement's form and what it says. */
function readMermaid(text: string) {
  const [head, ...lines] = text.trimEnd().split('\n');
  expect(head).toBe('flowchart LR');
  const nodes = new Map<string, string[]>();
  const legs: [string, string, string, string[]][] = [];
  const placements: string[] = [];
  for (const line of lines) {
    const form = FORMS.find(([, re]) => re.test(line));
    expect(form, `not a statement the renderer writes: ${JSON.stringify(line)}`).toBeDefined();
    const m = form![1].exec(line)!;
    if (form![0] === 'node') nodes.set(m[1]!, decode(m.slice(2).find((x) => x !== undefined)!));
    if (form![0] === 'placement') placements.push(`${m[1]} ${m[2]}`);
    if (form![0] === 'leg') legs.push([m[1]!, m[2]!, m[4]!, decode(m[3]!)]);
  }
  return { nodes, legs, placements };
}

function expectRead(graph: Graph, text: string): void {
  const read = readMermaid(text);
  const shown = shownTexts(graph);
  expect(read.nodes).toEqual(shown.nodes);
  expect(read.placements).toEqual(graph.placements.map((p) => `${p.from} ${p.to}`));
  expect(read.legs).toEqual(
    graph.edges.flatMap((e, i) => [
      [e.from, e.action === 'accept' ? '-->' : '--x', e.via, shown.edges[2 * i]],
      [e.via, e.action === 'accept' ? '-->' : '-.-x', e.to, shown.edges[2 * i + 1]],
    ]),
  );
}

describe('msgrfw graph --format mermaid', () => {
  it.each(EXAMPLES.map((e) => [e.name, e.text]))('%s: every node, and two legs per IR rule through its firewall', (_name, text) => {
    const graph = buildGraph(irOf(text));
    expectRead(graph, renderMermaid(graph));
  });

  it('styles the legs of a dropped flow by their link numbers (placements first)', () => {
    const ir = irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text);
    const graph = buildGraph(ir);
    const text = renderMermaid(graph);
    const dropped = graph.edges.flatMap((e, i) => (e.action === 'drop' ? [graph.placements.length + 2 * i, graph.placements.length + 2 * i + 1] : []));
    expect(dropped.length).toBeGreaterThan(0);
    expect(text).toContain(`  linkStyle ${dropped.join(',')} stroke:#b3261e,color:#b3261e\n`);
  });

  it.each(hostileGraphs())('hostile text stays inside its label as entities: %j', (_text, graph) => {
    const text = renderMermaid(graph);
    expectRead(graph, text);
    // Nothing Mermaid reads before or across statements: directives, comments, markdown, HTML.
    expect(text).not.toMatch(/%|`|<(?!br\/>)/);
  });
});
