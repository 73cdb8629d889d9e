import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IrFamily, IrFirewall } from '../../../src/ir/types.js';
import { iptables } from '../../../targets/iptables/index.js';
import {
  IPSET_THRESHOLD,
  MAX_CHAIN_NAME,
  MAX_LIST_CHARS,
  MAX_LOG_PREFIX,
  MULTIPORT_SLOTS,
  buildIptablesView,
  chainName,
  crossChainName,
  firewallId,
  listChunks,
  logPrefix,
  multiportChunks,
  portMatches,
  quoteArg,
  wrapComment,
} from '../../../targets/iptables/view.js';
import { compileOrThrow, examples } from './env.js';
import { doc, gatewayFirewall, hostFirewall, ports, rule } from './fixtures.js';

const render = (fw: IrFirewall, family: IrFamily, d = doc([fw])) =>
  iptables.render(d, fw).find((a) => a.name.endsWith(`.v${family}`))!.content;
const ruleLinesOf = (content: string) => content.split('\n').filter((l) => l.startsWith('-A '));
const portsOfSlots = (n: number) => multiportChunks(ports(...Array.from({ length: n }, (_, i) => 1000 + 2 * i)));

describe('chain naming', () => {
  it('keeps a firewall name of up to 15 characters', () => {
    expect(firewallId('desktop')).toBe('desktop');
    expect(firewallId('a23456789012345')).toBe('a23456789012345');
    expect(chainName({ name: 'lcs-host' }, 'input')).toBe('MSGR-lcs-host-IN');
    expect(chainName({ name: 'edge' }, 'forward')).toBe('MSGR-edge-FWD');
    expect(chainName({ name: 'edge' }, 'output')).toBe('MSGR-edge-OUT');
    expect(crossChainName({ name: 'edge' })).toBe('MSGR-edge-CROSS');
  });

  it('shortens a longer name to 8 characters, "." and 6 hex digits of its SHA-256, deterministically', () => {
    const long = 'branch-office-gateway-number-one';
    const id = firewallId(long);
    expect(id).toMatch(/^branch-o\.[0-9a-f]{6}$/);
    expect(firewallId(long)).toBe(id);
    expect(id).toBe(`branch-o.${createHash('sha256').update(long).digest('hex').slice(0, 6)}`);
    expect(firewallId('a234567890123456')).toMatch(/^a2345678\.[0-9a-f]{6}$/);
  });

  it('gives names that share a long prefix different ids (and never one a kept name could have)', () => {
    const names = Array.from({ length: 200 }, (_, i) => `very-long-firewall-name-${i}`);
    const ids = names.map(firewallId);
    expect(new Set(ids).size).toBe(names.length);
    for (const id of ids) expect(id).toContain('.');
  });

  it('stays within iptables limits for any name length', () => {
    for (const n of [1, 15, 16, 28, 100, 1000]) {
      const fw = { name: 'f'.repeat(n) };
      for (const dir of ['input', 'output', 'forward'] as const) expect(chainName(fw, dir).length).toBeLessThanOrEqual(MAX_CHAIN_NAME);
      expect(crossChainName(fw).length).toBeLessThanOrEqual(MAX_CHAIN_NAME);
      expect(logPrefix(fw).length).toBeLessThanOrEqual(MAX_LOG_PREFIX);
    }
  });

  it('documents the naming rule and the chains in the file header', () => {
    const fw = hostFirewall({ name: 'a-firewall-with-a-long-name' });
    const out = render(fw, 4);
    const id = firewallId(fw.name);
    expect(out).toContain(`here with <id> = ${id}: the firewall name when it`);
    expect(out).toContain(`:MSGR-${id}-IN - [0:0]`);
    expect(out).toContain(`-I INPUT -m comment --comment "msgrfw ${id}" -j MSGR-${id}-IN`);
    const logged = render(gatewayFirewall({ name: 'a-gateway-with-a-long-name' }), 4);
    expect(logged).toContain(`--log-prefix "msgr ${firewallId('a-gateway-with-a-long-name')} denied: "`);
  });
});

