import type { IrDocument, IrFamily, IrFirewall, IrRule } from '../../src/ir/types.js';
import { formatPortRange } from '../../src/addresses/ports.js';
import { icmpNumbers } from '../icmp.js';
import { brokenIr } from '../ir.js';
import { addressSetNamed } from '../../src/ir/lookup.js';
import { cmdText } from './cmdText.js';
import { CIDR_TEXT, concatOnce, firstMismatch } from '../cidrLists.js';
import { planSplit, type RuleList, type SplitPlan } from './split.js';

/**
 * The `add rule` commands of a firewall, planned from its IR without writing them: the view
 * writes them out (view.ts), the size count adds them up (size.ts), and both read one plan.
 */

/** One IR rule, planned: the words every one of its commands starts and ends with, and how its lists are split. */
export interface PlannedRule {
  rule: IrRule;
  head: string[];
  tail: string[];
  plan: SplitPlan;
}

/** Besides its own line, each command costs a line end and its `if errorlevel 1 goto failed` line. */
export const PER_COMMAND = '\r\nif errorlevel 1 goto failed\r\n'.length;

export function netshRuleName(doc: IrDocument, fw: IrFirewall): string {
  return `msgrfw ${doc.deployment} ${fw.name}`;
}

/** Per firewall (and the deployment its rule name carries), its plan: counted by check, written by compile. */
const plans = new WeakMap<IrFirewall, { deployment: string; rules: PlannedRule[] }>();

export function planRules(doc: IrDocument, fw: IrFirewall): PlannedRule[] {
  const known = plans.get(fw);
  if (known?.deployment === doc.deployment) return known.rules;
  const name = netshRuleName(doc, fw);
  const rules = fw.rules.flatMap((r) => planCommandsOf(name, r, fw));
  plans.set(fw, { deployment: doc.deployment, rules });
  return rules;
}

/** netsh names an ICMP family and type in the protocol (`icmpv4:8,any`: type 8, any code): an ICMP rule is one per family and type. */
function planCommandsOf(name: string, r: IrRule, fw: IrFirewall): PlannedRule[] {
  if (r.protocol === 'icmp') return r.families.flatMap((f) => icmpNumbers(r, f).map((n) => planRule(name, { ...r, families: [f] }, fw, `icmpv${f}:${n},any`)));
  return [planRule(name, r, fw, r.protocol.toUpperCase())];
}

/** One IR rule → one `add rule`, or one per combination of list chunks when its lists do not fit one line (split.ts). */
function planRule(name: string, r: IrRule, fw: IrFirewall, protocol: string): PlannedRule {
  if (r.direction === 'forward') throw brokenIr('netsh', `rule ${r.id} of host firewall ${fw.name} filters forwarded traffic`);
  const inbound = r.direction === 'input';
  // Inbound: the source is the remote side, the destination this host. Outbound: the reverse.
  const remoteSet = inbound ? r.src : r.dst;
  const localSet = inbound ? r.dst : r.src;
  const remotePorts = inbound ? r.srcPorts : r.dstPorts;
  const localPorts = inbound ? r.dstPorts : r.srcPorts;

  let remote = addressesOf(fw, remoteSet, r.families);
  const local = addressesOf(fw, localSet, r.families);
  // netsh has no family keyword: when neither side pins the rule to its families, say so with
  // the family's whole range on the remote side.
  const implied = impliedFamilies(fw, remoteSet, localSet);
  if (implied.length !== r.families.length && remote === undefined && r.protocol !== 'icmp') {
    remote = r.families.map((f) => (f === 4 ? '0.0.0.0-255.255.255.255' : '::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));
  }

  const head = [
    `netsh advfirewall firewall add rule name="${name}"`,
    `dir=${inbound ? 'in' : 'out'}`,
    `action=${r.action === 'accept' ? 'allow' : 'block'}`,
    `protocol=${protocol}`,
  ];
  const tail = ['profile=any', 'enable=yes', `description="${cmdText(`${r.id}: ${r.comment}`).slice(0, 250)}"`];
  const lists: RuleList[] = [];
  if (localPorts) lists.push({ key: 'localport', items: localPorts.ranges.map(formatPortRange) });
  if (remotePorts) lists.push({ key: 'remoteport', items: remotePorts.ranges.map(formatPortRange) });
  if (local) lists.push({ key: 'localip', items: local });
  if (remote) lists.push({ key: 'remoteip', items: remote });
  const base = [...head, ...tail].join(' ').length;
  return { rule: r, head, tail, plan: planSplit(base, lists, PER_COMMAND) };
}

/** The CIDRs of a named set, only of the rule's families; undefined means any address. */
function addressesOf(fw: IrFirewall, setName: string | undefined, families: IrFamily[]): readonly string[] | undefined {
  if (setName === undefined) return undefined;
  const set = addressSetNamed(fw, setName);
  if (!set) throw brokenIr('netsh', `firewall ${fw.name} names address set ${setName}, which it does not define`);
  // One array per set and families for every rule and firewall (cidrLists.ts), so split.ts
  // chunks it once (its chunks are memoised by the array).
  const list = concatOnce(families.includes(4) ? set.ipv4 : [], families.includes(6) ? set.ipv6 : []);
  const bad = firstMismatch(list, CIDR_TEXT);
  if (bad !== undefined) throw brokenIr('netsh', `address ${JSON.stringify(bad)} in set ${setName} is not a CIDR`);
  if (list.length === 0) throw brokenIr('netsh', `address set ${setName} has no addresses of the families of the rule that uses it`);
  return list;
}

function impliedFamilies(fw: IrFirewall, a: string | undefined, b: string | undefined): IrFamily[] {
  const of = (n: string | undefined): IrFamily[] => {
    if (n === undefined) return [4, 6];
    const s = addressSetNamed(fw, n);
    return [...(s?.ipv4.length ? [4 as const] : []), ...(s?.ipv6.length ? [6 as const] : [])];
  };
  const fb = of(b);
  return of(a).filter((f) => fb.includes(f));
}
