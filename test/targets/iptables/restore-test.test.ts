// iptables-restore --test / ip6tables-restore --test accept the output for every firewall of
// every example (whatever its `targets` list says), run in a private network namespace so the
// host's rules are never touched. Each installed backend (nft and legacy) is tried. A rules
// file that matches ipset sets is tested after `ipset restore` of its firewall's .ipset file
// in the same namespace (--test looks the sets up by name).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { IrDocument, IrFirewall } from '../../../src/ir/types.js';
import { iptables } from '../../../targets/iptables/index.js';
import type { Artefact } from '../../../targets/target.js';
import { allOf, compileOrThrow, describeWhen, examples, exec, ipsetCapability, restoreTestBackends, restoreTestCapability, unshareArgv } from './env.js';
import { doc, gatewayFirewall, hostFirewall, ports, rule } from './fixtures.js';
import { largeArtefacts } from './large.js';

interface Case {
  label: string;
  artefact: Artefact;
  /** The firewall's .ipset file, when it has one. */
  ipset?: Artefact;
}

function casesOf(prefix: string, arts: Artefact[]): Case[] {
  const ipset = arts.find((a) => a.name.endsWith('.ipset'));
  return arts.filter((a) => a !== ipset).map((a) => ({ label: `${prefix} ${a.name}`, artefact: a, ipset }));
}
const render = (ir: IrDocument, fw: IrFirewall) => iptables.render(ir, fw);

const cases = examples().flatMap((ex) => {
  const ir = compileOrThrow(ex.text, ex.name);
  return ir.firewalls.flatMap((fw) => casesOf(ex.name, render(ir, fw)));
});

// Shapes the examples do not cover: long names, multiport chunks, logged drop rules, many addresses.
const long = hostFirewall({
  name: 'a-host-firewall-with-a-name-far-too-long-for-iptables',
  logDenied: true,
  addressSets: [
    { name: 'many', stands: 'many', ipv4: Array.from({ length: 120 }, (_, i) => `10.${i}.0.0/16`), ipv6: Array.from({ length: 60 }, (_, i) => `2001:db8:${i.toString(16)}::/48`) },
    { name: 'a_set_name_of_24_chars_x', stands: 'few', ipv4: ['10.200.0.0/16', '10.202.0.0/16'], ipv6: ['2001:db8:ff::/48'] },
  ],
  rules: [
    rule('r1', { src: 'many', dstPorts: { ranges: ports(...Array.from({ length: 20 }, (_, i) => 3000 + 2 * i), [4000, 4100]) } }),
    rule('r2', { direction: 'output', action: 'drop', protocol: 'udp', dst: 'many', srcPorts: { ranges: ports(1, 2, 3) }, dstPorts: { ranges: ports(7, [9, 11]) } }),
    rule('r3', { action: 'drop', comment: '' }),
    rule('r4', { src: 'a_set_name_of_24_chars_x', dstPorts: { ranges: ports(22) } }),
  ],
});
const gw = gatewayFirewall({ name: 'gateway-between-head-office-and-the-partners' });
const extra = [long, gw].flatMap((fw) => casesOf('fixture', render(doc([fw]), fw)));
const large = [...largeArtefacts({ networks: 1000 }).values()].flatMap((arts) => casesOf('1,000 client networks', arts));

const plain = [...cases, ...extra, ...large].filter((c) => !c.ipset);
const withSets = [...cases, ...extra, ...large].filter((c) => c.ipset);

let dir = '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `ipset restore` of the firewall's sets, then `<tool> --test` of the rules, in one fresh namespace. */
function testWithSets(tool: string, c: Case) {
  dir ||= mkdtempSync(join(tmpdir(), 'msgri-'));
  writeFileSync(join(dir, 'sets.ipset'), c.ipset!.content);
  writeFileSync(join(dir, 'rules'), c.artefact.content);
  return exec([...unshareArgv(), 'sh', '-c', `ipset restore -exist < sets.ipset && ${tool} --test < rules`], '', dir);
}

describeWhen(restoreTestCapability(), 'iptables target: iptables-restore --test', () => {
  it('the generated cases include rules files with and without ipset sets', () => {
    expect(plain.length).toBeGreaterThan(0);
    expect(withSets.map((c) => c.label)).toEqual(expect.arrayContaining([`fixture ${long.name}.rules.v4`, `fixture ${long.name}.rules.v6`]));
    expect(withSets.filter((c) => c.label.startsWith('1,000'))).toHaveLength(6);
  });

  for (const backend of restoreTestBackends()) {
    it.each(plain)(`${backend.name}: $label`, ({ artefact }) => {
      const tool = artefact.name.endsWith('.v4') ? backend.v4.restore : backend.v6.restore;
      const r = exec([...unshareArgv(), tool, '--test'], artefact.content);
      expect(r.stderr, `${tool} --test < ${artefact.name}`).toBe('');
      expect(r.code).toBe(0);
    });

    it(`${backend.name}: --test really checks (a 16-port multiport and a 29-character chain fail)`, () => {
      const bad = [
        '*filter\n:MSGR-x-IN - [0:0]\n-A MSGR-x-IN -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT\nCOMMIT\n',
        '*filter\n:MSGR-123456789012345678901234 - [0:0]\nCOMMIT\n',
      ];
      for (const text of bad) expect(exec([...unshareArgv(), backend.v4.restore, '--test'], text).code).not.toBe(0);
    });
  }
});

describeWhen(allOf(restoreTestCapability(), ipsetCapability()), 'iptables target: ipset restore, then iptables-restore --test', () => {
  for (const backend of restoreTestBackends()) {
    it.each(withSets)(`${backend.name}: $label`, (c) => {
      const tool = c.artefact.name.endsWith('.v4') ? backend.v4.restore : backend.v6.restore;
      const r = testWithSets(tool, c);
      expect(r.stderr, `ipset restore -exist < ${c.ipset!.name} && ${tool} --test < ${c.artefact.name}`).toBe('');
      expect(r.code).toBe(0);
    });

    it(`${backend.name}: --test refers to the sets (without them it fails)`, () => {
      const c = withSets[0]!;
      const tool = c.artefact.name.endsWith('.v4') ? backend.v4.restore : backend.v6.restore;
      const r = exec([...unshareArgv(), tool, '--test'], c.artefact.content);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Set msgr-\S+ doesn't exist/);
    });
  }

  it('ipset refuses a /0 in hash:net (why no set ever holds one)', () => {
    for (const [family, cidr] of [['inet', '0.0.0.0/0'], ['inet6', '::/0']] as const) {
      const r = exec([...unshareArgv(), 'ipset', 'restore'], `create msgr-zero hash:net family ${family}\nadd msgr-zero ${cidr}\n`);
      expect(r.code, `${family} ${cidr}`).not.toBe(0);
    }
  });
});
