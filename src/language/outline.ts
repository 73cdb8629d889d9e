import type { SourcePosition } from '../diagnostics/diagnostic.js';
import type { PolicyDocument } from './document.js';
import { addressText } from './hover.js';
import { zoneListText } from '../ir/zonePairs.js';

export type OutlineKind = 'deployment' | 'network' | 'server' | 'clients' | 'firewall';

export interface OutlineSymbol {
  name: string;
  kind: OutlineKind;
  detail: string;
  /** The whole statement or block. */
  at: SourcePosition;
  end: SourcePosition;
  /** The name. */
  nameAt: SourcePosition;
  nameEnd: SourcePosition;
  children: OutlineSymbol[];
}

/** The policy's outline: the deployment, and in it each network, server, clients block and firewall. */
export function outline(doc: PolicyDocument): OutlineSymbol[] {
  const { ast, model } = doc.analysis;
  if (!ast) return [];
  const lineEnd = (line: number): SourcePosition => ({ line, column: doc.lineText(line).length + 1 });
  const nameEnd = (at: SourcePosition, text: string): SourcePosition => ({ line: at.line, column: at.column + text.length });
  const children: OutlineSymbol[] = [];
  for (const item of ast.items) {
    if (item.kind === 'description') continue;
    const name = item.kind === 'network' || item.kind === 'firewall' ? item.name : item.network;
    const end = item.kind === 'network' ? lineEnd(item.at.line) : { line: item.end.line, column: item.end.column + 1 };
    const set = model?.networks.get(name.text)?.set;
    const fw = item.kind === 'firewall' ? model?.firewalls.find((f) => f.name === name.text) : undefined;
    const detail =
      item.kind === 'firewall'
        ? fw
          ? fw.placement.kind === 'host'
            ? `on ${fw.placement.on.name}; ${fw.targets.join(', ')}`
            : `between ${zoneListText(fw.placement.zones.map((z) => z.name))}; ${fw.targets.join(', ')}`
          : ''
        : set
          ? addressText(set)
          : '';
    children.push({ name: name.text, kind: item.kind, detail, at: item.at, end, nameAt: name.at, nameEnd: nameEnd(name.at, name.text), children: [] });
  }
  return [{ name: ast.name.text, kind: 'deployment', detail: model?.description ?? '', at: ast.at, end: { line: ast.end.line, column: ast.end.column + 1 }, nameAt: ast.name.at, nameEnd: nameEnd(ast.name.at, ast.name.text), children }];
}