describe('multiport', () => {
  it('puts up to 15 single ports in one match and starts a new one at the 16th', () => {
    expect(portsOfSlots(15)).toHaveLength(1);
    expect(portsOfSlots(16)).toHaveLength(2);
    expect(portsOfSlots(16)[1]).toBe('1030');
    expect(portsOfSlots(31)).toHaveLength(3);
  });

  it('counts a range as two ports', () => {
    const sevenRangesAndOne = ports(...Array.from({ length: 7 }, (_, i) => [10 * i + 1, 10 * i + 2] as [number, number]), 99);
    expect(multiportChunks(sevenRangesAndOne)).toEqual(['1:2,11:12,21:22,31:32,41:42,51:52,61:62,99']);
    const eightRanges = ports(...Array.from({ length: 8 }, (_, i) => [10 * i + 1, 10 * i + 2] as [number, number]));
    expect(multiportChunks(eightRanges)).toEqual(['1:2,11:12,21:22,31:32,41:42,51:52,61:62', '71:72']);
    const chunks = multiportChunks(ports(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, [100, 200]));
    expect(chunks).toEqual(['1,2,3,4,5,6,7,8,9,10,11,12,13,14', '100:200']);
  });

  it('never exceeds 15 slots and keeps every port, in order', () => {
    const ranges = ports(1, [3, 4], 6, [8, 9], 11, 13, [15, 20], 22, 24, [26, 27], 29, 31, [33, 35], 37, 39, [41, 42], 44, 46);
    const chunks = multiportChunks(ranges);
    for (const c of chunks) {
      const slots = c.split(',').reduce((n, p) => n + (p.includes(':') ? 2 : 1), 0);
      expect(slots).toBeLessThanOrEqual(MULTIPORT_SLOTS);
    }
    expect(chunks.join(',')).toBe(ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}:${r.to}`)).join(','));
  });

  it('uses the tcp/udp match for a single range and multiport only for lists', () => {
    expect(portMatches('tcp', undefined, { ranges: ports(22) })).toEqual(['-m tcp --dport 22']);
    expect(portMatches('udp', { ranges: ports([50000, 50039]) }, { ranges: ports([50000, 50039]) })).toEqual([
      '-m udp --sport 50000:50039 --dport 50000:50039',
    ]);
    expect(portMatches('tcp', undefined, { ranges: ports(1503, [6891, 6900]) })).toEqual(['-m multiport --dports 1503,6891:6900']);
    expect(portMatches('tcp', { ranges: ports(1, 2) }, { ranges: ports(3) })).toEqual(['-m tcp --dport 3 -m multiport --sports 1,2']);
    expect(portMatches('tcp')).toEqual(['']);
  });

  it('splits a rule with 20 ports into two commented rules (and crosses chunks of both sides)', () => {
    const many = ports(...Array.from({ length: 20 }, (_, i) => 2000 + i * 3));
    const fw = hostFirewall({ rules: [rule('r1', { dstPorts: { ranges: many } })] });
    const lines = ruleLinesOf(render(fw, 4)).filter((l) => l.includes('rule r1'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('--dports 2000,2003,');
    for (const l of lines) expect(l).toContain('-m comment --comment "line 10: rule r1" -j ACCEPT');
    expect(portMatches('tcp', { ranges: many }, { ranges: many })).toHaveLength(4);
  });
});

describe('address families', () => {
  const fw = hostFirewall();

  it('leaves a rule out of the file of a family it excludes, with a note', () => {
    const v6 = render(fw, 6);
    expect(v6).not.toMatch(/^-A .*line 35: firewall desktop: allow tcp 22 from admins/m);
    expect(v6).toMatch(/^# r1 left out of the IPv6 file: IPv4 only/m);
    expect(render(fw, 4)).toMatch(/^-A MSGR-desktop-IN -s 10\.9\.0\.0\/24 -p tcp -m tcp --dport 22 /m);
  });

  it('takes only the family\'s addresses from a set', () => {
    const v4 = ruleLinesOf(render(fw, 4));
    const v6 = ruleLinesOf(render(fw, 6));
    expect(v4.join('\n')).not.toContain('2001:db8');
    expect(v6.join('\n')).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    expect(v4).toContain(
      '-A MSGR-desktop-IN -s 10.20.0.0/16,198.51.100.0/24 -p tcp -m multiport --dports 1503,6891:6900 -m comment --comment "line 18,21: features whiteboard, application-sharing, file-transfer (t120, file-transfer)" -j ACCEPT',
    );
    expect(v6).toContain(
      '-A MSGR-desktop-IN -s 2001:db8:20::/48 -p tcp -m multiport --dports 1503,6891:6900 -m comment --comment "line 18,21: features whiteboard, application-sharing, file-transfer (t120, file-transfer)" -j ACCEPT',
    );
  });

  it('never widens a rule: a set without addresses of the family drops the rule instead of the match', () => {
    // admins has no IPv6 addresses; the rule (wrongly) claims both families.
    const wrong = hostFirewall({ rules: [rule('r1', { src: 'admins', families: [4, 6], dstPorts: { ranges: ports(22) } })] });
    const v6 = render(wrong, 6);
    expect(ruleLinesOf(v6).filter((l) => l.includes('rule r1'))).toEqual([]);
    expect(v6).toContain('# r1 left out of the IPv6 file: no IPv6 addresses in admins');
  });

  it('cuts address lists below the iptables-restore argument limit', () => {
    const many = Array.from({ length: 300 }, (_, i) => `2001:db8:${i.toString(16)}::/48`);
    const chunks = listChunks(many);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flatMap((c) => c.split(','))).toEqual(many);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(MAX_LIST_CHARS);
  });

  it('never needs to cut a list below the ipset threshold, and never cuts one above it (a set instead)', () => {
    const longest = Array.from({ length: IPSET_THRESHOLD }, () => 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128');
    expect(listChunks(longest)).toHaveLength(1);
    const many = Array.from({ length: 300 }, (_, i) => `2001:db8:${i.toString(16)}::/48`);
    const big = hostFirewall({
      addressSets: [{ name: 'many', stands: 'many', ipv4: [], ipv6: many }],
      rules: [rule('r1', { src: 'many', families: [6], dstPorts: { ranges: ports(22) } })],
    });
    const lines = ruleLinesOf(render(big, 6)).filter((l) => l.includes('rule r1'));
    expect(lines).toEqual(['-A MSGR-desktop-IN -p tcp -m tcp --dport 22 -m set --match-set msgr-desktop-many-v6 src -m comment --comment "line 10: rule r1" -j ACCEPT']);
  });
});

describe('escaping', () => {
  it('quotes arguments the way iptables-save does', () => {
    expect(quoteArg('line 35: allow tcp 22')).toBe('"line 35: allow tcp 22"');
    expect(quoteArg('a"b\\c\'d')).toBe('"a\\"b\\\\c\\\'d"');
    expect(quoteArg('')).toBe('""');
  });

  it('replaces anything outside printable ASCII and keeps xt_comment\'s 255 characters', () => {
    expect(quoteArg('a\nb\r\tc\u0000d\u00e9')).toBe('"a_b__c_d_"');
    expect(quoteArg('x'.repeat(400))).toBe(`"${'x'.repeat(255)}"`);
  });

  it('keeps a hostile rule comment (IR validation bypassed) inside its rule', () => {
    const evil = 'x" -j ACCEPT\n-A INPUT -j ACCEPT\n#';
    const fw = hostFirewall({ rules: [rule('r1', { comment: evil, dstPorts: { ranges: ports(22) } })] });
    const out = render(fw, 4);
    expect(out).not.toMatch(/^-A INPUT/m);
    expect(out).toContain('--comment "x\\" -j ACCEPT_-A INPUT -j ACCEPT_#" -j ACCEPT');
  });

  it('puts the description only in # lines, without control characters, wrapped', () => {
    const description = `pilot\nCOMMIT\n*filter\r\n-A INPUT -j ACCEPT\u2028-A OUTPUT -j ACCEPT\u0085${'y'.repeat(20000)} end`;
    const fw = hostFirewall();
    for (const family of [4, 6] as const) {
      const out = render(fw, family, doc([fw], { description, source: 'evil\nname.msgr' }));
      const lines = out.split('\n');
      expect(lines.filter((l) => l === 'COMMIT')).toHaveLength(1);
      expect(lines.filter((l) => l === '*filter')).toHaveLength(1);
      expect(out).not.toMatch(/^-A (INPUT|OUTPUT)/m);
      expect(out).toContain('# pilot COMMIT *filter -A INPUT -j ACCEPT -A OUTPUT -j ACCEPT');
      // iptables-restore reads lines into a 10240-byte buffer: a longer # line would spill over.
      for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThan(1024);
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    }
  });

  it('wraps comment text and cuts words longer than the width', () => {
    expect(wrapComment('a b c', 3)).toEqual(['a b', 'c']);
    expect(wrapComment('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    expect(wrapComment('x\n\ny')).toEqual(['x y']);
  });
});

describe('chains, defaults and jumps', () => {
  it('jumps from INPUT and OUTPUT on a host, FORWARD on a gateway, inserted first', () => {
    const host = render(hostFirewall(), 4);
    expect(host.split('\n').filter((l) => l.startsWith('-I '))).toEqual([
      '-I INPUT -m comment --comment "msgrfw desktop" -j MSGR-desktop-IN',
      '-I OUTPUT -m comment --comment "msgrfw desktop" -j MSGR-desktop-OUT',
    ]);
    const gw = render(gatewayFirewall(), 6);
    expect(gw.split('\n').filter((l) => l.startsWith('-I '))).toEqual(['-I FORWARD -m comment --comment "msgrfw edge" -j MSGR-edge-FWD']);
  });

  it('declares all four chains (emptying them) and never a built-in chain', () => {
    for (const fw of [hostFirewall(), gatewayFirewall()]) {
      const out = render(fw, 4);
      const decl = out.split('\n').filter((l) => l.startsWith(':'));
      expect(decl).toEqual(['IN', 'OUT', 'FWD', 'CROSS'].map((s) => `:MSGR-${fw.name}-${s} - [0:0]`));
      expect(out).not.toMatch(/^-P /m);
    }
  });

  it('ends a default-deny chain with DROP, logging first (rate-limited) when asked', () => {
    const quiet = ruleLinesOf(render(hostFirewall(), 4)).filter((l) => l.startsWith('-A MSGR-desktop-IN'));
    expect(quiet.at(-1)).toBe('-A MSGR-desktop-IN -m comment --comment "firewall desktop (line 31): default deny" -j DROP');
    expect(quiet.join('\n')).not.toContain('-j LOG');
    const logged = ruleLinesOf(render(gatewayFirewall(), 4));
    expect(logged.slice(-2)).toEqual([
      '-A MSGR-edge-CROSS -m comment --comment "firewall edge (line 24): log denied" -m limit --limit 5/second --limit-burst 10 -j LOG --log-prefix "msgr edge denied: "',
      '-A MSGR-edge-CROSS -m comment --comment "firewall edge (line 24): default deny" -j DROP',
    ]);
  });

  it('logs a plain drop rule before dropping when log denied is on', () => {
    const lines = ruleLinesOf(render(gatewayFirewall(), 4)).filter((l) => l.includes('rule r2'));
    expect(lines).toEqual([
      '-A MSGR-edge-CROSS -s 10.20.0.0/16 -p udp -m udp --dport 5060 -m comment --comment "line 10: rule r2" -m limit --limit 5/second --limit-burst 10 -j LOG --log-prefix "msgr edge denied: "',
      '-A MSGR-edge-CROSS -s 10.20.0.0/16 -p udp -m udp --dport 5060 -m comment --comment "line 10: rule r2" -j DROP',
    ]);
    const unlogged = gatewayFirewall({ logDenied: false });
    expect(ruleLinesOf(render(unlogged, 4)).join('\n')).not.toContain('LOG');
  });

  it('leaves a default-accept chain without rules empty, so packets go back to the built-in chain', () => {
    const out = render(hostFirewall(), 4);
    expect(out).not.toMatch(/^-A MSGR-desktop-OUT/m);
    const withOutputRule = hostFirewall({ rules: [rule('r1', { direction: 'output', action: 'drop', dstPorts: { ranges: ports(25) } })] });
    const lines = ruleLinesOf(render(withOutputRule, 4)).filter((l) => l.startsWith('-A MSGR-desktop-OUT'));
    expect(lines[0]).toBe('-A MSGR-desktop-OUT -o lo -m comment --comment "loopback" -j ACCEPT');
    expect(lines.at(-1)).toBe('-A MSGR-desktop-OUT -p tcp -m tcp --dport 25 -m comment --comment "line 10: rule r1" -j DROP');
  });

  it('writes the preamble in IR order, with NDP (hop limit 255) only on hosts and only for IPv6', () => {
    const host6 = ruleLinesOf(render(hostFirewall(), 6));
    expect(host6.slice(0, 3)).toEqual([
      '-A MSGR-desktop-IN -i lo -m comment --comment "loopback" -j ACCEPT',
      '-A MSGR-desktop-IN -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "return traffic" -j ACCEPT',
      '-A MSGR-desktop-IN -m conntrack --ctstate INVALID -m comment --comment "not part of any connection" -j DROP',
    ]);
    expect(host6.filter((l) => l.includes('--hl-eq 255'))).toHaveLength(4);
    expect(host6.filter((l) => l.includes('packet-too-big'))).toHaveLength(1);
    expect(ruleLinesOf(render(gatewayFirewall(), 6)).join('\n')).not.toContain('--hl-eq');
    expect(ruleLinesOf(render(gatewayFirewall(), 6)).join('\n')).not.toContain(' -i lo');
    expect(ruleLinesOf(render(hostFirewall(), 4)).filter((l) => l.includes('-p icmp'))).toHaveLength(3);
  });

  it('returns <fw>.rules.v4 and <fw>.rules.v6', () => {
    const fw = hostFirewall();
    expect(iptables.render(doc([fw]), fw).map((a) => a.name)).toEqual(['desktop.rules.v4', 'desktop.rules.v6']);
  });

  it('documents an apply command that matches the view', () => {
    const fw = hostFirewall();
    const view = buildIptablesView(doc([fw]), fw, 6, 'desktop.rules.v6');
    expect(view.applyCommand).toBe(
      "ip6tables-save -t filter | sed -n 's/^-A /-I /p' | grep -vxFf - desktop.rules.v6 | ip6tables-restore -w --noflush",
    );
    expect(render(fw, 6)).toContain(`#   ${view.applyCommand}\n`);
  });
});

