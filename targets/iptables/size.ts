import type { IrDirection, IrDocument, IrFamily, IrFirewall, IrPorts, IrRule } from '../../src/ir/types.js';
import { utf8Bytes, type ArtefactSize } from '../size.js';
import {
  addressMatch,
  artefactName,
  chainName,
  crossChainName,
  ipsetFileName,
  LOG_LIMIT,
  logPrefix,
  multiportChunks,
  quoteArg,
  type AddressMatch,
  type IpsetDef,
} from './view.js';

/**
 * At least the bytes of `<fw>.rules.v4`, `<fw>.rules.v6` and `<fw>.ipset`, counted from the IR
 * as view.ts builds them: a rule becomes one line per combination of source chunk, destination
 * chunk and multiport chunk (two when a drop is logged), each counted with its words and lists;
 * every ipset member is a line of its own. The headers, chains and preamble are fixed text
 * (below 8 KiB) with the names and description they quote.
 */
export function iptablesSizes(doc: IrDocument, fw: IrFirewall): ArtefactSize[] {
  const quoted = 2 * (utf8Bytes(doc.source) + utf8Bytes(doc.description ?? '') + doc.deployment.length) + 16 * fw.name.length;
  const sets = new Map<string, IpsetDef>();
  const files = ([4, 6] as const).map((family): ArtefactSize => {
    const used = new Map<string, IpsetDef>();
    let bytes = 8192 + quoted + rulesBytes(fw, family, used);
    // The header names each set twice: in what to restore first, and in how to remove it.
    for (const s of used.values()) {
      bytes += 40 + 2 * s.name.length;
      sets.set(s.name, s);
    }
    return { name: artefactName(fw, family), bytes };
  });
  if (sets.size === 0) return files;
  let bytes = 8192 + quoted;
  for (const s of sets.values()) {
    // Its `#` lines (what it stands for), two creates, flush, swap, destroy, the destroy command;
    // then `add <temporary name> <cidr>` per member.
    bytes += 600 + 2 * (s.stands.length + s.addressSet.length) + 8 * s.name.length;
    bytes += s.members.reduce((n, m) => n + m.length, 0) + s.members.length * (6 + s.name.length);
  }
  return [{ name: ipsetFileName(fw), bytes }, ...files];
}

/** A `#` note as noteLines writes it: wrapped, a few words of its own and the rule's comment. */
const note = (r: IrRule) => 2 * (160 + r.comment.length);

/** The rules of one family's file, and the ipset sets they use (added to `sets`). */
function rulesBytes(fw: IrFirewall, family: IrFamily, sets: Map<string, IpsetDef>): number {
  const active: readonly IrDirection[] = fw.placement.kind === 'host' ? ['input', 'output'] : ['forward'];
  const chainOf = (d: IrDirection) => (fw.placement.kind === 'gateway' ? crossChainName(fw) : chainName(fw, d));
  let bytes = 0;
  const use = (m: AddressMatch) => {
    if (m.kind === 'ipset') sets.set(m.set.name, m.set);
  };
  if (fw.placement.kind === 'gateway') {
    const [a, b] = fw.placement.zones.map((z) => addressMatch(fw, z, family));
    if (a!.kind !== 'none' && b!.kind !== 'none') {
      use(a!);
      use(b!);
      const line = 100 + chainName(fw, 'forward').length + crossChainName(fw).length + quoteArg(`between the zones ${fw.placement.between.join(' and ')}`).length;
      for (const [from, to] of [[a!, b!], [b!, a!]] as const) bytes += product(from, to, ONE, line + setMatches(from, to));
    }
  }
  for (const r of fw.rules) {
    if (!active.includes(r.direction) || !r.families.includes(family)) {
      bytes += note(r);
      continue;
    }
    const src = r.src === undefined ? ANY : addressMatch(fw, r.src, family);
    const dst = r.dst === undefined ? ANY : addressMatch(fw, r.dst, family);
    if (src.kind === 'none' || dst.kind === 'none') {
      bytes += note(r);
      continue;
    }
    for (const m of [src, dst]) {
      if (m.kind === 'all') bytes += note(r);
      use(m);
    }
    // `-A <chain> `, `-p <protocol> `, the set matches, `-m comment --comment "…"`, ` -j ACCEPT` and the line end, a space between each.
    const line = 24 + chainOf(r.direction).length + r.protocol.length + setMatches(src, dst) + 22 + quoteArg(r.comment).length;
    bytes += product(src, dst, portCombinations(r), line);
    // A logged drop: the same match again, with the rate limit and the log prefix.
    if (r.action === 'drop' && fw.logDenied) bytes += product(src, dst, portCombinations(r), line + LOG_LIMIT.length + 24 + quoteArg(logPrefix(fw)).length);
  }
  return bytes;
}

const ANY: AddressMatch = { kind: 'any' };
const ONE = { count: 1, chars: 0 };

/** ` -m set --match-set <name> src` for each side matched by a set. */
const setMatches = (src: AddressMatch, dst: AddressMatch) => [src, dst].reduce((n, m) => n + (m.kind === 'ipset' ? 24 + m.set.name.length : 0), 0);

/** Chunks of one side: how many lines it multiplies by, and the characters they add in all (with `-s ` and a space). */
function chunksOf(m: AddressMatch): { count: number; chars: number } {
  if (m.kind !== 'list') return ONE;
  return { count: m.chunks.length, chars: m.chunks.reduce((n, c) => n + c.length + 4, 0) };
}

/** The bytes of one line per combination of source chunk, destination chunk and port match, each `line` bytes besides those. */
function product(src: AddressMatch, dst: AddressMatch, ports: { count: number; chars: number }, line: number): number {
  const s = chunksOf(src);
  const d = chunksOf(dst);
  return s.count * d.count * ports.count * line + d.count * ports.count * s.chars + s.count * ports.count * d.chars + s.count * d.count * ports.chars;
}

/** portMatches' alternatives, counted: one per combination of source and destination multiport chunk, and a space. */
function portCombinations(r: IrRule): { count: number; chars: number } {
  // A side of one range is `--sport N:M` behind `-m <protocol>`; of several, `-m multiport --sports …` per chunk.
  const side = (p: IrPorts | undefined) => {
    if (!p || p.ranges.length === 0) return { count: 1, chars: 0, single: 0 };
    if (p.ranges.length === 1) return { count: 1, chars: 0, single: 20 };
    const chunks = multiportChunks(p.ranges);
    return { count: chunks.length, chars: chunks.reduce((n, c) => n + c.length + 24, 0), single: 0 };
  };
  const s = side(r.srcPorts);
  const d = side(r.dstPorts);
  const single = s.single + d.single ? 4 + r.protocol.length + s.single + d.single : 0;
  return { count: s.count * d.count, chars: d.count * s.chars + s.count * d.chars + s.count * d.count * (single + 1) };
}
