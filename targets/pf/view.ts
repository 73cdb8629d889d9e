import type { IrAddressSet, IrDocument, IrFamily, IrFirewall, IrPorts, IrRule } from '../../src/ir/types.js';
import { formatPortRange } from '../../src/addresses/ports.js';
import { icmpTypeNames } from '../icmp.js';
import { brokenIr } from '../ir.js';
import { CIDR_TEXT, firstMismatch, joinedOnce } from '../cidrLists.js';
import { acceptDefaults, acceptText, pfHeader } from './header.js';
import { addressSetNamed } from '../../src/ir/lookup.js';
import { zoneListText, zonePairs } from '../../src/ir/zonePairs.js';

/**
 * pf (OpenBSD, FreeBSD, macOS): one anchor per firewall, loaded with
 * `pfctl -a msgr/<fw> -f <fw>.pf.conf`. Loading replaces the anchor's rules and tables only; the
 * main ruleset is never edited (it must evaluate the anchor, e.g. `anchor "msgr/*"`: header.ts
 * says what else it must and must not contain).
 *
 * First match on a last-match filter: pf applies the LAST rule that matches unless a rule says
 * `quick`, which ends evaluation at once (in every anchor and the main ruleset). The IR's rules
 * and a default deny are all `quick`, so the first rule that matches decides, exactly the IR's
 * order, and nothing after this anchor can undo it.
 *
 * State: a packet that belongs to a state passes before any rule is read, in either direction,
 * so every pass keeps state (TCP from its SYN, `flags S/SA`) and the replies of what it passes
 * come back whatever the rules say about them, as conntrack's `established` does for nftables
 * and iptables. pf's implicit pass for a packet no rule matches creates NO state, so a default
 * accept cannot be left to it: the replies of a connection it let out would meet this anchor's
 * inbound rules (a host's default deny, or a deny rule). A default accept is therefore a final
 * `pass … keep state` that is NOT quick: it decides only what no quick rule did, and a rule after
 * the anchor line in pf.conf still overrides it, as another nftables table or the built-in
 * chain's own rules still apply to what an nftables or iptables default accept lets through.
 *
 * Gateways: pf has no forward chain. A forwarded packet is filtered twice, `in` on the interface
 * it arrives on and `out` on the one it leaves by, and pf keeps a state per direction, so a
 * pass rule that named only `in` would leave replies to the main ruleset. Gateway rules name no
 * direction: they match the packet on both interfaces and create both states. Without interface
 * names in the IR, "forwarded" is expressed by the two zones' addresses: every rule, including
 * the default block, names a source in one zone and a destination in the other, so traffic
 * between other networks is left to the main ruleset. So must the gateway's own traffic be (the
 * forward hook of nftables and iptables never sees it), but the gateway's address inside a zone
 * is in the zone: every table of a gateway anchor ends in `!self`. `self` is every address of
 * every interface, which pfctl writes into the table when it loads the anchor as negated entries,
 * and a table lookup is a longest-prefix match, so `{ 10.1.0.0/16, !10.1.0.1 }` holds the /16 but
 * the gateway's address (pf.conf(5), TABLES; the PF FAQ's `{ 192.0.2.0/24, !192.0.2.5 }`). Not in
 * a rule: a rule's list is expanded into one rule per element, so `to { <b>, !self }` matches
 * every address (the FAQ's "negated lists" mistake), and `self` itself is such a list, so
 * `to ! self` is one rule per address and matches everything once the gateway has two. A table
 * cannot hold the dynamic `(self)` (pfctl: "dynamic addresses are not permitted inside tables"):
 * the anchor must be loaded again when the gateway's addresses change (said in the header).
 */
export interface PfView {
  header: string[];
  tables: { name: string; entries: string }[];
  sections: { title: string; lines: string[] }[];
}

const ICMP4_ESSENTIAL = 'unreach, timex, paramprob';
const ICMP6_ESSENTIAL = 'unreach, toobig, timex, paramprob';
const ICMP6_NDP = 'routersol, routeradv, neighbrsol, neighbradv';
/** PF_TABLE_NAME_SIZE is 32 with the terminating NUL. */
export const PF_TABLE_NAME_MAX = 31;
/** PF_RULE_LABEL_SIZE is 64 with the terminating NUL. */
const PF_LABEL_MAX = 63;