describe('gateway: only the traffic between the zones', () => {
  const chainOf = (content: string, chain: string) => ruleLinesOf(content).filter((l) => l.startsWith(`-A ${chain} `));
  const between = '-m comment --comment "between the zones clients and partners" -j MSGR-edge-CROSS';

  it('MSGR-<id>-FWD jumps to MSGR-<id>-CROSS for zone A -> B and B -> A only, and nothing else', () => {
    const v4 = render(gatewayFirewall(), 4);
    expect(chainOf(v4, 'MSGR-edge-FWD')).toEqual([
      `-A MSGR-edge-FWD -s 10.20.0.0/16 -d 198.51.100.0/24 ${between}`,
      `-A MSGR-edge-FWD -s 198.51.100.0/24 -d 10.20.0.0/16 ${between}`,
    ]);
    // The one jump from FORWARD stays the idempotent one the apply guard knows.
    expect(v4.split('\n').filter((l) => l.startsWith('-I '))).toEqual(['-I FORWARD -m comment --comment "msgrfw edge" -j MSGR-edge-FWD']);
    const cross = chainOf(v4, 'MSGR-edge-CROSS');
    expect(cross[0]).toBe('-A MSGR-edge-CROSS -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "return traffic" -j ACCEPT');
    expect(cross.at(-1)).toBe('-A MSGR-edge-CROSS -m comment --comment "firewall edge (line 24): default deny" -j DROP');
    expect(cross.filter((l) => l.includes('rule r1'))).toHaveLength(1);
  });

  it('a family one zone lacks: no jump to CROSS, CROSS empty, its rules noted as left out', () => {
    const v6 = render(gatewayFirewall(), 6);
    expect(chainOf(v6, 'MSGR-edge-FWD')).toEqual([]);
    expect(chainOf(v6, 'MSGR-edge-CROSS')).toEqual([]);
    expect(v6).toContain('# no IPv6 traffic crosses: zone partners has no IPv6 addresses');
    expect(v6).toContain('# r2 left out of the IPv6 file: no IPv6 traffic crosses between the zones');
    expect(v6).toContain('# r1 left out of the IPv6 file: IPv4 only');
    expect(v6).toMatch(/^:MSGR-edge-CROSS - \[0:0\]$/m);
  });

  it('zones of several blocks are written as lists (iptables multiplies them out), big ones as ipset sets', () => {
    const addressSets = [
      { name: 'clients', stands: 'clients', ipv4: ['10.20.0.0/16', '10.21.0.0/16'], ipv6: [] },
      { name: 'partners', stands: 'partners', ipv4: Array.from({ length: IPSET_THRESHOLD + 1 }, (_, i) => `198.51.${i}.0/24`), ipv6: [] },
    ];
    const fw = gatewayFirewall({ addressSets, rules: [] });
    const arts = new Map(iptables.render(doc([fw]), fw).map((a) => [a.name, a.content]));
    expect(chainOf(arts.get('edge.rules.v4')!, 'MSGR-edge-FWD')).toEqual([
      `-A MSGR-edge-FWD -s 10.20.0.0/16,10.21.0.0/16 -m set --match-set msgr-edge-partners-v4 dst ${between}`,
      `-A MSGR-edge-FWD -d 10.20.0.0/16,10.21.0.0/16 -m set --match-set msgr-edge-partners-v4 src ${between}`,
    ]);
    expect(arts.get('edge.ipset')).toContain('create msgr-edge-partners-v4 hash:net family inet -exist\n');
  });

  it('a default-accept gateway still judges the crossing traffic by its preamble and rules, and ends without DROP', () => {
    const fw = gatewayFirewall({ policy: { forward: 'accept' }, logDenied: false });
    const v4 = render(fw, 4);
    expect(chainOf(v4, 'MSGR-edge-FWD')).toHaveLength(2);
    const cross = chainOf(v4, 'MSGR-edge-CROSS');
    expect(cross.some((l) => l.includes('rule r2') && l.endsWith('-j DROP'))).toBe(true);
    expect(cross.at(-1)).not.toMatch(/default deny/);
    const bare = render(gatewayFirewall({ policy: { forward: 'accept' }, rules: [] }), 4);
    expect(chainOf(bare, 'MSGR-edge-CROSS')[0]).toContain('ESTABLISHED,RELATED');
  });

  it('refuses, as a broken IR, a gateway whose zone has no address set', () => {
    const fw = gatewayFirewall({ addressSets: [{ name: 'clients', stands: 'clients', ipv4: ['10.20.0.0/16'], ipv6: [] }], rules: [] });
    expect(() => render(fw, 4)).toThrow(/^iptables: the IR breaks an invariant: gateway edge: the IR has no address set for the zone partners$/);
  });

  it('a host firewall declares MSGR-<id>-CROSS empty (a re-apply after a placement change leaves nothing behind)', () => {
    const out = render(hostFirewall(), 4);
    expect(out).toMatch(/^:MSGR-desktop-CROSS - \[0:0\]$/m);
    expect(chainOf(out, 'MSGR-desktop-CROSS')).toEqual([]);
    expect(chainOf(out, 'MSGR-desktop-FWD')).toEqual([]);
  });

  it('the removal commands cover every chain: flush all (which drops the FWD -> CROSS jumps) before deleting any', () => {
    const view = buildIptablesView(doc([gatewayFirewall()]), gatewayFirewall(), 4, 'edge.rules.v4');
    expect(view.removeCommands).toEqual([
      'iptables -D FORWARD -m comment --comment "msgrfw edge" -j MSGR-edge-FWD',
      ...['IN', 'OUT', 'FWD', 'CROSS'].map((c) => `iptables -F MSGR-edge-${c}`),
      ...['IN', 'OUT', 'FWD', 'CROSS'].map((c) => `iptables -X MSGR-edge-${c}`),
    ]);
  });
});

