import type { IrTarget } from './types.js';

/**
 * The target names at run time, in the order messages list them. A complete record over the
 * IR's `IrTarget`, so a name added to the type and left out here does not compile.
 */
const NAMES: Record<IrTarget, true> = { nftables: true, iptables: true, netsh: true, pf: true };

export const IR_TARGETS: readonly IrTarget[] = Object.keys(NAMES) as IrTarget[];

export const isIrTarget = (name: string): name is IrTarget => Object.hasOwn(NAMES, name);

/**
 * What one of a firewall's targets cannot express exactly, for the commands that report it
 * beside the policy's meaning (explain, diff): MSGR060, the target refuses the firewall (compile
 * writes nothing for it); MSGR061, it writes the firewall approximately.
 */
export interface TargetNote {
  target: IrTarget;
  code: 'MSGR060' | 'MSGR061';
  message: string;
}

/** Per firewall name, the notes of its own targets (absent or empty: every target is exact). */
export type TargetNotes = ReadonlyMap<string, readonly TargetNote[]>;
