import type { IrDocument, IrGroupPolicy } from '../../src/ir/types.js';
import { loadTemplate, type Artefact } from '../target.js';
import { CRLF } from '../text.js';
import { buildGroupPolicyView, portRangeValues, type GroupPolicyView } from './view.js';

const template = loadTemplate<GroupPolicyView>('gpo', 'portrange.reg.hbs');

/** `<clients>.gpo.reg`: never a firewall's `<firewall>.reg`, as names cannot contain a dot. */
export const groupPolicyFileName = (clients: string) => `${clients}.gpo.reg`;

/** One clients block's `.reg`, with CRLF line ends as regedit expects. */
export function groupPolicyReg(doc: IrDocument, g: IrGroupPolicy): string {
  return CRLF(template(buildGroupPolicyView(doc, g)));
}

/** The Group Policy files of a deployment: one per clients block that has a port range to set. */
/** A Group Policy file, with the clients block it belongs to. */
export interface GroupPolicyArtefact extends Artefact {
  clients: string;
}

export function groupPolicyArtefacts(doc: IrDocument): GroupPolicyArtefact[] {
  return doc.groupPolicy
    .filter((g) => Object.keys(portRangeValues(g)).length > 0)
    .map((g) => ({ clients: g.clients, name: groupPolicyFileName(g.clients), content: groupPolicyReg(doc, g) }));
}
