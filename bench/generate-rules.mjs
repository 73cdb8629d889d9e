// One host firewall with a long access list of plain rules, as an administrator carries it over
// from a legacy data-centre firewall (issue 15: 1,000 to 50,000 rules), for msgrfw and, term for
// term in the same order, for Capirca. Deterministic: the same size writes the same bytes.
//
// The firewall runs on the data centre's servers (10.0.0.0/16, 2001:db8::/48), split into tiers
// (a /26 each, every fourth dual-stack), each with a role whose ports the rules open: web, SQL,
// directory, mail, application, DNS and so on. The branch offices (a /24 each, every third
// dual-stack) are grouped into regions of 16. The rules, in an order that follows neither
// addresses nor ports:
//
// - allow a tier's ports (or some of them) from a batch of offices to the tier: the bulk, where
//   the optimiser merges each batch into one rule with a set of sources;
// - allow a tier's ports from a whole region: later office rules within it are shadowed (MSGR070,
//   same verdict);
// - allow from an office's administrators' /28 what an earlier office or region rule already allows
//   (shadowed, same verdict);
// - deny legacy protocols (telnet, FTP, TFTP, NetBIOS, SMB) from a batch of offices to a tier, and later
//   perhaps allow one of them from a /28 of that office (shadowed, other verdict: the deny wins);
// - deny everything of a protocol from a quarantined network to a tier or to all servers.
//
// No deny ever follows an allow it overlaps (denied ports are never allowed first; quarantined
// networks are never allowed), so Windows Firewall's block-before-allow order keeps the meaning
// and every target takes the firewall.

import { capircaHeader, capircaIcmpTerms, capircaNetworks, capircaTerm } from './generate.mjs';

/** Roles of the server tiers: protocol and the ports an allow rule picks from. */
const ROLES = [
  ['tcp', ['80', '443', '8443']],
  ['tcp', ['1433', '3306', '5432']],
  ['tcp', ['389', '636', '3268-3269']],
  ['tcp', ['25', '587', '993', '995']],
  ['tcp', ['8000-8099', '9000-9099', '8080']],
  ['udp', ['53', '123']],
  ['tcp', ['22', '3389', '5985-5986']],
  ['udp', ['161', '514', '1812-1813']],
  ['tcp', ['2049', '111']],
  ['tcp', ['6379', '11211', '27017', '9200']],
];
/** Legacy protocols the rules deny (never allowed before a deny of them). */
const DENIED = [
  ['tcp', ['21', '23']],
  ['udp', ['69']],
  ['tcp', ['135', '139', '445']],
  ['udp', ['137-138']],
];
const OFFICES_PER_REGION = 16;
const MAX_TIERS = 1000; // 10.0.0.0/16 holds 1,024 /26s; the last /24 is the Messenger server's
export const MAX_RULES = 100_000;

/** A deterministic generator of integers below n (a linear congruential generator). */
function random(seed) {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return Math.floor((x / 2 ** 32) * n);
  };
}

const tierMembers = (g) => [`10.0.${g >> 2}.${(g & 3) << 6}/26`, ...(g % 4 === 0 ? [`2001:db8:0:${g.toString(16)}::/64`] : [])];
const officeV4 = (i) => `10.${64 + (i >> 8)}.${i & 255}`;
const officeMembers = (i) => [`${officeV4(i)}.0/24`, ...(i % 3 === 0 ? [`2001:db8:1:${i.toString(16)}::/64`] : [])];
const quarantineMembers = (q) => [`172.${16 + (q >> 8)}.${q & 255}.0/24`];
/** The /28 of office i, its administrators' subnet, that exceptions name. */
const officeAdmins = (i) => `${officeV4(i)}.0/28`;

/** Some of a list (at least one, in order). */
const someOf = (next, xs) => {
  const picked = xs.filter(() => next(2) === 0);
  return picked.length ? picked : [xs[next(xs.length)]];
};

