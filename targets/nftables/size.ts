import type { IrDocument, IrFirewall, IrPorts } from '../../src/ir/types.js';
import { cidrText, joinedChars, portText, utf8Bytes, type ArtefactSize } from '../size.js';

/**
 * At least the bytes of `<fw>.nft`, counted from the IR: each set a rule or the zone test uses,
 * once per family, its elements exactly; a line per rule and family (two when a drop is logged)
 * with its names, inline ports and comment; the header, chains and preamble as fixed text
 * (below 6 KiB) with the names and description they quote.
 */
export function nftablesSizes(doc: IrDocument, fw: IrFirewall): ArtefactSize[] {
  const name = `${fw.name}.nft`;
  let bytes = 6144 + utf8Bytes(doc.source) + utf8Bytes(doc.description ?? '') + 2 * name.length + 8 * fw.name.length + doc.deployment.length;
  const used = new Set(fw.rules.flatMap((r) => [r.src, r.dst]).filter((n): n is string => n !== undefined));
  if (fw.placement.kind === 'gateway') fw.placement.zones.forEach((z) => used.add(z));
  for (const s of fw.addressSets) {
    if (!used.has(s.name)) continue;
    for (const family of [4, 6] as const) {
      const list = cidrText(s, family);
      // `\tset NAME_v4 {`, its type, flags and `elements = { … }`, and the blank line after it.
      if (list.count) bytes += 80 + s.name.length + joinedChars(list, 2);
    }
  }
  for (const p of fw.portSets) bytes += 80 + p.name.length + joinedChars(portText(p.ranges), 2);
  // A gateway's jumps name both zones, both ways, per family.
  if (fw.placement.kind === 'gateway') bytes += 4 * (120 + 2 * fw.placement.zones.join('').length);
  const inline = (p: IrPorts | undefined) => (p && !p.set ? 16 + joinedChars(portText(p.ranges), 2) : 40);
  for (const r of fw.rules) {
    const lines = !r.src && !r.dst && r.families.length === 2 ? 1 : r.families.length;
    // Tabs, `ip6 saddr @…_v6`, `ip6 daddr @…_v6`, the protocol, the verdict and `comment "…"`.
    const line = 80 + (r.src?.length ?? 0) + (r.dst?.length ?? 0) + inline(r.srcPorts) + inline(r.dstPorts) + r.comment.length;
    // A logged drop: the match again, with the rate limit and the log prefix (at most 129).
    const log = r.action === 'drop' && fw.logDenied ? line + 200 : 0;
    bytes += lines * (line + log);
  }
  return [{ name, bytes }];
}
