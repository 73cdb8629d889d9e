import type { IrDocument, IrFamily, IrFirewall, IrPorts, IrRule } from '../../src/ir/types.js';
import { formatPortRange } from '../../src/addresses/ports.js';
import { icmpTypeNames } from '../icmp.js';
import { gatewayText, zonePairs } from '../../src/ir/zonePairs.js';
import { oneLineText } from '../../src/text/hidden.js';
import { joinedOnce } from '../cidrLists.js';

/** What the template prints; every string in it is already safe nft syntax. */
export interface NftView {
  source: string;
  deployment: string;
  firewall: string;
  placement: string;
  descriptionLines: string[];
  fileName: string;
  table: string;
  sets: { name: string; type: string; elements: string }[];
  chains: NftChain[];
}

/** A base chain has a hook and a policy; a regular chain is reached by `jump`. */
export interface NftChain {
  name: string;
  hook?: string;
  policy?: string;
  lines: string[];
}

export const nftTableName = (fw: IrFirewall) => `msgr_${fw.name}`;

/** ICMP that must pass a default-deny firewall for errors and path-MTU discovery (RFC 4890 for v6). */
const ICMP4_ESSENTIAL = 'destination-unreachable, time-exceeded, parameter-problem';
const ICMP6_ESSENTIAL = 'destination-unreachable, packet-too-big, time-exceeded, parameter-problem';
/** Neighbour and router discovery: only a host needs these for itself (hop limit 255: on-link only). */
const ICMP6_NDP = 'nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert';

export function buildNftView(doc: IrDocument, fw: IrFirewall, fileName: string): NftView {
  const setFamilies = new Map<string, IrFamily[]>();
  const sets: NftView['sets'] = [];
  // Only sets a rule or the zone test refers to: a host's own set would be dead weight.
  const used = new Set(fw.rules.flatMap((r) => [r.src, r.dst]).filter((n): n is string => n !== undefined));
  if (fw.placement.kind === 'gateway') fw.placement.zones.forEach((z) => used.add(z));
  for (const s of fw.addressSets.filter((x) => used.has(x.name))) {
    const fams: IrFamily[] = [];
    if (s.ipv4.length) {
      sets.push({ name: `${s.name}_v4`, type: 'ipv4_addr', elements: joinedOnce(s.ipv4, ', ') });
      fams.push(4);
    }
    if (s.ipv6.length) {
      sets.push({ name: `${s.name}_v6`, type: 'ipv6_addr', elements: joinedOnce(s.ipv6, ', ') });
      fams.push(6);
    }
    setFamilies.set(s.name, fams);
  }
  for (const p of fw.portSets) {
    sets.push({ name: `${p.name}_ports`, type: 'inet_service', elements: p.ranges.map(formatPortRange).join(', ') });
  }

  const chains = fw.placement.kind === 'host' ? hostChains(fw) : gatewayChains(fw, fw.placement.zones, setFamilies);
  return {
    source: commentText(doc.source),
    deployment: doc.deployment,
    firewall: fw.name,
    placement: fw.placement.kind === 'host' ? `host firewall on ${fw.placement.on}` : gatewayText(fw.placement),
    descriptionLines: doc.description ? [commentText(doc.description)] : [],
    fileName: commentText(fileName),
    table: nftTableName(fw),
    sets,
    chains,
  };
}

/** A host filters all its input (and output): base chains whose policy is the default. */
function hostChains(fw: IrFirewall): NftChain[] {
  return (['input', 'output'] as const)
    .map((dir): NftChain => {
      const policy = fw.policy[dir] ?? 'accept';
      const lines: string[] = [];
      if (policy === 'drop' || fw.rules.some((r) => r.direction === dir)) {
        lines.push(...preamble(fw, dir), ...fw.rules.filter((x) => x.direction === dir).flatMap((r) => ruleLines(fw, r)));
        if (policy === 'drop' && fw.logDenied) lines.push(`${LOG_LIMIT} log prefix ${logPrefix(fw)} comment "log denied"`);
      }
      return { name: dir, hook: dir, policy, lines };
    })
    .filter((c) => c.policy === 'drop' || c.lines.length > 0);
}

/**
 * A gateway judges traffic from one of its zones to another: the forward hook sends exactly that
 * (one jump per ordered pair of zones and family) to the `crossing` chain, which ends in the
 * default. Other forwarded traffic meets `others`: with accept it leaves the chain and is left to
 * the machine's other tables; with deny the forward chain drops it, and `crossing` ends in an
 * explicit verdict either way, so a default accept does not fall back into that drop.
 */
