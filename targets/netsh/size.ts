import type { IrDocument, IrFirewall } from '../../src/ir/types.js';
import { groupPolicyBytes } from '../gpo/size.js';
import { count, mib, MAX_ARTEFACT_BYTES, type ArtefactSize } from '../size.js';
import { cmdText } from './cmdText.js';
import { planRules } from './plan.js';
import { netshHeader } from './view.js';

/**
 * What netsh writes for a host firewall, counted from its plan (plan.ts): the commands of every
 * rule exactly, the script's fixed text as an upper bound. Windows Firewall has no address
 * sets, so a rule whose lists do not fit one command line becomes one command per combination
 * of their chunks: the count says which rule multiplies, and how.
 */
export function netshSizes(doc: IrDocument, fw: IrFirewall): ArtefactSize[] {
  const name = `${fw.name}.cmd`;
  const planned = planRules(doc, fw);
  // `rem ` and CRLF per header line; the template's own text, the delete and the defaults are below 1 KiB.
  let bytes = 1024 + netshHeader(doc, fw, name).reduce((n, l) => n + l.length + 6, 0) + 2 * doc.deployment.length + 2 * fw.name.length;
  for (const p of planned) bytes += p.plan.chars + p.rule.id.length + cmdText(p.rule.comment).length + 10;
  const cmd: ArtefactSize = { name, bytes };
  if (bytes > MAX_ARTEFACT_BYTES) {
    const worst = planned.reduce((a, b) => (b.plan.chars > a.plan.chars ? b : a));
    const split = worst.plan.lists.filter((l) => l.chunks.length > 1);
    cmd.why =
      `${count(planned.reduce((n, p) => n + p.plan.commands, 0))} netsh commands; Windows Firewall has no address sets and cmd.exe reads at most ` +
      `8,191 characters per command, so a rule whose lists do not fit one line becomes one command per combination of their chunks: ` +
      `rule ${worst.rule.id} alone takes ${split.map((l) => `${count(l.chunks.length)} chunks of its ${count(l.items)} ${l.key} entries`).join(' × ')} ` +
      `= ${count(worst.plan.commands)} commands (${mib(worst.plan.chars)})`;
  }
  const on = fw.placement.kind === 'host' ? fw.placement.on : undefined;
  const clients = doc.groupPolicy.find((g) => g.clients === on);
  return clients ? [cmd, { name: `${fw.name}.reg`, bytes: groupPolicyBytes(doc, clients) }] : [cmd];
}
