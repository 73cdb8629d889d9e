import { buildGraph, type Graph } from '../../src/graph/model.js';
import { visibleText } from '../../src/graph/visible.js';
import type { IrDocument } from '../../src/ir/types.js';
import { HOSTILE_TEXT } from '../hardening/support.js';
import { EXAMPLES, irOf } from '../helpers.js';

/** Text aimed at the graph languages themselves, beside the targets' hostile text. */
export const HOSTILE_GRAPH_TEXT: readonly string[] = [
  ...HOSTILE_TEXT,
  '%%{init: {"theme": "dark", "securityLevel": "loose"}}%%',
  '"]; evil[["owned"]]; n1 --> evil; click n1 "javascript:alert(1)"; %%',
  '"|; n1 -->|"x"| n2 %% ',
  '`**markdown** <b>bold</b>`',
  '<img src=x onerror="alert(1)"> <script>alert(1)</script>',
  '#quot; #35; #lt;br/#gt; &#60; <br/> \\n',
  '"]; } digraph x { evil [label="owned"]; a -> b; } /* // #',
  '\\N \\G \\E \\T \\H \\L \\l \\r \\n \\',
  'end subgraph graph flowchart style classDef linkStyle',
  ' leading and trailing spaces  ',
  '    indented like code',
  '- a list item',
  '1. an ordered item',
  '=== --- *** ___',
  '**bold** __bold__ *em* _em_ ~~gone~~ `code` [link](http://evil.example) ![img](x.png)',
  'http://evil.example www.evil.example mail@evil.example <http://evil.example>',
  '> quoted | a | table |',
];

/** A label line as Mermaid reads it back: its markdown escapes (`\\*`) undone, no-break spaces as spaces. */
export const unescapeMarkdown = (s: string) => s.replace(/\\([!-/:-@[-`{-~])/g, '$1').replace(/\u00a0/g, ' ');

/**
 * Contoso's IR with one hostile text put, unchecked, wherever the graph shows text: names the
 * policy language would refuse stand in for what a newer IR or another producer might hold.
 */
export function hostileIr(text: string): IrDocument {
  const ir = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
  ir.deployment = text;
  ir.description = text;
  const fw = ir.firewalls[0]!;
  fw.name = text;
  fw.addressSets[0]!.stands = text;
  for (const r of fw.rules) r.origins[0]!.text = text;
  ir.servers[0]!.name = text;
  return ir;
}

/** The texts a graph shows, as each must read once rendered: node lines and edge labels. */
export function shownTexts(graph: Graph): { nodes: Map<string, string[]>; edges: string[][] } {
  return {
    nodes: new Map(graph.nodes.map((n) => [n.id, [n.name, ...n.details].map(visibleText)])),
    edges: graph.edges.flatMap((e) => [[visibleText(e.label)], [e.rule]]),
  };
}

export const hostileGraphs = (): [string, Graph][] => HOSTILE_GRAPH_TEXT.map((t) => [t, buildGraph(hostileIr(t))]);