describe('ICMP rules', () => {
  it('one line per type (the icmp match takes one), icmp in the IPv4 file and ipv6-icmp in the IPv6 one', () => {
    const ir = compileOrThrow(
      'deployment t {\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network mon = 10.50.0.0/24, 2001:db8:50::/64\n  firewall fw {\n    on srv\n    targets iptables\n    default deny\n    deny icmp from 10.50.0.66\n    allow icmp echo-request from mon\n  }\n}\n',
      'icmp.msgr',
    );
    const fw = ir.firewalls[0]!;
    const v4 = ruleLinesOf(render(fw, 4, ir)).filter((l) => l.includes('--comment "line '));
    const v6 = ruleLinesOf(render(fw, 6, ir)).filter((l) => l.includes('--comment "line '));
    expect(v4).toEqual([
      expect.stringMatching(/^-A MSGR-fw-IN -s 10\.50\.0\.66 -p icmp -m icmp --icmp-type echo-request -m comment --comment "line 8: .*" -j DROP$/),
      expect.stringMatching(/^-A MSGR-fw-IN -s 10\.50\.0\.66 -p icmp -m icmp --icmp-type timestamp-request .* -j DROP$/),
      expect.stringMatching(/^-A MSGR-fw-IN -s 10\.50\.0\.0\/24 -p icmp -m icmp --icmp-type echo-request .* -j ACCEPT$/),
    ]);
    expect(v6).toEqual([expect.stringMatching(/^-A MSGR-fw-IN -s 2001:db8:50::\/64 -p ipv6-icmp -m icmp6 --icmpv6-type echo-request .* -j ACCEPT$/)]);
  });
});

