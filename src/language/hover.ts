import { cidrTexts } from '../addresses/set.js';
import type { AddressSet } from '../addresses/set.js';
import { CATALOG, type CatalogEntry, type PortSpec, type Role as CatalogRole } from '../catalog/catalog.js';
import { CODES, type Code } from '../diagnostics/codes.js';
import type { SourcePosition } from '../diagnostics/diagnostic.js';
import { scanAcknowledgements } from '../parse/acknowledgements.js';
import { FEATURES, type ClientGroup, type Feature, type Model } from '../resolve/model.js';
import type { PolicyDocument } from './document.js';
import { KEYWORDS } from './keywords.js';
import { occurrenceAt } from './symbols.js';
import { tokenAt } from '../parse/tokens.js';
import { zoneListText } from '../ir/zonePairs.js';

export interface Hover {
  /** Markdown. */
  contents: string;
  at: SourcePosition;
  end: SourcePosition;
}

/** At most this many address blocks are listed; the rest are counted. */
const MAX_BLOCKS = 12;

/**
 * What the editor shows over a word: a network's addresses (and its server or clients block),
 * a firewall's placement and targets, a feature's connections with the KB 903056 fact behind
 * each, a keyword's meaning, or a code in an acknowledgement.
 */
export function hoverAt(doc: PolicyDocument, at: SourcePosition): Hover | undefined {
  const { ast, model, occurrences } = doc.analysis;
  const o = occurrenceAt(occurrences, at);
  if (o && model) {
    const contents = o.role === 'firewall' ? firewallHover(model, o.name) : networkHover(model, o.name);
    if (contents) return { contents, at: o.at, end: { line: o.at.line, column: o.endColumn } };
  }
  const code = ackCodeAt(doc, at);
  if (code) return code;
  const word = wordAt(doc.lineText(at.line), at.column);
  if (!word) return undefined;
  const range = { at: { line: at.line, column: word.column }, end: { line: at.line, column: word.column + word.text.length } };
  if ((FEATURES as readonly string[]).includes(word.text) && ast && model) {
    const block = ast.items.find((i) => i.kind === 'clients' && i.at.line <= at.line && i.end.line >= at.line);
    const group = block?.kind === 'clients' ? model.clients.find((c) => c.name === block.network.text) : undefined;
    const inFeatures = block?.kind === 'clients' && block.statements.some((s) => s.kind === 'features' && s.features.some((f) => f.at.line === at.line && f.at.column === word.column));
    if (inFeatures) return { contents: featureHover(word.text as Feature, group), ...range };
  }
  const keyword = Object.hasOwn(KEYWORDS, word.text) ? KEYWORDS[word.text] : undefined;
  if (keyword) return { contents: `**${word.text}** — ${keyword}`, ...range };
  return undefined;
}

/** A network: its addresses; and what its server or clients block says. */
function networkHover(model: Model, name: string): string | undefined {
  const network = name === 'any' ? { set: undefined } : model.networks.get(name);
  if (!network) return undefined;
  const lines = [`**network ${name}**${network.set ? `: ${addressText(network.set)}` : ': every IPv4 and IPv6 address'}`];
  const server = model.servers.find((s) => s.name === name);
  if (server) lines.push('', `**server ${name}**: ${server.listeners.map((l) => `SIP over ${l.transport.toUpperCase()} on ${l.port}/tcp`).join(', ') || 'no listener'}`);
  const clients = model.clients.find((c) => c.name === name);
  if (clients) {
    const range = (r: ClientGroup['sipRange'], what: string) => `${what} ${r.range.from}-${r.range.to}${r.explicit ? '' : ' (not set: the 1024-65535 fallback)'}`;
    lines.push(
      '',
      `**clients ${name}**: ${clients.software === 'communicator' ? 'Office Communicator' : 'Windows Messenger'} via server ${clients.server.name} over ${clients.server.transport.toUpperCase()} (${clients.server.port}/tcp)`,
      `- features: ${clients.features.map((f) => f.name).join(', ') || 'none'}`,
      `- ${range(clients.sipRange, 'SIP dynamic ports')}; ${range(clients.mediaRange, 'media ports')}`,
      `- peers: ${clients.peers.name} (${addressText(clients.peers.set)})`,
    );
  }
  return lines.join('\n');
}

