import type { IrDocument, IrFirewall, IrTarget } from '../src/ir/types.js';
import type { Artefact } from './target.js';
import { TARGET_REGISTRY } from './index.js';

export interface Emitted {
  firewall: IrFirewall;
  target: IrTarget;
  artefact: Artefact;
}

export interface EmitProblem {
  firewall: IrFirewall;
  target: IrTarget;
  message: string;
}

export interface Selection {
  /** Only this firewall (by name). */
  firewall?: string;
  /** This target for every selected firewall, instead of each firewall's own `targets` list. */
  target?: IrTarget;
}

/**
 * IR → target text for the selected firewalls and targets. A target that cannot express a
 * firewall exactly says so: an Error whose message starts `MSGR-TARGET:` (a problem: nothing is
 * written), or an approximation it lists with its artefact (a warning). Never a quietly
 * different rule set.
 */
export function emitTargets(doc: IrDocument, selection: Selection): { files: Emitted[]; problems: EmitProblem[]; approximations: EmitProblem[] } {
  const files: Emitted[] = [];
  const problems: EmitProblem[] = [];
  const approximations: EmitProblem[] = [];
  for (const fw of doc.firewalls) {
    if (selection.firewall !== undefined && fw.name !== selection.firewall) continue;
    for (const target of selection.target ? [selection.target] : fw.targets) {
      const impl = TARGET_REGISTRY[target];
      if (!impl) {
        problems.push({ firewall: fw, target, message: `target ${target} is not available in this build` });
        continue;
      }
      try {
        for (const artefact of impl.render(doc, fw)) {
          files.push({ firewall: fw, target, artefact });
          for (const message of artefact.approximations ?? []) approximations.push({ firewall: fw, target, message });
        }
      } catch (e) {
        const message = (e as Error).message;
        if (!message.startsWith('MSGR-TARGET:')) throw e;
        problems.push({ firewall: fw, target, message: message.slice('MSGR-TARGET:'.length).trim() });
      }
    }
  }
  return { files, problems, approximations };
}
