import { hostMask, parseCidr } from '../src/addresses/cidr.js';
import type { IrAddressSet, IrFamily, IrFirewall, IrPorts, IrRule, IrTarget } from '../src/ir/types.js';
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

/** Two sorted, disjoint port lists (the IR's), swept once: a rule may hold tens of thousands of ranges. */
function portsOverlap(a: IrPorts | undefined, b: IrPorts | undefined): boolean {
  if (!a || !b) return true;
  const [x, y] = [a.ranges, b.ranges];
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    if (x[i]!.to < y[j]!.from) i++;
    else if (y[j]!.to < x[i]!.from) j++;
    else return true;
  }
  return false;
}

function addressesOverlap(fw: IrFirewall, a: string | undefined, b: string | undefined, family: IrFamily): boolean {
  if (a === undefined || b === undefined) return true;
  // Sets of tens of thousands of blocks each must not be compared pairwise.
  const [x, y] = [blocksOf(fw, a, family), blocksOf(fw, b, family)];
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    if (x[i]!.last < y[j]!.first) i++;
    else if (y[j]!.last < x[i]!.first) j++;
    else return true;
  }
  return false;
}

type Block = { first: bigint; last: bigint };

/** Per IR address set and family, its blocks as address intervals in order: read once, however many rule pairs compare them. */
const blocks = new WeakMap<IrAddressSet, Map<IrFamily, Block[]>>();

function blocksOf(fw: IrFirewall, name: string, family: IrFamily): Block[] {
  const set = fw.addressSets.find((s) => s.name === name);
  if (!set) return [];
  let byFamily = blocks.get(set);
  if (!byFamily) blocks.set(set, (byFamily = new Map()));
  let list = byFamily.get(family);
  if (!list) {
    list = (family === 4 ? set.ipv4 : set.ipv6)
      .flatMap((t) => {
        const p = parseCidr(t);
        return p.ok ? [{ first: p.cidr.address, last: p.cidr.address | hostMask(p.cidr.family, p.cidr.prefix) }] : [];
      })
      .sort((m, n) => (m.first < n.first ? -1 : m.first > n.first ? 1 : 0));
    byFamily.set(family, list);
  }
  return list;
}
