import type { IrFamily, IrFirewall, IrRule } from '../src/ir/types.js';
import { brokenIr } from './ir.js';

/**
 * The names each target gives the ICMP types a rule can hold (the opening messages of
 * src/icmp/messages.ts), by family and type number: nft(8) "ICMP TYPE TYPE" and "ICMPV6 TYPE
 * TYPE", `iptables -p icmp -h` and `ip6tables -p ipv6-icmp -h`, pf.conf(5) "ICMP TYPES" and
 * "ICMP6 TYPES". netsh takes the numbers (`protocol=icmpv4:8,any`).
 */
const NAMES = {
  nftables: { 4: { 8: 'echo-request', 13: 'timestamp-request' }, 6: { 128: 'echo-request' } },
  iptables: { 4: { 8: 'echo-request', 13: 'timestamp-request' }, 6: { 128: 'echo-request' } },
  pf: { 4: { 8: 'echoreq', 13: 'timereq' }, 6: { 128: 'echoreq' } },
} as const satisfies Record<string, Record<IrFamily, Record<number, string>>>;

/** An ICMP rule's type numbers in one family, in the rule's order. */
export function icmpNumbers(r: IrRule, family: IrFamily): number[] {
  return (r.icmpTypes ?? []).flatMap((t) => {
    const n = family === 4 ? t.v4 : t.v6;
    return n === undefined ? [] : [n];
  });
}

/** An ICMP rule's types in one family, as a target names them. */
export function icmpTypeNames(target: keyof typeof NAMES, fw: IrFirewall, r: IrRule, family: IrFamily): string[] {
  const names: Record<number, string> = NAMES[target][family];
  const numbers = icmpNumbers(r, family);
  if (numbers.length === 0) throw brokenIr(target, `ICMP rule ${r.id} of firewall ${fw.name} has no ICMPv${family === 4 ? 4 : 6} type, yet applies to IPv${family}`);
  return numbers.map((n) => {
    const name = names[n];
    if (name === undefined) throw brokenIr(target, `rule ${r.id} of firewall ${fw.name}: no ${target} name for ICMP type ${n} (IPv${family})`);
    return name;
  });
}
