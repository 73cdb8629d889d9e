import { flattenRules, type ChainProgram, type FlatRule, type Hook } from '../../targets/readers/chains.js';
import type { TupleDirection } from '../../targets/readers/tuple.js';
import type { IrDirection } from '../ir/types.js';
import type { LiveHook, LiveRule } from './model.js';

const DIRECTION: Record<TupleDirection, IrDirection> = { in: 'input', out: 'output', forward: 'forward' };

/**
 * A reader's chain program as live hooks: each hook's base chains flattened (first match, jumps
 * inlined), lowest priority first (the order the kernel runs them in), each rule named by `name`
 * and each chain's policy described by `policyText`.
 */
export function hooksOf(program: ChainProgram, name: (r: FlatRule) => LiveRule, policyText: (hook: Hook) => string): LiveHook[] {
  const out: LiveHook[] = [];
  const flat = flattenRules(program).sort((a, b) => (a.hook.priority ?? 0) - (b.hook.priority ?? 0));
  for (const { hook, rules } of flat) {
    const direction = DIRECTION[hook.direction];
    let h = out.find((x) => x.direction === direction && x.family === hook.family);
    if (!h) out.push((h = { direction, ...(hook.family ? { family: hook.family } : {}), chains: [] }));
    h.chains.push({ rules: rules.map((r) => ({ action: r.action, cond: r.cond, rule: name(r) })), policy: hook.policy, policyText: policyText(hook) });
  }
  return out;
}