/** The plan of a firewall with `count` plain rules (the administrators' SSH rule included). */
export function plainRulesPlan(count) {
  if (!(count >= 2 && count <= MAX_RULES)) throw new Error(`plain rules out of range: ${count}`);
  const next = random(0x15 + count);
  const offices = Math.min(16384, Math.max(16, Math.ceil(count / 5)));
  const tiers = Math.min(MAX_TIERS, Math.max(8, Math.ceil(count / 50)));
  const regions = Math.ceil(offices / OFFICES_PER_REGION);
  const quarantined = Math.max(2, Math.ceil(count / 200));
  const roleOf = (g) => ROLES[g % ROLES.length];
  const rules = [];
  const push = (r) => rules.length < count - 1 && rules.push(r);
  const allowed = []; // earlier allows from an office or region: what a /28 exception may repeat
  const denied = new Map(); // `office tier` → the denied legacy protocol
  const deniedKeys = [];
  const shadowed = { sameVerdict: 0, otherVerdict: 0 };
  // The list grows by changes, as tickets add them: a batch of allows or of denies at a time.
  while (rules.length < count - 1) {
    const kind = next(100);
    const tier = next(tiers);
    const [proto, ports] = roleOf(tier);
    if (kind < 40) {
      // A tier's service (mostly whole, else a part) opened to a batch of offices: the optimiser
      // merges the batch into one rule with a set of sources.
      const some = next(10) < 7 ? ports : someOf(next, ports);
      for (let k = 1 + next(30); k > 0; k--) {
        const office = next(offices);
        push({ action: 'allow', proto, ports: some, from: `office_${office}`, to: `tier_${tier}` });
        allowed.push({ proto, ports: some, office, to: `tier_${tier}` });
      }
    } else if (kind < 44) {
      const region = next(regions);
      const some = someOf(next, ports);
      push({ action: 'allow', proto, ports: some, from: `region_${region}`, to: `tier_${tier}` });
      for (let k = 0; k < 4; k++) allowed.push({ proto, ports: some, office: region * OFFICES_PER_REGION + next(OFFICES_PER_REGION), to: `tier_${tier}` });
    } else if (kind < 56 && allowed.length) {
      // An exception for an office's /28 that an earlier rule already allows.
      const a = allowed[next(allowed.length)];
      if (a.office >= offices) continue;
      if (push({ action: 'allow', proto: a.proto, ports: [a.ports[next(a.ports.length)]], from: `office_${a.office}_admins`, to: a.to })) shadowed.sameVerdict++;
    } else if (kind < 76) {
      // Legacy protocols denied from a batch of offices to a tier.
      for (let k = 1 + next(20); k > 0; k--) {
        const office = next(offices);
        const key = `${office} ${tier}`;
        if (denied.has(key)) continue;
        const legacy = DENIED[next(DENIED.length)];
        denied.set(key, legacy);
        deniedKeys.push(key);
        push({ action: 'deny', proto: legacy[0], ports: legacy[1], from: `office_${office}`, to: `tier_${tier}` });
      }
    } else if (kind < 84 && deniedKeys.length) {
      // An exception that never takes effect: the earlier deny of the whole office wins.
      const key = deniedKeys[next(deniedKeys.length)];
      const [office, t] = key.split(' ');
      const [dproto, dports] = denied.get(key);
      if (push({ action: 'allow', proto: dproto, ports: [dports[next(dports.length)]], from: `office_${office}_admins`, to: `tier_${t}` })) shadowed.otherVerdict++;
    } else {
      for (let k = 1 + next(10); k > 0; k--) {
        const q = next(quarantined);
        push({ action: 'deny', proto: next(3) === 0 ? 'udp' : 'tcp', ports: [], from: `quarantine_${q}`, to: next(4) === 0 ? 'servers' : `tier_${next(tiers)}` });
      }
    }
  }
  const adminNets = [...new Set(rules.flatMap((r) => (/_admins$/.test(r.from) ? [Number(r.from.split('_')[1])] : [])))].sort((a, b) => a - b);
  return { count, offices, tiers, regions, quarantined, adminNets, rules, shadowed };
}

const rulePorts = (r) => (r.ports.length ? ` ${r.ports.join(', ')}` : '');

