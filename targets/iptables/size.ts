import type { IrDocument, IrFamily, IrFirewall, IrPorts, IrRule } from '../../src/ir/types.js';
import { utf8Bytes, type ArtefactSize } from '../size.js';
import { addressMatch, artefactName, ipsetFileName, MAX_COMMENT, multiportChunks, type AddressMatch, type IpsetDef } from './view.js';

/**
 * At least the bytes of `<fw>.rules.v4`, `<fw>.rules.v6` and `<fw>.ipset`, counted from the IR
 * as view.ts builds them: a rule becomes one line per combination of source chunk, destination
 * chunk and multiport chunk (two when a drop is logged), each counted with its lists exactly
 * and its fixed words as an upper bound; every ipset member is a line of its own. The headers,
 * chains and preamble are fixed text (below 8 KiB) with the names and description they quote.
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

/** An argument as quoteArg writes it: at most 255 characters, each of which may be escaped. */
const quotedArg = (s: string) => 2 + 2 * Math.min(s.length, MAX_COMMENT);
/** A `#` note as noteLines writes it: wrapped, a few words of its own and the rule's comment. */
const note = (r: IrRule) => 2 * (160 + r.comment.length);

/** The rules of one family's file, and the ipset sets they use (added to `sets`). */
function rulesBytes(fw: IrFirewall, family: IrFamily, sets: Map<string, IpsetDef>): number {
  const active = fw.placement.kind === 'host' ? ['input', 'output'] : ['forward'];
  let bytes = 0;
  const use = (m: AddressMatch) => {
    if (m.kind === 'ipset') sets.set(m.set.name, m.set);
  };
  if (fw.placement.kind === 'gateway') {
    const [a, b] = fw.placement.zones.map((z) => addressMatch(fw, z, family));
    if (a!.kind !== 'none' && b!.kind !== 'none') {
      use(a!);
      use(b!);
      for (const [from, to] of [[a!, b!], [b!, a!]]) bytes += product(from, to, { count: 1, chars: 0 }, 200 + 4 * fw.placement.between.join('').length);
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
    // `-A <chain>`, `-p <protocol>`, the set matches, `-m comment --comment "…"` and the verdict.
    const line = 60 + quotedArg(r.comment) + (src.kind === 'ipset' ? 40 + src.set.name.length : 0) + (dst.kind === 'ipset' ? 40 + dst.set.name.length : 0);
    // A logged drop: the same match again, with the rate limit and the log prefix.
    const lines = r.action === 'drop' && fw.logDenied ? 2 : 1;
    bytes += lines * product(src, dst, portCombinations(r), line + (lines === 2 ? 100 : 0));
  }
  return bytes;
}

const ANY: AddressMatch = { kind: 'any' };

/** Chunks of one side: how many lines it multiplies by, and the characters they add in all (with `-s `). */
function chunksOf(m: AddressMatch): { count: number; chars: number } {
  if (m.kind !== 'list') return { count: 1, chars: 0 };
  return { count: m.chunks.length, chars: m.chunks.reduce((n, c) => n + c.length + 4, 0) };
}

/** The bytes of one line per combination of source chunk, destination chunk and port match, each `line` bytes besides those. */
function product(src: AddressMatch, dst: AddressMatch, ports: { count: number; chars: number }, line: number): number {
  const s = chunksOf(src);
  const d = chunksOf(dst);
  return s.count * d.count * ports.count * line + d.count * ports.count * s.chars + s.count * ports.count * d.chars + s.count * d.count * ports.chars;
}

/** portMatches' alternatives, counted: one per combination of source and destination multiport chunk. */
function portCombinations(r: IrRule): { count: number; chars: number } {
  const side = (p: IrPorts | undefined, flag: string) => {
    if (!p || p.ranges.length <= 1) return { count: 1, chars: p ? 24 : 0 };
    const chunks = multiportChunks(p.ranges);
    return { count: chunks.length, chars: chunks.reduce((n, c) => n + c.length + flag.length + 16, 0) };
  };
  const s = side(r.srcPorts, '--sports');
  const d = side(r.dstPorts, '--dports');
  return { count: s.count * d.count, chars: d.count * s.chars + s.count * d.chars + s.count * d.count * 16 };
}
