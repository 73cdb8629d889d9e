import { formatPortRange } from '../addresses/ports.js';
import type { IrFirewall, IrPorts, IrRule } from '../ir/types.js';
import { addressSetNamed } from '../ir/lookup.js';

/** ` type echo-request,timestamp-request` for an ICMP rule. */
const icmp = (rule: IrRule) => (rule.icmpTypes ? ` type ${rule.icmpTypes.map((t) => t.name).join(',')}` : '');

/**
 * A rule as a target-independent line, e.g.
 * `forward accept tcp ipv4 from clients (10.20.0.0/16) to partners (198.51.100.0/24) dport 1503,6891-6900`.
 * Address sets are written with the addresses they hold (of the rule's families), so two rules
 * with the same text match the same packets whatever their sets are called in the IR.
 */
export function ruleMatchText(fw: IrFirewall, rule: IrRule): string {
  const fams = [...rule.families].sort();
  const side = (name: string | undefined) => {
    if (name === undefined) return 'any';
    const set = addressSetNamed(fw, name);
    if (!set) return name;
    const addrs = fams.flatMap((f) => (f === 4 ? set.ipv4 : set.ipv6));
    return `${set.stands} (${addrs.join(', ')})`;
  };
  const ports = (what: string, p: IrPorts | undefined) => (p ? ` ${what} ${p.ranges.map(formatPortRange).join(',')}` : '');
  return [
    `${rule.direction} ${rule.action} ${rule.protocol} ${fams.map((f) => `ipv${f}`).join('+')}`,
    `from ${side(rule.src)} to ${side(rule.dst)}${ports('sport', rule.srcPorts)}${ports('dport', rule.dstPorts)}${icmp(rule)}`,
  ].join(' ');
}