export function plainRulesMsgrPolicy(p, targets) {
  const L = [];
  L.push(`# Generated by bench/generate-rules.mjs: one host firewall with ${p.count} plain rules.`);
  L.push('deployment plain {');
  L.push(`  description "msgrfw benchmark: ${p.count} plain rules on one host firewall"`);
  L.push('');
  L.push('  network servers = 10.0.0.0/16, 2001:db8::/48');
  L.push('  network lcs     = 10.0.255.10, 2001:db8:0:ffff::10');
  L.push('  network admins  = 10.254.0.0/24');
  for (let g = 0; g < p.tiers; g++) L.push(`  network tier_${g} = ${tierMembers(g).join(', ')}`);
  for (let i = 0; i < p.offices; i++) L.push(`  network office_${i} = ${officeMembers(i).join(', ')}`);
  for (let r = 0; r < p.regions; r++) {
    const members = [];
    for (let i = r * OFFICES_PER_REGION; i < Math.min(p.offices, (r + 1) * OFFICES_PER_REGION); i++) members.push(`office_${i}`);
    L.push(`  network region_${r} = ${members.join(', ')}`);
  }
  for (let q = 0; q < p.quarantined; q++) L.push(`  network quarantine_${q} = ${quarantineMembers(q).join(', ')}`);
  for (const i of p.adminNets) L.push(`  network office_${i}_admins = ${officeAdmins(i)}`);
  L.push('  network offices = 10.64.0.0/10, 2001:db8:1::/48');
  L.push('');
  L.push('  server lcs {');
  L.push('    sip tls');
  L.push('  }');
  L.push('  clients offices {');
  L.push('    server lcs via tls');
  L.push('    features im, presence');
  L.push('  }');
  L.push('');
  L.push('  firewall dc {');
  L.push('    on servers');
  L.push(`    targets ${targets.join(', ')}`);
  L.push('    default deny');
  for (const r of p.rules) L.push(`    ${r.action} ${r.proto}${rulePorts(r)} from ${r.from} to ${r.to}`);
  L.push('    allow tcp 22 from admins');
  L.push('  }');
  L.push('}');
  return `${L.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Capirca: the same networks and one term per plain rule, in the same order.

const serviceName = (proto, port) => `${proto.toUpperCase()}_${port.replace('-', '_')}`;

export function plainRulesCapircaDefinitions(p) {
  const { entry, text: networkFile } = capircaNetworks();
  entry('SERVERS', ['10.0.0.0/16', '2001:db8::/48']);
  entry('LCS', ['10.0.255.10/32', '2001:db8:0:ffff::10/128']);
  entry('ADMINS', ['10.254.0.0/24']);
  entry('OFFICES', ['10.64.0.0/10', '2001:db8:1::/48']);
  for (let g = 0; g < p.tiers; g++) entry(`TIER_${g}`, tierMembers(g));
  for (let i = 0; i < p.offices; i++) entry(`OFFICE_${i}`, officeMembers(i));
  for (let r = 0; r < p.regions; r++) {
    const members = [];
    for (let i = r * OFFICES_PER_REGION; i < Math.min(p.offices, (r + 1) * OFFICES_PER_REGION); i++) members.push(`OFFICE_${i}`);
    entry(`REGION_${r}`, members);
  }
  for (let q = 0; q < p.quarantined; q++) entry(`QUARANTINE_${q}`, quarantineMembers(q));
  for (const i of p.adminNets) entry(`OFFICE_${i}_ADMINS`, [officeAdmins(i)]);
  const services = new Set(['SIP_TLS = 5061/tcp', 'SSH = 22/tcp']);
  for (const [proto, ports] of [...ROLES, ...DENIED]) for (const port of ports) services.add(`${serviceName(proto, port)} = ${port}/${proto}`);
  return { 'NETWORK.net': networkFile(), 'SERVICES.svc': `${[...services].join('\n')}\n` };
}

/** Capirca generators per msgrfw target, for a host firewall (input) of both families. */
export function plainRulesCapircaPolicies(p, targets) {
  const v4 = [];
  const v6 = [];
  if (targets.includes('iptables')) v4.push('iptables INPUT DROP inet'), v6.push('iptables INPUT DROP inet6');
  if (targets.includes('netsh')) v4.push('windows_advfirewall in inet'), v6.push('windows_advfirewall in inet6');
  if (targets.includes('nftables')) v4.push('nftables mixed INPUT');
  if (targets.includes('pf')) v4.push('packetfilter dc_in in mixed');
  const t = [...capircaIcmpTerms(true)];
  p.rules.forEach((r, k) => {
    t.push(
      capircaTerm(`r${k + 1}`, {
        'source-address': r.from.toUpperCase(),
        'destination-address': r.to.toUpperCase(),
        protocol: r.proto,
        'destination-port': r.ports.length ? r.ports.map((port) => serviceName(r.proto, port)).join(' ') : undefined,
        action: r.action === 'allow' ? 'accept' : 'deny',
      }),
    );
  });
  t.push(capircaTerm('ssh-admins', { 'source-address': 'ADMINS', protocol: 'tcp', 'destination-port': 'SSH', action: 'accept' }));
  t.push(capircaTerm('sip-tls', { 'source-address': 'OFFICES', 'destination-address': 'LCS', protocol: 'tcp', 'destination-port': 'SIP_TLS', action: 'accept' }));
  const body = t.join('\n');
  const sections = [];
  if (v4.length) sections.push(capircaHeader('dc in IPv4 (and mixed)', v4), body);
  if (v6.length) sections.push(capircaHeader('dc in IPv6', v6), body);
  return [{ name: 'dc.pol', text: sections.join('\n') }];
}
