import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nftables } from '../../../targets/nftables/index.js';
import { EXAMPLES, irOf, policy, ROOT } from '../../helpers.js';
import { checkInNamespace, toolAvailable } from '../syntaxCheck.js';

const hasNft = toolAvailable('nft');
const render = (text: string, fw: string) => {
  const ir = irOf(text, 'policy.msgr');
  return nftables.render(ir, ir.firewalls.find((f) => f.name === fw)!)[0]!.content;
};

describe('nftables output', () => {
  const cases = EXAMPLES.flatMap((e) => irOf(e.text).firewalls.map((fw) => [e.name, fw.name, e.text] as const));

  it.runIf(hasNft).each(cases)('%s firewall %s passes nft -c', (_e, fw, text) => {
    expect(checkInNamespace(['nft', '-c', '-f'], render(text, fw))).toBe('');
  });

  it.each(cases)('%s firewall %s is the same bytes every time', (_e, fw, text) => {
    expect(render(text, fw)).toBe(render(text, fw));
  });

  it('lives in its own table, which a re-apply replaces atomically', () => {
    const out = render(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'edge');
    expect(out).toMatch(/^table inet msgr_edge\ndelete table inet msgr_edge\n\ntable inet msgr_edge \{$/m);
    expect(out.match(/^table /gm)).toHaveLength(2);
  });

  it('keeps IPv6 alive under default deny: ND on hosts, ICMPv6 errors and packet-too-big everywhere', () => {
    const host = render(policy({}), 'fw');
    expect(host).toMatch(/icmpv6 type \{ nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert \} ip6 hoplimit 255 accept/);
    expect(host).toMatch(/icmpv6 type \{[^}]*packet-too-big[^}]*\} accept/);
    expect(host).toMatch(/icmp type \{ destination-unreachable, time-exceeded, parameter-problem \} accept/);
    expect(host).toMatch(/iif "lo" accept/);
  });

  it('writes an ICMP rule once per family, its types by name, with a family test when it names no address', () => {
    const out = render(policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    default deny\n    allow icmp echo-request from cl\n    deny icmp to any\n  }' }), 'fw');
    expect(out).toContain('ip saddr @cl_v4 icmp type echo-request accept comment "line 16: firewall fw: allow icmp echo-request from cl"');
    expect(out).toContain('ip6 saddr @cl_v6 icmpv6 type echo-request accept comment');
    expect(out).toContain('meta nfproto ipv4 icmp type { echo-request, timestamp-request } drop comment "line 17: firewall fw: deny icmp to any"');
    expect(out).toContain('meta nfproto ipv6 icmpv6 type echo-request drop comment');
    if (hasNft) expect(checkInNamespace(['nft', '-c', '-f'], out)).toBe('');
  });

  it('accepts return traffic by conntrack and drops invalid packets before any rule', () => {
    const lines = render(policy({}), 'fw').split('\n').map((l) => l.trim());
    const established = lines.indexOf('ct state established,related accept comment "return traffic"');
    const invalid = lines.indexOf('ct state invalid drop comment "not part of any connection"');
    const firstRule = lines.findIndex((l) => l.includes('dport 5061'));
    expect(established).toBeGreaterThan(0);
    expect(established).toBeLessThan(invalid);
    expect(invalid).toBeLessThan(firstRule);
  });

  it('logs denied packets at a limited rate before the default drop', () => {
    const out = render(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'edge');
    const chain = out.slice(out.indexOf('chain crossing'));
    expect(chain).toMatch(/limit rate 5\/second burst 10 packets log prefix "msgr edge denied: " comment "log denied"\n\t\tdrop comment "default deny"\n\t\}/);
  });

  it('on a gateway, judges exactly the traffic between the two zones and leaves other forwarding alone', () => {
    const out = render(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text, 'branch-gw');
    const forward = out.slice(out.indexOf('chain forward'), out.indexOf('chain crossing'));
    expect(forward).toMatch(/type filter hook forward priority filter; policy accept;/);
    expect(forward.match(/jump crossing/g)).toHaveLength(4);
    expect(forward).toMatch(/ip6 saddr @vendors_v6 ip6 daddr @staff_v6 jump crossing/);
    expect(out.slice(out.indexOf('chain crossing'))).not.toMatch(/type filter hook/);
  });

  it('uses named sets for addresses (per family) and port ranges', () => {
    const out = render(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'edge');
    expect(out).toMatch(/set clients_v4 \{\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = \{ 10\.20\.0\.0\/16 \}/);
    expect(out).toMatch(/set clients_v6 \{\n\t\ttype ipv6_addr/);
    expect(out).toMatch(/set media_ports \{\n\t\ttype inet_service\n\t\tflags interval\n\t\telements = \{ 50000-50039 \}/);
    expect(out).toMatch(/ip saddr @clients_v4 ip daddr @partners_v4 udp sport @media_ports udp dport @media_ports accept/);
  });

  it('comments every rule with the policy line it came from', () => {
    const out = render(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'desktop');
    const rules = out.split('\n').filter((l) => / (accept|drop) comment "line /.test(l));
    expect(rules.length).toBeGreaterThan(0);
    expect(out).toMatch(/tcp dport 22 accept comment "line 35: firewall desktop: allow tcp 22 from admins"/);
  });

  it('writes a rule without addresses once for both families', () => {
    const p = policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    allow tcp 22 from any\n  }' });
    expect(render(p, 'fw')).toMatch(/\n\t\ttcp dport 22 accept comment "line 15: firewall fw: allow tcp 22 from any"\n/);
  });

  it('keeps description text to one comment line, whatever it holds', () => {
    const p = policy({}).replace('deployment t {', 'deployment t {\n  description "a\\"b } ; \\\\ $(x) é"');
    const out = render(p, 'fw');
    expect(out).toMatch(/^# a"b \} ; \\ \$\(x\) é$/m);
    if (hasNft) expect(checkInNamespace(['nft', '-c', '-f'], out)).toBe('');
  });
});

describe('golden files (a review aid; the kernel tests prove the behaviour)', () => {
  const dir = join(ROOT, 'test', 'golden', 'nftables');
  const contoso = EXAMPLES.find((e) => e.name === 'contoso.msgr')!;
  it.each(['edge', 'desktop', 'lcs-host'])('contoso %s matches test/golden/nftables (UPDATE_GOLDEN=1 rewrites)', (fw) => {
    const ir = irOf(contoso.text, 'contoso.msgr');
    const out = nftables.render(ir, ir.firewalls.find((f) => f.name === fw)!)[0]!.content;
    const file = join(dir, `contoso-${fw}.nft`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.CI === 'true') expect.fail(`${file} is missing`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, out);
    }
    expect(out).toBe(readFileSync(file, 'utf8'));
  });
});
