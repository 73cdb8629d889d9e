import type { IrTarget } from './types.js';

/**
 * The target names at run time, in the order messages list them. A complete record over the
 * IR's `IrTarget`, so a name added to the type and left out here does not compile.
 */
const NAMES: Record<IrTarget, true> = { nftables: true, iptables: true, netsh: true, pf: true };

export const IR_TARGETS: readonly IrTarget[] = Object.keys(NAMES) as IrTarget[];

export const isIrTarget = (name: string): name is IrTarget => Object.hasOwn(NAMES, name);
