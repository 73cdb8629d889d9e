import type { IrDocument, IrFirewall } from '../../src/ir/types.js';
import { loadTemplate, type Artefact, type Target } from '../target.js';
import { buildPfView, type PfView } from './view.js';

const template = loadTemplate<PfView>('pf', 'pf.hbs');

/** pf: `<fw>.pf.conf`, an anchor for `pfctl -a msgr/<fw> -f <fw>.pf.conf` (LF line ends). */
export const pf: Target = {
  name: 'pf',
  render(doc: IrDocument, fw: IrFirewall): Artefact[] {
    const name = `${fw.name}.pf.conf`;
    // What pf only approximates (the IPv6 hop limit) is declared in capabilities.ts.
    return [{ name, content: template(buildPfView(doc, fw, name)) }];
  },
};
