import type { IrDocument, IrFirewall } from '../../src/ir/types.js';
import { loadTemplate, type Artefact, type Target } from '../target.js';
import { buildNetshCmdView, buildNetshRegView, CRLF, type NetshCmdView, type NetshRegView } from './view.js';

const cmdTemplate = loadTemplate<NetshCmdView>('netsh', 'netsh.cmd.hbs');
const regTemplate = loadTemplate<NetshRegView>('netsh', 'netsh.reg.hbs');

/**
 * Windows Firewall: `<fw>.cmd` (netsh advfirewall commands, idempotent) and, when the host is a
 * client network, `<fw>.reg` (the clients' Group Policy PortRange values). Both use CRLF line
 * ends, as cmd.exe and regedit expect. A gateway placement is refused (MSGR-TARGET error).
 */
export const netsh: Target = {
  name: 'netsh',
  render(doc: IrDocument, fw: IrFirewall): Artefact[] {
    const cmdName = `${fw.name}.cmd`;
    const out: Artefact[] = [{ name: cmdName, content: CRLF(cmdTemplate(buildNetshCmdView(doc, fw, cmdName))) }];
    const reg = buildNetshRegView(doc, fw, cmdName);
    if (reg) out.push({ name: `${fw.name}.reg`, content: CRLF(regTemplate(reg)) });
    return out;
  },
};