function gatewayChains(fw: IrFirewall, zones: readonly string[], setFamilies: Map<string, IrFamily[]>): NftChain[] {
  const others = fw.placement.kind === 'gateway' ? fw.placement.others : 'accept';
  const jumps = zonePairs(zones).flatMap(([a, b]) =>
    (setFamilies.get(a) ?? [])
      .filter((f) => (setFamilies.get(b) ?? []).includes(f))
      .map((f) => {
        const ip = f === 4 ? 'ip' : 'ip6';
        const sfx = f === 4 ? '_v4' : '_v6';
        return `${ip} saddr @${a}${sfx} ${ip} daddr @${b}${sfx} jump crossing comment "between the zones"`;
      }),
  );
  const policy = fw.policy.forward ?? 'accept';
  const crossing = [...preamble(fw, 'forward'), ...fw.rules.filter((r) => r.direction === 'forward').flatMap((r) => ruleLines(fw, r))];
  if (policy === 'drop') {
    if (fw.logDenied) crossing.push(`${LOG_LIMIT} log prefix ${logPrefix(fw)} comment "log denied"`);
    crossing.push('drop comment "default deny"');
  } else if (others === 'drop') {
    crossing.push('accept comment "default accept"');
  }
  if (others === 'drop') {
    if (fw.logDenied) jumps.push(`${LOG_LIMIT} log prefix ${logPrefix(fw)} comment "log denied"`);
    jumps.push('drop comment "others deny: between none of the zones"');
  }
  return [
    { name: 'forward', hook: 'forward', policy: 'accept', lines: jumps },
    { name: 'crossing', lines: crossing },
  ];
}

function preamble(fw: IrFirewall, dir: string): string[] {
  const out: string[] = [];
  const host = fw.placement.kind === 'host';
  for (const p of fw.preamble) {
    if (p === 'loopback' && host) out.push(`${dir === 'output' ? 'oif' : 'iif'} "lo" accept comment "loopback"`);
    if (p === 'established') out.push('ct state established,related accept comment "return traffic"');
    if (p === 'invalid') out.push('ct state invalid drop comment "not part of any connection"');
    if (p === 'icmp') {
      out.push(`meta l4proto icmp icmp type { ${ICMP4_ESSENTIAL} } accept comment "ICMP errors"`);
      out.push(`meta l4proto ipv6-icmp icmpv6 type { ${ICMP6_ESSENTIAL} } accept comment "ICMPv6 errors and path MTU"`);
      if (host) out.push(`meta l4proto ipv6-icmp icmpv6 type { ${ICMP6_NDP} } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery"`);
    }
  }
  return out;
}

/**
 * One IR rule becomes one nft rule per address family it applies to; a rule without
 * addresses that applies to both families needs no family test and stays one rule.
 */
function ruleLines(fw: IrFirewall, r: IrRule): string[] {
  // ICMP types differ per family (ICMPv4, ICMPv6): an ICMP rule is always one line per family.
  const bothWithoutAddresses = !r.src && !r.dst && r.families.includes(4) && r.families.includes(6) && r.protocol !== 'icmp';
  const perFamily: (IrFamily | undefined)[] = bothWithoutAddresses ? [undefined] : r.families;
  return perFamily.map((family): string[] => {
    const parts: string[] = [];
    if (family !== undefined) {
      const ip = family === 4 ? 'ip' : 'ip6';
      const suffix = family === 4 ? '_v4' : '_v6';
      if (!r.src && !r.dst) parts.push(`meta nfproto ${family === 4 ? 'ipv4' : 'ipv6'}`);
      if (r.src) parts.push(`${ip} saddr @${r.src}${suffix}`);
      if (r.dst) parts.push(`${ip} daddr @${r.dst}${suffix}`);
    }
    if (r.protocol === 'icmp') parts.push(icmpMatch(fw, r, family!));
    else {
      const ports = [portMatch(r.protocol, 'sport', r.srcPorts), portMatch(r.protocol, 'dport', r.dstPorts)].filter(Boolean);
      parts.push(ports.length ? ports.join(' ') : `meta l4proto ${r.protocol}`);
    }
    const match = parts.join(' ');
    // The log gets its own rule: a `limit` in front of `drop` would make the drop conditional.
    const log = r.action === 'drop' && fw.logDenied ? [`${match} ${LOG_LIMIT} log prefix ${logPrefix(fw)}`] : [];
    return [...log, `${match} ${r.action} comment ${quote(r.comment)}`];
  }).flat();
}

const LOG_LIMIT = 'limit rate 5/second burst 10 packets';

const logPrefix = (fw: IrFirewall) => quote(`msgr ${fw.name} denied: `.slice(0, 127));

/** `icmp type { echo-request, timestamp-request }`, or `icmpv6 type …` (the names of targets/icmp.ts). */
function icmpMatch(fw: IrFirewall, r: IrRule, family: IrFamily): string {
  const names = icmpTypeNames('nftables', fw, r, family);
  return `${family === 4 ? 'icmp' : 'icmpv6'} type ${names.length === 1 ? names[0] : `{ ${names.join(', ')} }`}`;
}

function portMatch(protocol: string, field: 'sport' | 'dport', ports: IrPorts | undefined): string | undefined {
  if (!ports) return undefined;
  if (ports.set) return `${protocol} ${field} @${ports.set}_ports`;
  const list = ports.ranges.map(formatPortRange);
  return `${protocol} ${field} ${list.length === 1 ? list[0] : `{ ${list.join(', ')} }`}`;
}

/**
 * An nft quoted string: the scanner has no escapes inside quotes, so a quote cannot be
 * represented; everything outside printable ASCII is replaced. IR comments are already inert.
 */
function quote(s: string): string {
  return `"${s.replace(/[^\x20-\x7e]|"/g, '_')}"`;
}

/** Text inside a `#` comment line: one line, no control, bidirectional or line-separating character. */
export const commentText = oneLineText;

