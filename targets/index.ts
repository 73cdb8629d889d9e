import type { IrTarget } from '../src/ir/types.js';
import type { Target } from './target.js';
import { nftables } from './nftables/index.js';
import { iptables } from './iptables/index.js';
import { netsh } from './netsh/index.js';
import { pf } from './pf/index.js';

/** Every target the compiler can write, by name. */
export const TARGET_REGISTRY: Partial<Record<IrTarget, Target>> = {
  nftables,
  iptables,
  netsh,
  pf,
};
