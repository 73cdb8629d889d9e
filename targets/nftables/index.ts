import type { IrDocument, IrFirewall } from '../../src/ir/types.js';
import { loadTemplate, type Artefact, type Target } from '../target.js';
import { buildNftView, type NftView } from './view.js';

const template = loadTemplate<NftView>('nftables', 'nftables.hbs');

export const nftables: Target = {
  name: 'nftables',
  render(doc: IrDocument, fw: IrFirewall): Artefact[] {
    const name = `${fw.name}.nft`;
    return [{ name, content: template(buildNftView(doc, fw, name)) }];
  },
};
