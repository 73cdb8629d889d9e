import type { IrDocument, IrGroupPolicy } from '../../src/ir/types.js';

/**
 * At least the bytes of a clients block's Group Policy `.reg` (gpo, and netsh beside a host
 * firewall on the block): some 2 KiB of fixed text with CRLF line ends, and the names it quotes.
 */
export const groupPolicyBytes = (doc: IrDocument, g: IrGroupPolicy): number =>
  4096 + doc.source.length + doc.deployment.length + 4 * g.clients.length;
