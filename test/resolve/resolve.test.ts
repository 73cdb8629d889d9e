import { describe, expect, it } from 'vitest';
import { codesOf as allCodesOf, diagnosticsOf, firewallOf, policy } from '../helpers.js';

/**
 * These tests are about resolution. The helper's default firewall is a default-deny host with no
 * management rule, which the MSGR073 lint rightly warns about (tested in test/lint): leave it out here.
 */
const codesOf = (text: string) => allCodesOf(text).filter((c) => !c.startsWith('MSGR073@'));

describe('networks', () => {
  it('report an unknown name with the nearest known one', () => {
    const d = diagnosticsOf(policy({ networks: 'network cl = 10.20.0.0/16\n  network srv = 10.1.1.10\n  network both = cl, srvv' }));
    expect(d).toMatchObject([{ code: 'MSGR010', line: 4, hint: "did you mean 'srv'?" }]);
  });

  it('report a name declared twice', () => {
    expect(codesOf(policy({ networks: 'network cl = 10.20.0.0/16\n  network srv = 10.1.1.10\n  network cl = 10.21.0.0/16' }))).toContain('MSGR011@4');
  });

  it('report a cycle of references, naming its members', () => {
    const d = diagnosticsOf(policy({ networks: 'network cl = 10.20.0.0/16, a\n  network srv = 10.1.1.10\n  network a = b\n  network b = a' }));
    expect(d.filter((x) => x.code === 'MSGR012')).toHaveLength(1);
    expect(d.find((x) => x.code === 'MSGR012')?.message).toMatch(/cycle: (cl -> )?a -> b -> a/);
  });

  it('survive a very long chain of references without exhausting the stack', () => {
    const chain = Array.from({ length: 20000 }, (_, i) => `network n${i} = ${i === 19999 ? '10.99.0.0/16' : `n${i + 1}`}`).join('\n  ');
    expect(codesOf(policy({ networks: `network cl = 10.20.0.0/16, n0\n  network srv = 10.1.1.10\n  ${chain}` }))).toEqual([]);
  });

  it('reject a CIDR with host bits set, suggesting the right prefix', () => {
    const d = diagnosticsOf(policy({ networks: 'network cl = 10.20.1.0/16\n  network srv = 2001:db8:1::10/64' }));
    expect(d).toMatchObject([
      { code: 'MSGR014', hint: expect.stringContaining('10.20.0.0/16') },
      { code: 'MSGR014', hint: expect.stringContaining('2001:db8:1::/64') },
    ]);
  });

  it('reject invalid addresses, prefixes and IPv6 zone ids', () => {
    const codes = codesOf(policy({ networks: 'network cl = 10.20.0.0/33\n  network srv = 300.1.1.1\n  network pt = fe80::1%eth0' }));
    expect(codes).toEqual(['MSGR013@2', 'MSGR013@3', 'MSGR015@4']);
  });

  it('refuse an IPv4-mapped or IPv4-compatible IPv6 address, whose deny would fail open, with the IPv4 form as the hint', () => {
    const d = diagnosticsOf(policy({ networks: 'network cl = 10.20.0.0/16\n  network srv = 10.1.1.10\n  network pt = ::ffff:203.0.113.7, ::ffff:cb00:7100/120, ::198.51.100.9, ::1, ::/0' }));
    expect(d.map((x) => `${x.code}@${x.line}:${x.column} ${x.hint}`)).toEqual([
      'MSGR018@4:16 write 203.0.113.7',
      'MSGR018@4:36 write 203.0.113.0/24',
      'MSGR018@4:58 write 198.51.100.9',
    ]);
    expect(d[0]!.message).toMatch(/IPv4-mapped IPv6 address: an IPv4 packet from or to 203\.0\.113\.7 carries 203\.0\.113\.7, never ::ffff:203\.0\.113\.7, .*a deny would let it through/);
    expect(d[2]!.message).toContain('IPv4-compatible IPv6 address (deprecated, RFC 4291)');
  });

  it('reserve the name any', () => {
    expect(codesOf(policy({ networks: 'network cl = 10.20.0.0/16\n  network srv = 10.1.1.10\n  network any = 10.0.0.0/8' }))).toContain('MSGR016@4');
  });
});

