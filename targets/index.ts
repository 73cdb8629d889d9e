import type { IrTarget } from '../src/ir/types.js';
import type { Target } from './target.js';
import { nftables } from './nftables/index.js';
import { iptables } from './iptables/index.js';
import { netsh } from './netsh/index.js';
import { pf } from './pf/index.js';

/**
 * Every target the compiler can write, by name: a complete record over the IR's target names,
 * so a target left out does not compile. What each can express is declared beside it
 * (`<target>/capabilities.ts`, gathered in judge.ts).
 */
export const TARGET_REGISTRY: Record<IrTarget, Target> = {
  nftables,
  iptables,
  netsh,
  pf,
};