export function buildPfView(doc: IrDocument, fw: IrFirewall, fileName: string): PfView {
  const host = fw.placement.kind === 'host';
  for (const s of fw.addressSets) {
    if (!/^[a-z][a-z0-9_]*$/.test(s.name) || s.name.length > PF_TABLE_NAME_MAX) {
      throw brokenIr('pf', `address set ${s.name} of firewall ${fw.name} is not a valid pf table name (letters, digits, _; at most ${PF_TABLE_NAME_MAX})`);
    }
  }
  const tables = fw.addressSets.map((s) => {
    for (const list of [s.ipv4, s.ipv6]) {
      const bad = firstMismatch(list, CIDR_TEXT);
      if (bad !== undefined) throw brokenIr('pf', `address ${JSON.stringify(bad)} in set ${s.name} is not a CIDR`);
    }
    // A gateway judges forwarded traffic only: its own addresses are in no table (see above).
    // Joined by concatenation, so the table shares the lists' text (cidrLists.ts) rather than copying it.
    const entries = [joinedOnce(s.ipv4, ', '), joinedOnce(s.ipv6, ', '), host ? '' : '!self'].filter((part) => part !== '');
    return { name: s.name, entries: entries.reduce((text, part) => `${text}, ${part}`) };
  });
  if (fw.placement.kind === 'gateway' && fw.placement.others === 'drop') tables.push({ name: GATEWAY_OWN_TABLE, entries: GATEWAY_OWN.join(', ') });
  const sections = host ? hostSections(fw) : gatewaySections(fw);
  return { header: pfHeader(doc, fw, fileName), tables, sections };
}

/**
 * `others deny` on a gateway: what is not forwarded, so the block of "between none of the zones"
 * spares it. The gateway's own addresses (`self`, read at load time as above), and destinations
 * a router delivers on the link and never forwards: IPv4 multicast and limited broadcast, IPv6
 * multicast (neighbour discovery's solicited-node addresses among them) and link-local addresses
 * of both families. 26 characters: longer than any address set's name (at most 24), so it
 * cannot collide with one.
 */
export const GATEWAY_OWN_TABLE = 'msgrfw_gateway_own_address';
const GATEWAY_OWN = ['self', '224.0.0.0/4', '255.255.255.255', '169.254.0.0/16', 'ff00::/8', 'fe80::/10'];

/** Every TCP state from a SYN (pf's own default for a stateful rule, written out), UDP and the rest by addresses and ports. */
const KEEP_STATE = 'flags S/SA keep state';

function acceptSection(fw: IrFirewall, lines: string[]): PfView['sections'] {
  if (!lines.length) return [];
  const what = acceptDefaults(fw).map(acceptText);
  return [{ title: `Default: accept ${what.join(' and ')}, with state; not quick, so a rule after the anchor line in pf.conf may still decide.`, lines }];
}

const PF_DIR = { input: 'in', output: 'out' } as const;

function hostSections(fw: IrFirewall): PfView['sections'] {
  const sections: PfView['sections'] = [];
  const filtered = (['input', 'output'] as const).filter((d) => fw.policy[d] === 'drop' || fw.rules.some((r) => r.direction === d));
  const pre: string[] = [];
  for (const d of filtered) {
    const dir = PF_DIR[d];
    for (const p of fw.preamble) {
      if (p === 'loopback') pre.push(`pass ${dir} quick on lo0 all no state`);
      if (p === 'icmp') {
        pre.push(`pass ${dir} quick inet proto icmp all icmp-type { ${ICMP4_ESSENTIAL} } no state`);
        pre.push(`pass ${dir} quick inet6 proto ipv6-icmp all icmp6-type { ${ICMP6_ESSENTIAL} } no state`);
        pre.push(`pass ${dir} quick inet6 proto ipv6-icmp all icmp6-type { ${ICMP6_NDP} } no state`);
      }
    }
  }
  if (pre.length) {
    sections.push({
      title: 'Loopback, ICMP errors and path MTU, IPv6 neighbour and router discovery (pf cannot check the hop limit of 255).',
      lines: pre,
    });
  }
  for (const r of fw.rules) {
    if (r.direction === 'forward') throw brokenIr('pf', `rule ${r.id} of host firewall ${fw.name} filters forwarded traffic`);
    sections.push({ title: `${r.id} ${r.comment}`, lines: ruleLines(fw, r, PF_DIR[r.direction]) });
  }
  const defaults = (['input', 'output'] as const)
    .filter((d) => fw.policy[d] === 'drop')
    .map((d) => `block drop ${PF_DIR[d]}${fw.logDenied ? ' log' : ''} quick all`);
  if (defaults.length) sections.push({ title: `Default: deny${fw.logDenied ? ', logged to pflog0' : ''}.`, lines: defaults });
  const accepts = acceptDefaults(fw).map((d) => `pass ${PF_DIR[d as 'input' | 'output']} all ${KEEP_STATE}`);
  sections.push(...acceptSection(fw, accepts));
  return sections;
}

