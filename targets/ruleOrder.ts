import { boxIntersect, listOf, type IntervalList, type Region } from '../src/addresses/boxes.js';
import { hostMask, parseCidr } from '../src/addresses/cidr.js';
import { RegionIndex } from '../src/addresses/regionIndex.js';
import { addressSetNamed } from '../src/ir/lookup.js';
import type { IrFamily, IrFirewall, IrPorts, IrRule, IrTarget } from '../src/ir/types.js';
import type { RuleOrder, TargetFinding } from './capability.js';
import { icmpNumbers } from './icmp.js';

/**
 * Whether a target's rule order keeps the IR's first match. Under `block-before-allow`
 * (Windows Firewall) a block rule beats every allow rule it overlaps, whatever their order;
 * that equals the policy's first match as long as no drop rule comes after an accept rule of
 * the same direction that matches part of the same traffic (there the policy accepts and the
 * target would block). Each such drop rule is one finding, naming the first allow it follows.
 * Each drop rule is compared only with the allows whose packets may meet its own (an index of
 * their regions, src/addresses/regionIndex.ts), so a firewall of tens of thousands of rules is
 * judged in about n log n steps.
 */
export function ruleOrderFindings(fw: IrFirewall, order: RuleOrder, target: IrTarget): TargetFinding[] {
  if (order === 'first-match') return [];
  const regions = new RuleRegions(fw);
  // The allows of each direction and protocol, indexed when a drop of that kind first asks.
  const allows = new Map<string, RegionIndex>();
  const allowsLike = (r: IrRule) => {
    const kind = `${r.direction} ${r.protocol}`;
    let index = allows.get(kind);
    if (!index) {
      const at = fw.rules.flatMap((a, k) => (a.action === 'accept' && a.direction === r.direction && a.protocol === r.protocol ? [k] : []));
      allows.set(kind, (index = new RegionIndex(at.map((k) => regions.of(fw.rules[k]!)), at)));
    }
    return index;
  };
  const findings: TargetFinding[] = [];
  fw.rules.forEach((drop, i) => {
    if (drop.action !== 'drop') return;
    const region = regions.of(drop);
    const first = allowsLike(drop)
      .meetingRegion(region)!
      .find((k) => k < i && meets(regions.of(fw.rules[k]!), region));
    if (first === undefined) return;
    const allow = fw.rules[first]!;
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
  const regions = new RuleRegions(fw);
  return meets(regions.of(a), regions.of(b));
}

const meets = (a: Region, b: Region) => a.some((x) => b.some((y) => boxIntersect(x, y) !== undefined));

const ALL_PORTS: IntervalList = [{ first: 0n, last: 65535n }];
const ALL_ADDRESSES: Record<IrFamily, IntervalList> = { 4: [{ first: 0n, last: hostMask(4, 0) }], 6: [{ first: 0n, last: hostMask(6, 0) }] };

/**
 * The packets of an IR rule as boxes over (family, source, destination, source port,
 * destination port), one per family the rule has; each address set read once.
 */
class RuleRegions {
  private readonly lists = new Map<string, IntervalList>();
  private readonly regions = new Map<IrRule, Region>();

  constructor(private readonly fw: IrFirewall) {}

  of(rule: IrRule): Region {
    let region = this.regions.get(rule);
    if (!region) {
      // A family one of whose sets has no blocks of it matches nothing of that family.
      const boxes = rule.families.map((f) => [[{ first: BigInt(f), last: BigInt(f) }], this.addresses(rule.src, f), this.addresses(rule.dst, f), ...lastDimensions(rule, f)]);
      this.regions.set(rule, (region = boxes.filter((box) => box.every((list) => list.length > 0))));
    }
    return region;
  }

  private addresses(name: string | undefined, family: IrFamily): IntervalList {
    if (name === undefined) return ALL_ADDRESSES[family];
    const key = `${family} ${name}`;
    let list = this.lists.get(key);
    if (!list) {
      const set = addressSetNamed(this.fw, name);
      const intervals = (family === 4 ? set?.ipv4 ?? [] : set?.ipv6 ?? []).flatMap((t) => {
        const p = parseCidr(t);
        return p.ok ? [{ first: p.cidr.address, last: p.cidr.address | hostMask(p.cidr.family, p.cidr.prefix) }] : [];
      });
      this.lists.set(key, (list = listOf(intervals)));
    }
    return list;
  }
}

const ports = (p: IrPorts | undefined): IntervalList => (p ? listOf(p.ranges.map((r) => ({ first: BigInt(r.from), last: BigInt(r.to) }))) : ALL_PORTS);

/**
 * Ports, or for an ICMP rule no source port and its types in the family (as the lints' regions,
 * src/lint/region.ts): ICMP rules overlap in a family only where they share a type, and rules
 * are only compared with rules of their own protocol, so the two kinds never meet in one
 * dimension. A family in which an ICMP rule has no type is an empty list: no box of it.
 */
function lastDimensions(rule: IrRule, family: IrFamily): IntervalList[] {
  if (rule.protocol !== 'icmp') return [ports(rule.srcPorts), ports(rule.dstPorts)];
  return [ALL_PORTS, listOf(icmpNumbers(rule, family).map((n) => ({ first: BigInt(n), last: BigInt(n) })))];
}