describe('servers and clients', () => {
  it('report a transport the server does not offer', () => {
    expect(codesOf(policy({ clients: 'server srv via tcp\n    features im' }))).toEqual(expect.arrayContaining(['MSGR030@9']));
  });

  it('report a server transport no clients use, and clear-text SIP', () => {
    expect(codesOf(policy({ server: 'sip tls\n    sip tcp' }))).toEqual(['MSGR031@7', 'MSGR032@7']);
  });

  it('report two listeners on one port', () => {
    expect(codesOf(policy({ server: 'sip tls port 5060\n    sip tcp' }))).toContain('MSGR036@7');
  });

  it('report a misspelt feature with a suggestion', () => {
    expect(diagnosticsOf(policy({ clients: 'server srv via tls\n    features im, whitebord' }))).toMatchObject([
      { code: 'MSGR020', line: 10, column: 18, hint: "did you mean 'whiteboard'?" },
    ]);
  });

  it('report clients that use a network without a server block', () => {
    expect(codesOf(policy({ clients: 'server cl via tls\n    features im' }))).toContain('MSGR033@9');
  });

  it('report an IPv4/IPv6 mix that can never connect', () => {
    const p = policy({ networks: 'network cl = 10.20.0.0/16\n  network srv = 2001:db8:1::10' });
    expect(codesOf(p)).toContain('MSGR043@8');
  });
});

describe('Group Policy ranges (PORTS.md constraints)', () => {
  const withRanges = (ranges: string, transport = 'tcp', features = 'im, audio') =>
    policy({ server: `sip ${transport}`, clients: `server srv via ${transport}\n    features ${features}\n    ${ranges}` });
  const codes = (ranges: string, transport?: string, features?: string) =>
    codesOf(withRanges(ranges, transport, features)).filter((c) => c !== 'MSGR032@6');

  it('accept ranges within the rules', () => {
    expect(codes('sip dynamic ports 7000-7001\n    media ports 50000-50039')).toEqual([]);
  });

  it('require every range to lie within 1024-65535', () => {
    expect(codes('sip dynamic ports 1000-1100\n    media ports 50000-50039')).toEqual(['MSGR022@11']);
  });

  it('reject port 0 and 65536', () => {
    expect(codes('sip dynamic ports 0-1100\n    media ports 50000-65536')).toEqual(['MSGR021@11', 'MSGR021@12']);
  });

  it('require the minimum below the maximum (a reversed range is not swapped)', () => {
    expect(diagnosticsOf(withRanges('sip dynamic ports 7100-7000\n    media ports 50000-50039'))).toContainEqual(
      expect.objectContaining({ code: 'MSGR023', hint: 'write 7000-7100' }),
    );
  });

  it('require at least 2 SIP ports', () => {
    expect(codes('sip dynamic ports 7000\n    media ports 50000-50039')).toEqual(['MSGR024@11']);
  });

  it('require two RTP/RTCP pairs: 4 ports from an even start, 5 from an odd one', () => {
    expect(codes('sip dynamic ports 7000-7001\n    media ports 50000-50003')).toEqual(['MSGR027@12']);
    expect(codes('sip dynamic ports 7000-7001\n    media ports 50000-50002')).toEqual(['MSGR025@12']);
    expect(codes('sip dynamic ports 7000-7001\n    media ports 50001-50004')).toEqual(['MSGR025@12']);
    expect(codes('sip dynamic ports 7000-7001\n    media ports 50001-50005')).toEqual(['MSGR027@12']);
  });

  it('reject overlapping SIP and media ranges', () => {
    expect(codes('sip dynamic ports 50030-50049\n    media ports 50000-50039')).toEqual(['MSGR026@12']);
  });

  it('warn when a range is missing and the 1024-65535 fallback applies', () => {
    const d = diagnosticsOf(withRanges('')).filter((x) => x.code === 'MSGR028');
    expect(d).toHaveLength(2);
    expect(d.map((x) => x.message).join(' ')).toMatch(/1024-65535/);
    expect(d.map((x) => x.hint).join(' ')).toMatch(/MinSipDynamicPort.*MinMediaPort|MinMediaPort.*MinSipDynamicPort/s);
  });

  it('warn that a SIP range does nothing over TLS', () => {
    expect(codes('sip dynamic ports 7000-7001\n    media ports 50000-50039', 'tls')).toEqual(['MSGR035@11']);
  });

  it('warn that Office Communicator ignores the SIP range', () => {
    expect(codes('sip dynamic ports 7000-7001\n    media ports 50000-50039\n    client communicator')).toEqual(['MSGR029@11']);
  });
});

