import type { IrDocument, IrFamily, IrFirewall } from '../../src/ir/types.js';
import { loadTemplate, type Artefact, type Target } from '../target.js';
import { artefactName, buildIptablesView, type IptablesView } from './view.js';

const template = loadTemplate<IptablesView>('iptables', 'rules.hbs');

const FAMILIES: readonly IrFamily[] = [4, 6];

/**
 * Two iptables-restore files per firewall, Debian's convention: `<fw>.rules.v4` for
 * iptables-restore and `<fw>.rules.v6` for ip6tables-restore.
 */
export const iptables: Target = {
  name: 'iptables',
  render(doc: IrDocument, fw: IrFirewall): Artefact[] {
    return FAMILIES.map((family) => {
      const name = artefactName(fw, family);
      return { name, content: template(buildIptablesView(doc, fw, family, name)) };
    });
  },
};
