// verify against real rulesets, in a network namespace: the artefacts loaded with the commands
// their headers document, then changed by hand as an administrator would, IPv4 and IPv6, for
// nftables and iptables (with ipset sets). Each change must be found and named: a hand-inserted
// accept (the port it opens), a deleted rule (the flow it lost), a deleted jump, a changed set
// member, and a table or chains that are gone ("not applied"). Nothing else in the namespace
// may be reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitTargets } from '../../targets/emit.js';
import { documentedApplyCommand, documentedIpsetCommand } from '../targets/iptables/env.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { kernelSuite } from '../kernel/capability.js';
import { buildTopology, type Topology } from '../kernel/topology.js';
import { gatewayWithSets, LCS_HOST, msgrfwIn, policyDir } from './live.js';

const CONTOSO = EXAMPLES.find((e) => e.name === 'contoso.msgr')!;
const MANY = gatewayWithSets('many', 10, 'iptables, nftables');


kernelSuite('verify: the live firewall against the policy, in a network namespace', () => {
  let topo: Topology;
  const files = policyDir({ 'contoso.msgr': CONTOSO.text, 'many.msgr': MANY });
  const artefacts = (text: string, firewall: string, target: 'nftables' | 'iptables') =>
    new Map(emitTargets(irOf(text), { firewall, target }).files.map((f) => [f.artefact.name, f.artefact.content]));
  const sh = (script: string) => topo.exec('host', ['sh', '-c', script]);
  const verify = (file: string, ...args: string[]) => msgrfwIn(topo, 'host', ['verify', files.path(file), ...args]);

  /** The iptables artefacts applied with their headers' commands, from the policy directory. */
  async function applyIptables(text: string, firewall: string) {
    const a = artefacts(text, firewall, 'iptables');
    const dir = policyDir(Object.fromEntries(a));
    const v4 = a.get(`${firewall}.rules.v4`)!;
    const commands = [documentedIpsetCommand(v4), documentedApplyCommand(v4), documentedApplyCommand(a.get(`${firewall}.rules.v6`)!)].filter(Boolean);
    await sh(`set -e; cd '${dir.dir}'; ${commands.join('; ')}`);
    dir.remove();
  }

  beforeAll(async () => {
    topo = await buildTopology(LCS_HOST);
  });
  afterAll(async () => {
    await topo?.destroy();
    files.remove();
  });

  describe('nftables', () => {
    it('0 after the artefact is applied, beside a table of someone else', async () => {
      await topo.exec('host', ['nft', 'flush', 'ruleset']);
      await topo.exec('host', ['nft', '-f', '-'], { input: 'table inet other {\n chain input { type filter hook input priority 5; policy accept; tcp dport 23 drop; }\n}\n' });
      await topo.exec('host', ['nft', '-f', '-'], { input: artefacts(CONTOSO.text, 'lcs-host', 'nftables').get('lcs-host.nft')! });
      const r = await verify('contoso.msgr', '-f', 'lcs-host');
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('firewall lcs-host (host firewall on lcs): the live firewall does what the policy says');
      expect(r.code).toBe(0);
    });

    it('1 after a hand-inserted tcp dport 23 accept, naming 23/tcp and the rule', async () => {
      await sh('nft insert rule inet msgr_lcs-host input tcp dport 23 accept');
      const r = await verify('contoso.msgr', '-f', 'lcs-host');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\+ allowed live, not by the policy:\n {6}tcp input ipv4  any -> any  dport 23\n {6}tcp input ipv6  any -> any  dport 23\n {4}live: accepted by chain input, handle \d+: tcp dport 23 accept\n {4}policy: dropped by the input default \(deny\)/);
      expect(r.stdout).toMatch(/foreign: a rule the policy does not have: chain input, handle \d+: tcp dport 23 accept/);
      const json = JSON.parse((await verify('contoso.msgr', '-f', 'lcs-host', '--format', 'json')).stdout);
      expect(json).toMatchObject({ status: 'drift', target: 'nftables', live: 'table inet msgr_lcs-host' });
      expect(json.allowedOnlyLive[0].classes).toEqual([
        { protocol: 'tcp', direction: 'input', family: 4, src: ['0.0.0.0/0'], dst: ['0.0.0.0/0'], srcPorts: ['1-65535'], dstPorts: ['23'] },
        { protocol: 'tcp', direction: 'input', family: 6, src: ['::/0'], dst: ['::/0'], srcPorts: ['1-65535'], dstPorts: ['23'] },
      ]);
    });

    it('1 after a deleted rule, naming the flow it lost (IPv6) and the policy line', async () => {
      await topo.exec('host', ['nft', '-f', '-'], { input: artefacts(CONTOSO.text, 'lcs-host', 'nftables').get('lcs-host.nft')! });
      const listing = (await topo.exec('host', ['nft', '-a', 'list', 'chain', 'inet', 'msgr_lcs-host', 'input'])).stdout;
      const handle = /ip6 saddr @clients_v6 tcp dport 5061 accept .* # handle (\d+)/.exec(listing)![1]!;
      await sh(`nft delete rule inet msgr_lcs-host input handle ${handle}`);
      const r = await verify('contoso.msgr', '-f', 'lcs-host');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        [
          '  - allowed by the policy, not live:',
          '      tcp input ipv6  2001:db8:20::/48 -> any  dport 5061',
          "    live: dropped by chain input's policy (drop)",
          '    policy: accepted by rule r1 (Messenger sip-tls)',
          `      ${files.path('contoso.msgr')}:17: server lcs via tls            # which server and transport these clients use`,
        ].join('\n'),
      );
      expect(r.stdout).toMatch(/missing: a rule of the policy is missing from chain input: ip6 saddr @clients_v6 tcp dport 5061 accept/);
    });

    it('1 after the table was deleted: not applied; the other table was never part of it', async () => {
      await sh('nft delete table inet msgr_lcs-host');
      const r = await verify('contoso.msgr', '-f', 'lcs-host');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('not applied: there is no table inet msgr_lcs-host');
      expect((await topo.exec('host', ['nft', 'list', 'table', 'inet', 'other'])).stdout).toContain('tcp dport 23 drop');
    });

    it('a gateway: 0 after apply, 1 when its forward policy is changed by hand', async () => {
      await topo.exec('host', ['nft', '-f', '-'], { input: artefacts(CONTOSO.text, 'edge', 'nftables').get('edge.nft')! });
      expect((await verify('contoso.msgr', '-f', 'edge')).code).toBe(0);
      await sh('nft add chain inet msgr_edge forward "{ policy drop; }"');
      const r = await verify('contoso.msgr', '-f', 'edge');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("changed: chain forward is type filter hook forward priority 0; policy drop; the policy's is type filter hook forward priority 0; policy accept");
      expect(r.stdout).toContain("    live: dropped by chain forward's policy (drop)\n    policy: not judged by this firewall (passes it)");
    });
  });

  describe('iptables', () => {
    it('0 after the artefacts are applied beside other rules (also after them in INPUT)', async () => {
      await topo.exec('host', ['nft', 'flush', 'ruleset']);
      await sh('iptables -A INPUT -p tcp --dport 9999 -j DROP; ip6tables -N OTHER; ip6tables -A OTHER -j RETURN');
      await applyIptables(CONTOSO.text, 'desktop');
      const r = await verify('contoso.msgr', '-f', 'desktop');
      expect(r.stdout).toContain('the live firewall does what the policy says');
      expect(r.code).toBe(0);
    });

    it('1 after an accept inserted before the jump in INPUT (IPv4), and in msgrfw\'s chain (IPv6)', async () => {
      await sh('iptables -I INPUT -p tcp --dport 23 -j ACCEPT');
      let r = await verify('contoso.msgr', '-f', 'desktop');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('      tcp input ipv4  any -> any  dport 23\n    live: accepted by iptables INPUT rule 1: -A INPUT -p tcp -m tcp --dport 23 -j ACCEPT');
      expect(r.stdout).toContain("note: 1 rule(s) of INPUT come before msgrfw's jump to MSGR-desktop-IN (iptables) and decide first");
      await sh('iptables -D INPUT 1; ip6tables -I MSGR-desktop-IN 3 -p tcp --dport 23 -j ACCEPT');
      r = await verify('contoso.msgr', '-f', 'desktop');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('      tcp input ipv6  any -> any  dport 23\n    live: accepted by ip6tables MSGR-desktop-IN rule 3: -A MSGR-desktop-IN -p tcp -m tcp --dport 23 -j ACCEPT');
      expect(r.stdout).not.toContain('ipv4  any -> any  dport 23');
    });

    it('1 after a deleted rule (the flow it lost), 1 after a deleted jump, not applied once the chains are gone', async () => {
      // Applying again replaces msgrfw's chains: the rule inserted into one is gone.
      await applyIptables(CONTOSO.text, 'desktop');
      expect((await verify('contoso.msgr', '-f', 'desktop')).code).toBe(0);
      const rule = (await sh('iptables -S MSGR-desktop-IN')).stdout.split('\n').find((l) => l.includes('--dport 22'))!;
      await sh(`iptables ${rule.replace(/^-A /, '-D ')}`);
      let r = await verify('contoso.msgr', '-f', 'desktop');
      expect(r.stdout).toContain('  - allowed by the policy, not live:\n      tcp input ipv4  10.9.0.0/24 -> any  dport 22\n    live: dropped by iptables MSGR-desktop-IN rule');
      expect(r.stdout).toContain(`${files.path('contoso.msgr')}:35: allow tcp 22 from admins`);
      await applyIptables(CONTOSO.text, 'desktop');
      await sh('ip6tables -D INPUT -m comment --comment "msgrfw desktop" -j MSGR-desktop-IN');
      r = await verify('contoso.msgr', '-f', 'desktop');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("jump-missing: INPUT has no jump to MSGR-desktop-IN (ip6tables): the firewall's INPUT rules are not in force");
      expect(r.stdout).toContain("    live: not filtered: INPUT has no jump to msgrfw's chains (ip6tables)\n    policy: dropped by the input default (deny)");
      await sh(
        'for t in iptables ip6tables; do $t -D INPUT -m comment --comment "msgrfw desktop" -j MSGR-desktop-IN 2>/dev/null; $t -D OUTPUT -m comment --comment "msgrfw desktop" -j MSGR-desktop-OUT; for c in IN OUT FWD CROSS; do $t -F MSGR-desktop-$c; $t -X MSGR-desktop-$c; done; done',
      );
      r = await verify('contoso.msgr', '-f', 'desktop');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('not applied: none of the chains MSGR-desktop-IN, MSGR-desktop-OUT, MSGR-desktop-FWD, MSGR-desktop-CROSS exists in either family');
    });

    it('with ipset sets: 0 after apply; a member added by hand is named, with the traffic it lets cross', async () => {
      await applyIptables(MANY, 'gw');
      expect((await verify('many.msgr', '-f', 'gw', '-t', 'iptables')).code).toBe(0);
      await sh('ipset add msgr-gw-clients-v4 10.99.0.0/16');
      const r = await verify('many.msgr', '-f', 'gw', '-t', 'iptables');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('changed: ipset msgr-gw-clients-v4 differs from the policy\'s: holds 10.99.0.0/16 too');
      // 10.99.0.0/16 is in a zone now: the live gateway judges its traffic with the partners, which the policy leaves alone.
      expect(r.stdout).toContain('  - allowed by the policy, not live:\n      tcp forward ipv4  10.99.0.0/16 -> 198.51.100.0/24  dport 1-1502,1504-65535\n');
      expect(r.stdout).toMatch(/ {4}live: dropped by iptables MSGR-gw-CROSS rule \d+: -A MSGR-gw-CROSS .*default deny" -j DROP\n {4}policy: not judged by this firewall \(passes it\)/);
    });
  });

  it('trouble (2): a policy with errors, a firewall it does not have, a target that cannot be read live', async () => {
    expect((await verify('contoso.msgr', '-f', 'nope')).stderr).toContain("no firewall named 'nope' (the policy has: edge, desktop, lcs-host)");
    expect((await verify('contoso.msgr')).stderr).toContain('which firewall? give -f NAME');
    expect((await verify('many.msgr', '-f', 'gw')).stderr).toContain('lists both nftables and iptables: give -t nftables or -t iptables');
    for (const args of [['-f', 'nope'], [], ['-f', 'edge', '--ruleset', '/dev/null']]) expect((await verify('contoso.msgr', ...args)).code).toBe(2);
  });
});
