import type { IrDocument, IrFirewall } from '../../src/ir/types.js';
import { groupPolicyReg } from '../gpo/index.js';
import { loadTemplate, type Artefact, type Target } from '../target.js';
import { CRLF } from '../text.js';
import { buildNetshCmdView, type NetshCmdView } from './view.js';

const cmdTemplate = loadTemplate<NetshCmdView>('netsh', 'netsh.cmd.hbs');

/**
 * Windows Firewall: `<fw>.cmd` (netsh advfirewall commands, idempotent) and, when the host is a
 * clients block, `<fw>.reg`: that block's Group Policy file, the same bytes `gpo` writes as
 * `<clients>.gpo.reg`. Both use CRLF line ends, as cmd.exe and regedit expect. What netsh
 * cannot express (gateways, a deny after an overlapping allow) is refused before rendering:
 * see capabilities.ts.
 */
export const netsh: Target = {
  name: 'netsh',
  render(doc: IrDocument, fw: IrFirewall): Artefact[] {
    const cmdName = `${fw.name}.cmd`;
    const out: Artefact[] = [{ name: cmdName, content: CRLF(cmdTemplate(buildNetshCmdView(doc, fw, cmdName))) }];
    const on = fw.placement.kind === 'host' ? fw.placement.on : undefined;
    const clients = doc.groupPolicy.find((g) => g.clients === on);
    if (clients) out.push({ name: `${fw.name}.reg`, content: groupPolicyReg(doc, clients) });
    return out;
  },
};
