import { parseCidr, prefixMask, type Cidr } from '../src/addresses/cidr.js';
import type { IrFamily, IrFirewall, IrPorts, IrRule, IrTarget } from '../src/ir/types.js';
import type { RuleOrder, TargetFinding } from './capability.js';
import { icmpNumbers } from './icmp.js';

/**
 * Whether a target's rule order keeps the IR's first match. Under `block-before-allow`
 * (Windows Firewall) a block rule beats every allow rule it overlaps, whatever their order;
 * that equals the policy's first match as long as no drop rule comes after an accept rule of
 * the same direction that matches part of the same traffic (there the policy accepts and the
 * target would block). Each such drop rule is one finding, naming the first allow it follows.
 */
export function ruleOrderFindings(fw: IrFirewall, order: RuleOrder, target: IrTarget): TargetFinding[] {
  if (order === 'first-match') return [];
  const findings: TargetFinding[] = [];
  fw.rules.forEach((drop, i) => {
    if (drop.action !== 'drop') return;
    const allow = fw.rules.slice(0, i).find((r) => r.action === 'accept' && overlaps(fw, r, drop));
    if (!allow) return;
    findings.push({
      kind: 'refused',
      message:
        `rule ${drop.id} (${drop.comment}) denies traffic that the earlier rule ${allow.id} (${allow.comment}) allows; ` +
        `${target} applies block rules before allow rules whatever their order (as Windows Firewall does), so it would block what the policy allows`,
      hint: 'put the deny first, or narrow the rules so they do not overlap',
    });
  });
  return findings;
}

/** Whether two rules match some packet in common (same direction and protocol, overlapping ports and addresses). */
export function overlaps(fw: IrFirewall, a: IrRule, b: IrRule): boolean {
  if (a.direction !== b.direction || a.protocol !== b.protocol) return false;
  if (!portsOverlap(a.srcPorts, b.srcPorts) || !portsOverlap(a.dstPorts, b.dstPorts)) return false;
  return a.families
    .filter((f) => b.families.includes(f) && icmpOverlap(a, b, f))
    .some((f) => addressesOverlap(fw, a.src, b.src, f) && addressesOverlap(fw, a.dst, b.dst, f));
}

/** ICMP rules overlap in a family where they share a type (tcp and udp rules have none to compare). */
function icmpOverlap(a: IrRule, b: IrRule, family: IrFamily): boolean {
  if (a.protocol !== 'icmp') return true;
  const theirs = icmpNumbers(b, family);
  return icmpNumbers(a, family).some((n) => theirs.includes(n));
}

function portsOverlap(a: IrPorts | undefined, b: IrPorts | undefined): boolean {
  if (!a || !b) return true;
  return a.ranges.some((x) => b.ranges.some((y) => x.from <= y.to && y.from <= x.to));
}

/** Address sets are minimal CIDR lists, so two overlap exactly when a block of one contains a block of the other. */
function addressesOverlap(fw: IrFirewall, a: string | undefined, b: string | undefined, family: IrFamily): boolean {
  if (a === undefined || b === undefined) return true;
  const ca = cidrsOf(fw, a, family);
  const cb = cidrsOf(fw, b, family);
  return ca.some((x) => cb.some((y) => contains(x, y) || contains(y, x)));
}

function cidrsOf(fw: IrFirewall, name: string, family: IrFamily): Cidr[] {
  const set = fw.addressSets.find((s) => s.name === name);
  return (family === 4 ? set?.ipv4 ?? [] : set?.ipv6 ?? []).flatMap((t) => {
    const p = parseCidr(t);
    return p.ok ? [p.cidr] : [];
  });
}

const contains = (outer: Cidr, inner: Cidr) =>
  outer.family === inner.family && outer.prefix <= inner.prefix && (inner.address & prefixMask(outer.family, outer.prefix)) === outer.address;
