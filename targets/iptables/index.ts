import type { IrDocument, IrFamily, IrFirewall } from '../../src/ir/types.js';
import { loadTemplate, type Artefact, type Target } from '../target.js';
import { buildIpsetView, type IpsetView } from './ipset.js';
import { artefactName, buildIptablesView, ipsetFileName, type IptablesView } from './view.js';

const template = loadTemplate<IptablesView>('iptables', 'rules.hbs');
const ipsetTemplate = loadTemplate<IpsetView>('iptables', 'ipset.hbs');

const FAMILIES: readonly IrFamily[] = [4, 6];

/**
 * Two iptables-restore files per firewall, Debian's convention: `<fw>.rules.v4` for
 * iptables-restore and `<fw>.rules.v6` for ip6tables-restore. When an address list passes
 * IPSET_THRESHOLD, the rules match an ipset set instead, and a third file comes first:
 * `<fw>.ipset`, the `ipset restore` input that defines those sets (to be applied first).
 */
export const iptables: Target = {
  name: 'iptables',
  render(doc: IrDocument, fw: IrFirewall): Artefact[] {
    const rules = FAMILIES.map((family) => {
      const name = artefactName(fw, family);
      return { name, view: buildIptablesView(doc, fw, family, name) };
    });
    const artefacts = rules.map(({ name, view }) => ({ name, content: template(view) }));
    const sets = rules.flatMap(({ view }) => view.ipsets);
    if (sets.length === 0) return artefacts;
    const name = ipsetFileName(fw);
    const view = buildIpsetView(doc, fw, sets, name, rules.map((r) => r.name));
    return [{ name, content: ipsetTemplate(view) }, ...artefacts];
  },
};