describe('firewalls', () => {
  const fw = (body: string) => policy({ firewalls: `firewall f {\n    ${body}\n  }` });

  it('need exactly one placement', () => {
    expect(codesOf(fw('targets nftables'))).toEqual(['MSGR040@12']);
    expect(codesOf(fw('on srv\n    between cl and pt\n    targets nftables'))).toEqual(['MSGR040@14']);
  });

  it('reject overlapping gateway zones, wherever they stand in the list (MSGR041)', () => {
    const nets = 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24\n  network wide = 10.0.0.0/8';
    const withZones = (zones: string) => policy({ networks: nets, firewalls: `firewall f {\n    between ${zones}\n    targets nftables\n  }` });
    expect(codesOf(withZones('cl and wide'))).toEqual(['MSGR041@14']);
    expect(diagnosticsOf(withZones('cl, pt and wide'))).toMatchObject([{ code: 'MSGR041', line: 14, column: 24, message: expect.stringContaining('zones cl and wide overlap') }]);
  });

  it('take three or more zones as a list, each pair of them a crossing', () => {
    const f = firewallOf(fw('between cl, srv and pt\n    targets nftables'), 'f');
    expect(f.placement).toMatchObject({ kind: 'gateway', between: ['cl', 'srv', 'pt'], others: 'accept', othersOrigin: { written: false } });
    expect(f.placement.origin.text).toBe('firewall f: between cl, srv and pt');
  });

  it('reject a zone named twice in the list (MSGR042)', () => {
    expect(diagnosticsOf(fw('between cl, pt and cl\n    targets nftables'))).toMatchObject([
      { code: 'MSGR042', line: 13, column: 24, message: "zone cl is named twice in 'between'", hint: expect.stringContaining('between A, B and C') },
    ]);
    expect(codesOf(fw('between cl and cl\n    targets nftables'))).toEqual(['MSGR042@13']);
  });

  it('take others deny or accept on a gateway, and refuse it elsewhere or misspelt', () => {
    const f = firewallOf(fw('between cl and pt\n    others deny\n    targets nftables'), 'f');
    expect(f.placement).toMatchObject({ others: 'drop', othersOrigin: { written: true, origin: { line: 14, text: 'firewall f: others deny' } } });
    expect(codesOf(fw('on srv\n    others deny\n    targets nftables'))).toEqual(['MSGR035@14']);
    expect(diagnosticsOf(fw('between cl and pt\n    others denyy\n    targets nftables'))).toMatchObject([{ code: 'MSGR037', hint: "did you mean 'deny'?" }]);
    expect(codesOf(fw('between cl and pt\n    others deny\n    others accept\n    targets nftables'))).toEqual(['MSGR034@15']);
  });

  it('suggest the nearest target for a misspelt one', () => {
    expect(diagnosticsOf(fw('on srv\n    targets nftable'))).toMatchObject([{ code: 'MSGR037', hint: "did you mean 'nftables'?" }]);
  });

  it('need targets', () => {
    expect(codesOf(fw('on srv'))).toEqual(['MSGR044@12']);
  });

  it('refuse two firewalls whose names differ only in case (one file on Windows and macOS, one Windows rule name), naming both', () => {
    const two = (a: string, b: string) =>
      policy({ firewalls: `firewall ${a} {\n    on srv\n    targets netsh\n  }\n  firewall ${b} {\n    on srv\n    targets nftables\n  }` });
    const d = diagnosticsOf(two('desk', 'DESK')).filter((x) => x.code !== 'MSGR073');
    expect(d).toMatchObject([{ code: 'MSGR019', line: 16, column: 12, hint: 'rename one of them so that the names differ in more than case' }]);
    expect(d[0]!.message).toMatch(/^firewall 'DESK' differs from firewall 'desk' \(line 12\) only in case: their files \(desk\.nft and DESK\.nft/);
    expect(codesOf(two('lcs-Host', 'LCS-host'))).toEqual(['MSGR019@16']);
    expect(codesOf(two('desk', 'desk2'))).toEqual([]);
    // Networks may differ only in case: their sets get distinct names in every output (desk, desk_2).
    expect(codesOf(policy({ networks: 'network cl = 10.20.0.0/16\n  network srv = 10.1.1.10\n  network desk = 10.3.0.0/16\n  network DESK = 10.4.0.0/16' }))).toEqual([]);
  });

  it('refuse a firewall named like a Windows device (con, nul, com1, …): no file can have that name there', () => {
    for (const n of ['con', 'NUL', 'Com1', 'lpt9', 'aux', 'prn']) expect(codesOf(fw(`on srv\n    targets nftables`).replace('firewall f ', `firewall ${n} `)), n).toEqual(['MSGR016@12']);
    expect(codesOf(fw(`on srv\n    targets nftables`).replace('firewall f ', 'firewall console '))).toEqual([]);
  });

  it('warn about a plain rule that mixes IPv4 and IPv6', () => {
    const p = policy({
      networks: 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10\n  network v6only = 2001:db8:99::/64\n  network pt = 198.51.100.0/24',
      firewalls: 'firewall f {\n    between cl and pt\n    targets nftables\n    allow tcp 80 from pt to v6only\n  }',
    });
    expect(codesOf(p)).toContain('MSGR043@16');
  });

  it('report a statement given twice', () => {
    expect(codesOf(fw('on srv\n    targets nftables\n    default deny\n    default accept'))).toEqual(['MSGR034@16']);
  });

  it('warn when no Messenger traffic reaches a firewall', () => {
    expect(codesOf(fw('on pt\n    targets nftables'))).toEqual(['MSGR045@12']);
  });
});

describe('plain rules: networks and addresses written inline', () => {
  const host = (rule: string) => policy({ firewalls: `firewall f {\n    on srv\n    targets nftables\n    default deny\n    ${rule}\n  }` });

  it('take an address or a block where a network name goes, and a list of both', () => {
    const fw = firewallOf(host('allow tcp 22 from 10.10.99.0/24, 2001:db8:99::/64, pt'), 'f');
    const rule = fw.rules.find((r) => r.origins.some((o) => o.line === 16))!;
    const src = fw.addressSets.find((s) => s.name === rule.src)!;
    expect(src).toMatchObject({ ipv4: ['10.10.99.0/24', '198.51.100.0/24'], ipv6: ['2001:db8:99::/64'], stands: '10.10.99.0/24+2001:db8:99::/64+pt' });
    expect(rule.origins[0]!.text).toBe('firewall f: allow tcp 22 from 10.10.99.0/24, 2001:db8:99::/64, pt');
    expect(rule.comment).toBe('line 16: firewall f: allow tcp 22 from 10.10.99.0/24, 2001:db8:99::/64, pt');
    const single = firewallOf(host('allow tcp 22 from 10.10.99.7'), 'f');
    expect(single.addressSets.find((s) => s.name === single.rules[0]!.src)).toMatchObject({ name: 'n_10_10_99_7', ipv4: ['10.10.99.7'], ipv6: [], stands: '10.10.99.7' });
  });

  it('take an inline address on either end', () => {
    const fw = firewallOf(host('deny udp 53 to 192.0.2.53'), 'f');
    expect(fw.rules[0]).toMatchObject({ direction: 'output', action: 'drop', protocol: 'udp' });
    expect(fw.addressSets.find((s) => s.name === fw.rules[0]!.dst)?.ipv4).toEqual(['192.0.2.53']);
  });

  it("report a bad inline address as a network statement's member is reported", () => {
    expect(codesOf(host('allow tcp 22 from 10.10.99.1/24, 300.1.1.1, fe80::1%eth0, nowhere'))).toEqual(['MSGR014@16', 'MSGR013@16', 'MSGR015@16', 'MSGR010@16']);
    expect(diagnosticsOf(host('allow tcp 22 from 10.10.99.1/24'))[0]).toMatchObject({ code: 'MSGR014', column: 23, hint: expect.stringContaining('10.10.99.0/24') });
  });

  it('warn when the ends written inline share no address family', () => {
    const gw = policy({ firewalls: 'firewall f {\n    between cl and pt\n    targets nftables\n    allow tcp 80 from 198.51.100.7 to 2001:db8:20::5\n  }' });
    expect(codesOf(gw)).toContain('MSGR043@15');
  });
});

describe('plain rules: ICMP', () => {
  const host = (rule: string) => policy({ firewalls: `firewall f {\n    on srv\n    targets nftables\n    default deny\n    ${rule}\n  }` });
  const ruleOf = (rule: string) => firewallOf(host(rule), 'f').rules.find((r) => r.origins.some((o) => o.line === 16))!;

  it('name ICMP messages by type, with their number in each family', () => {
    expect(ruleOf('allow icmp echo-request from pt')).toMatchObject({ protocol: 'icmp', families: [4], icmpTypes: [{ name: 'echo-request', v4: 8 }] });
    expect(ruleOf('allow icmp echo-request from cl')).toMatchObject({ families: [4, 6], icmpTypes: [{ name: 'echo-request', v4: 8, v6: 128 }] });
    expect(ruleOf('allow icmp echo-request from cl').origins[0]!.text).toBe('firewall f: allow icmp echo-request from cl');
  });

  it('match every message a rule decides when no type is named: echo and timestamp requests', () => {
    expect(ruleOf('deny icmp from cl').icmpTypes).toEqual([{ name: 'echo-request', v4: 8, v6: 128 }, { name: 'timestamp-request', v4: 13 }]);
  });

  it('keep icmpv4 and icmpv6 to their family, and a type to the families it has', () => {
    expect(ruleOf('allow icmpv6 from cl')).toMatchObject({ families: [6], icmpTypes: [{ name: 'echo-request', v6: 128 }] });
    expect(ruleOf('allow icmpv4 echo-request from cl')).toMatchObject({ families: [4], icmpTypes: [{ name: 'echo-request', v4: 8 }] });
    expect(ruleOf('deny icmp timestamp-request from cl')).toMatchObject({ families: [4], icmpTypes: [{ name: 'timestamp-request', v4: 13 }] });
  });

  it('refuse ports, unknown types (with the nearest one), types no rule decides and a type the family lacks (MSGR049)', () => {
    const d = (rule: string) => diagnosticsOf(host(rule)).filter((x) => x.code !== 'MSGR073');
    expect(d('allow icmp 8 from cl')).toMatchObject([{ code: 'MSGR049', line: 16, column: 16, message: expect.stringContaining('no ports') }]);
    expect(d('allow icmp echo-requst from cl')).toMatchObject([{ code: 'MSGR049', column: 16, hint: "did you mean 'echo-request'?" }]);
    expect(d('allow icmp ping from cl')).toMatchObject([{ code: 'MSGR049', hint: expect.stringContaining('echo-request, timestamp-request') }]);
    expect(d('allow icmp echo-reply from cl')).toMatchObject([{ code: 'MSGR049', message: expect.stringContaining('return traffic'), hint: 'allow the echo-request from the other side' }]);
    expect(d('deny icmp destination-unreachable from cl')).toMatchObject([{ code: 'MSGR049', message: expect.stringContaining('path MTU') }]);
    expect(d('deny icmp neighbour-solicitation from cl')).toMatchObject([{ code: 'MSGR049', message: expect.stringContaining('neighbour') }]);
    expect(d('allow icmpv6 timestamp-request from cl')).toMatchObject([{ code: 'MSGR049', message: 'timestamp-request has no ICMPv6 type', hint: expect.stringContaining('icmpv4') }]);
    expect(d('allow tcp ssh from cl')).toMatchObject([{ code: 'MSGR049', column: 15, message: expect.stringContaining('port numbers') }]);
    expect(d('allow icmpp from cl')).toMatchObject([{ code: 'MSGR037', hint: "did you mean 'icmp'?" }]);
    // Every problem of a rule in one run.
    expect(d('allow icmp echo-reply, bogus, echo-request from nowhere').map((x) => x.code)).toEqual(['MSGR049', 'MSGR049', 'MSGR010']);
  });

  it('warn when the types and the addresses share no family (MSGR043)', () => {
    expect(codesOf(host('allow icmpv6 from pt'))).toContain('MSGR043@16');
    expect(codesOf(host('allow icmp timestamp-request from 2001:db8:99::/64'))).toContain('MSGR043@16');
    expect(codesOf(host('allow icmp from pt'))).not.toContain('MSGR043@16');
  });
});

describe('a file with many problems', () => {
  it('reports every one in a single run, sorted by position', () => {
    const text = [
      'deployment d {',
      '  network cl = 10.20.1.0/16',
      '  network srv = 10.1.1.10',
      '  server srv {',
      '    sip tls',
      '  }',
      '  clients cl {',
      '    server srv via tls',
      '    features im, chat',
      '    peers nobody',
      '  }',
      '  firewall f {',
      '    on cl',
      '    targets iptable',
      '  }',
      '}',
    ].join('\n');
    expect(codesOf(text)).toEqual(['MSGR014@2', 'MSGR020@9', 'MSGR010@10', 'MSGR037@14']);
  });
});