function firewallHover(model: Model, name: string): string | undefined {
  const fw = model.firewalls.find((f) => f.name === name);
  if (!fw) return undefined;
  const p = fw.placement;
  const placement =
    p.kind === 'host'
      ? `a host firewall on ${p.on.name} (${addressText(p.on.set)}): it filters traffic to and from those machines`
      : `a gateway between ${zoneListText(p.zones.map((z) => `${z.name} (${addressText(z.set)})`))}: it filters forwarded traffic between ${p.zones.length === 2 ? 'the two zones' : 'each pair of its zones'}`;
  const verdict = (v: string) => (v === 'accept' ? 'accept' : 'deny');
  const defaults =
    p.kind === 'host'
      ? `inbound ${verdict(fw.defaultVerdict)}${fw.defaultOrigin ? '' : ' (left out)'}, outbound ${verdict(fw.outboundVerdict)}${fw.outboundOrigin ? '' : ' (left out)'}`
      : `forwarded traffic ${verdict(fw.defaultVerdict)}${fw.defaultOrigin ? '' : ' (left out)'}`;
  return [
    `**firewall ${name}**: ${placement}`,
    '',
    `- targets: ${fw.targets.join(', ') || 'none'}`,
    `- default: ${defaults}${fw.logDenied ? '; denied traffic is logged' : ''}`,
    `- plain rules: ${fw.rules.length}`,
  ].join('\n');
}

/** A feature: every connection it needs (for these clients, with their ports), and where each fact comes from. */
function featureHover(feature: Feature, group: ClientGroup | undefined): string {
  const entries = CATALOG.filter((e) => e.features.includes(feature) && (!e.transport || !group || e.transport === group.server.transport));
  const out = [`**feature ${feature}**${group ? ` of clients ${group.name}` : ''}: the connections it needs`];
  for (const e of entries) {
    out.push('', `- **${e.id}**: ${e.summary}`, `  - ${e.protocol}, ${direction(e.initiator, e.responder)}; ${ports(e, group)}`, `  - source: ${e.source}`);
  }
  return out.join('\n');
}

function direction(from: CatalogRole, to: CatalogRole): string {
  if (from === 'peer' && to === 'peer') return 'either peer opens it to the other';
  return `the ${from} opens it to the ${to}`;
}

function ports(e: CatalogEntry, group: ClientGroup | undefined): string {
  const spec = (p: PortSpec): string => {
    switch (p.kind) {
      case 'fixed':
        return p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`;
      case 'server-sip-port':
        return group ? `the server's SIP port ${group.server.port}` : "the server's SIP port (5061 over TLS, 5060 over TCP by default)";
      case 'sip-dynamic-range':
        return group ? `the SIP dynamic ports ${group.sipRange.range.from}-${group.sipRange.range.to}` : 'the SIP dynamic ports (Group Policy MinSipDynamicPort-MaxSipDynamicPort)';
      case 'media-range':
        return group ? `the media ports ${group.mediaRange.range.from}-${group.mediaRange.range.to}` : 'the media ports (Group Policy MinMediaPort-MaxMediaPort)';
    }
  };
  return `${e.srcPorts ? `from ${spec(e.srcPorts)} ` : ''}to ${spec(e.dstPorts)}`;
}

/** A code named in an acknowledgement: what it means. */
function ackCodeAt(doc: PolicyDocument, at: SourcePosition): Hover | undefined {
  if (!doc.lineText(at.line).includes('msgrfw:')) return undefined;
  for (const ack of scanAcknowledgements(doc.text).acknowledgements) {
    if (ack.line !== at.line) continue;
    const c = ack.codes.find((x) => at.column >= x.column && at.column <= x.column + x.code.length);
    const known = c && (CODES[c.code as Code] as { severity: string; summary: string } | undefined);
    if (c && known) return { contents: `**${c.code}** (${known.severity}): ${known.summary}`, at: { line: at.line, column: c.column }, end: { line: at.line, column: c.column + c.code.length } };
  }
  return undefined;
}

export function addressText(set: AddressSet): string {
  const blocks = [...cidrTexts(set, 4), ...cidrTexts(set, 6)];
  if (blocks.length === 0) return 'no address';
  const shown = blocks.slice(0, MAX_BLOCKS).join(', ');
  return blocks.length > MAX_BLOCKS ? `${shown} and ${blocks.length - MAX_BLOCKS} more blocks` : shown;
}

/**
 * The word of the language (a name or keyword, as the lexer reads it: never inside a string or
 * a comment) under a 1-based column, the column just after it included.
 */
export function wordAt(line: string, column: number): { text: string; column: number } | undefined {
  const token = tokenAt(line, column);
  return token?.type === 'word' ? { text: token.text, column: token.offset + 1 } : undefined;
}
