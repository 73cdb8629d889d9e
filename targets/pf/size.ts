import type { IrDocument, IrFirewall, IrPorts } from '../../src/ir/types.js';
import { bothFamilies, joinedChars, portText, utf8Bytes, type ArtefactSize } from '../size.js';
import { pfHeader } from './header.js';

/**
 * At least the bytes of `<fw>.pf.conf`, counted from the IR: the header as written, every table
 * with its entries exactly, a rule per IR rule and family with its tables, ports and label, and
 * the preamble and defaults as fixed text (below 2 KiB besides the zone names they quote).
 */
export function pfSizes(doc: IrDocument, fw: IrFirewall): ArtefactSize[] {
  const name = `${fw.name}.pf.conf`;
  let bytes = 2048 + pfHeader(doc, fw, name).reduce((n, l) => n + utf8Bytes(l) + 3, 0);
  const gateway = fw.placement.kind === 'gateway';
  if (fw.placement.kind === 'gateway') bytes += 12 * fw.placement.zones.join('').length;
  // `table <NAME> { … }`, and a gateway's `, !self`.
  for (const s of fw.addressSets) bytes += 20 + s.name.length + joinedChars(bothFamilies(s), 2) + (gateway ? 7 : 0);
  const ports = (p: IrPorts | undefined) => (p ? 10 + joinedChars(portText(p.ranges), 2) : 0);
  for (const r of fw.rules) {
    // `# <id> <comment>` above the rule's lines.
    bytes += 6 + r.id.length + utf8Bytes(r.comment);
    // Verdict, direction, log, quick, family, protocol, `from <…>`, `to <…>`, state and a label of at most 63.
    const line = 200 + (r.src?.length ?? 0) + (r.dst?.length ?? 0) + ports(r.srcPorts) + ports(r.dstPorts);
    bytes += r.families.length * line;
  }
  return [{ name, bytes }];
}