function gatewaySections(fw: IrFirewall): PfView['sections'] {
  if (fw.placement.kind !== 'gateway') return [];
  const sections: PfView['sections'] = [];
  const deny = fw.policy.forward === 'drop';
  const pairs = zonePairs(fw.placement.between.map((zone) => zoneSet(fw, zone)));
  const pre: string[] = [];
  if (fw.preamble.includes('icmp') && deny) {
    for (const [from, to] of pairs) {
      if (from.ipv4.length && to.ipv4.length) {
        pre.push(`pass quick inet proto icmp from <${from.name}> to <${to.name}> icmp-type { ${ICMP4_ESSENTIAL} } no state`);
      }
      if (from.ipv6.length && to.ipv6.length) {
        pre.push(`pass quick inet6 proto ipv6-icmp from <${from.name}> to <${to.name}> icmp6-type { ${ICMP6_ESSENTIAL} } no state`);
      }
    }
  }
  if (pre.length) sections.push({ title: 'ICMP errors and path MTU between the zones.', lines: pre });
  for (const r of fw.rules) {
    if (r.direction !== 'forward') throw brokenIr('pf', `rule ${r.id} of gateway ${fw.name} is not a forward rule`);
    // A side left open would reach the gateway's own traffic and other networks' (see above).
    if (!r.src || !r.dst) throw brokenIr('pf', `rule ${r.id} of gateway ${fw.name} does not name both zones`);
    sections.push({ title: `${r.id} ${r.comment}`, lines: ruleLines(fw, r, undefined) });
  }
  if (deny) {
    sections.push({
      title: `Default: deny what crosses between ${zoneListText(fw.placement.between)}${fw.logDenied ? ', logged to pflog0' : ''}.`,
      lines: pairs.map(([from, to]) => `block drop${fw.logDenied ? ' log' : ''} quick from <${from.name}> to <${to.name}>`),
    });
  }
  if (fw.placement.others === 'drop') {
    // The whole forward policy: the default accept is final too, so pf.conf cannot reopen or close it.
    if (!deny) {
      sections.push({
        title: `Default: accept between ${zoneListText(fw.placement.between)}, with state; quick: with others deny this anchor is the whole forward policy.`,
        lines: pairs.map(([from, to]) => `pass quick from <${from.name}> to <${to.name}> ${KEEP_STATE}`),
      });
    }
    sections.push({
      title: `Others: deny forwarded traffic between none of the zones${fw.logDenied ? ', logged to pflog0' : ''} (neither end is the gateway, a multicast, broadcast or link-local address).`,
      lines: [`block drop${fw.logDenied ? ' log' : ''} quick from ! <${GATEWAY_OWN_TABLE}> to ! <${GATEWAY_OWN_TABLE}>`],
    });
    return sections;
  }
  sections.push(...acceptSection(fw, deny ? [] : pairs.map(([from, to]) => `pass from <${from.name}> to <${to.name}> ${KEEP_STATE}`)));
  return sections;
}

/** The table that holds exactly a gateway zone, as the IR placement names it. */
function zoneSet(fw: IrFirewall, zone: string): IrAddressSet {
  const index = fw.placement.kind === 'gateway' ? fw.placement.between.indexOf(zone) : -1;
  const name = fw.placement.kind === 'gateway' && index >= 0 ? fw.placement.zones[index] : undefined;
  const set = addressSetNamed(fw, name);
  if (!set) throw brokenIr('pf', `gateway ${fw.name}: the IR has no address set for the zone ${zone}`);
  return set;
}

/** One IR rule → one pf rule per address family. */
function ruleLines(fw: IrFirewall, r: IrRule, dir: 'in' | 'out' | undefined): string[] {
  return r.families.map((family) => {
    const parts: string[] = [r.action === 'accept' ? 'pass' : 'block drop'];
    if (dir) parts.push(dir);
    if (r.action === 'drop' && fw.logDenied) parts.push('log');
    const icmp = r.protocol === 'icmp';
    parts.push('quick', familyKeyword(family), `proto ${icmp ? (family === 4 ? 'icmp' : 'ipv6-icmp') : r.protocol}`);
    parts.push(`from ${address(fw, r.src)}`);
    if (r.srcPorts) parts.push(`port ${ports(r.srcPorts)}`);
    parts.push(`to ${address(fw, r.dst)}`);
    if (r.dstPorts) parts.push(`port ${ports(r.dstPorts)}`);
    if (icmp) {
      const names = icmpTypeNames('pf', fw, r, family);
      parts.push(`${family === 4 ? 'icmp-type' : 'icmp6-type'} ${names.length === 1 ? names[0] : `{ ${names.join(', ')} }`}`);
    }
    // An ICMP query keeps state like a connection: its reply matches it (pf.c, pf_icmp_mapping).
    if (r.action === 'accept') parts.push(r.protocol === 'tcp' ? KEEP_STATE : 'keep state');
    parts.push(`label "${labelText(`${fw.name} ${r.id}`)}"`);
    return parts.join(' ');
  });
}

const familyKeyword = (f: IrFamily) => (f === 4 ? 'inet' : 'inet6');

function address(fw: IrFirewall, name: string | undefined): string {
  if (name === undefined) return 'any';
  if (!addressSetNamed(fw, name)) throw brokenIr('pf', `firewall ${fw.name} names address set ${name}, which it does not define`);
  return `<${name}>`;
}

function ports(p: IrPorts): string {
  const list = p.ranges.map((r) => (r.from === r.to ? `${r.from}` : formatPortRange(r).replace('-', ':')));
  return list.length === 1 ? list[0]! : `{ ${list.join(', ')} }`;
}

/** A pf label: quoted, no `"` `\` or `$` (label macros), at most 63 characters. */
function labelText(s: string): string {
  return s.replace(/[^A-Za-z0-9 _.,:/+=()-]/g, '_').slice(0, PF_LABEL_MAX);
}