describe('every example firewall', () => {
  const all = examples().flatMap((ex) => {
    const ir = compileOrThrow(ex.text, ex.name);
    return ir.firewalls.map((fw) => ({ label: `${ex.name} ${fw.name}`, ir, fw }));
  });

  it.each(all)('$label: only our chains, every rule commented, deterministic', ({ ir, fw }) => {
    const id = firewallId(fw.name);
    const first = iptables.render(ir, fw);
    expect(iptables.render(structuredClone(ir), structuredClone(fw))).toEqual(first);
    for (const a of first) {
      for (const l of a.content.split('\n')) {
        if (l === '' || l.startsWith('#')) continue;
        expect(l).toMatch(
          new RegExp(
            `^(\\*filter|COMMIT|:MSGR-${id}-(IN|OUT|FWD|CROSS) - \\[0:0\\]|-A MSGR-${id}-(IN|OUT|FWD|CROSS) (.* )?-m comment --comment "[^"]*" .*|-I (INPUT|OUTPUT|FORWARD) -m comment --comment "msgrfw ${id}" -j MSGR-${id}-(IN|OUT|FWD))$`,
          ),
        );
      }
      expect(a.content.endsWith('COMMIT\n')).toBe(true);
    }
    // Every IR rule shows up (or is noted as left out) with its comment in each file of its families.
    for (const r of fw.rules) {
      for (const a of first) {
        const family = a.name.endsWith('.v4') ? 4 : 6;
        const present = ruleLinesOf(a.content).some((l) => l.includes(`--comment ${quoteArg(r.comment)}`));
        if (r.families.includes(family)) expect(present, `${a.name} ${r.id}`).toBe(true);
        else expect(a.content).toContain(`# ${r.id} left out of the IPv${family} file`);
      }
    }
  });
});
