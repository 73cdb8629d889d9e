import { IR_TARGETS } from '../src/ir/targets.js';
import type { IrDocument, IrFirewall, IrTarget } from '../src/ir/types.js';

/**
 * The clients' Group Policy files: not a firewall target (no firewall lists it), but something
 * `compile` writes and `-t` can select.
 */
export const GROUP_POLICY = 'gpo';

/** What `-t` selects: a firewall target, or the Group Policy files. */
export type ArtefactKind = IrTarget | typeof GROUP_POLICY;
export const ARTEFACT_KINDS: readonly ArtefactKind[] = [...IR_TARGETS, GROUP_POLICY];

export interface Selection {
  /** Only this firewall (by name). Group Policy files belong to no firewall, so none are selected then. */
  firewall?: string;
  /** Only this target (for every selected firewall, instead of each firewall's own `targets`), or only the Group Policy files. */
  target?: ArtefactKind;
}

/** Each selected firewall with the targets it is compiled for; the one place that reads a selection. */
export function selectedFirewalls(doc: IrDocument, selection: Selection): { firewall: IrFirewall; targets: readonly IrTarget[] }[] {
  if (selection.target === GROUP_POLICY) return [];
  const target = selection.target;
  return doc.firewalls
    .filter((fw) => selection.firewall === undefined || fw.name === selection.firewall)
    .map((firewall) => ({ firewall, targets: target ? [target] : firewall.targets }));
}

/** Whether the selection includes the Group Policy files: everything (no -t, no -f), or -t gpo. */
export const groupPolicySelected = (selection: Selection): boolean =>
  selection.target === GROUP_POLICY || (selection.target === undefined && selection.firewall === undefined);
