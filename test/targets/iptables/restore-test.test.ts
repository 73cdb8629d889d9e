// iptables-restore --test / ip6tables-restore --test accept the output for every firewall of
// every example (whatever its `targets` list says), run in a private network namespace so the
// host's rules are never touched. Each installed backend (nft and legacy) is tried.
import { expect, it } from 'vitest';
import { iptables } from '../../../targets/iptables/index.js';
import { compileOrThrow, describeWhen, examples, exec, restoreTestBackends, restoreTestCapability, unshareArgv } from './env.js';
import { doc, gatewayFirewall, hostFirewall, ports, rule } from './fixtures.js';

const cases = examples().flatMap((ex) => {
  const ir = compileOrThrow(ex.text, ex.name);
  return ir.firewalls.flatMap((fw) => iptables.render(ir, fw).map((a) => ({ label: `${ex.name} ${a.name}`, artefact: a })));
});

// Shapes the examples do not cover: long names, multiport chunks, logged drop rules, many addresses.
const long = hostFirewall({
  name: 'a-host-firewall-with-a-name-far-too-long-for-iptables',
  logDenied: true,
  addressSets: [
    { name: 'many', stands: 'many', ipv4: Array.from({ length: 120 }, (_, i) => `10.${i}.0.0/16`), ipv6: Array.from({ length: 60 }, (_, i) => `2001:db8:${i.toString(16)}::/48`) },
  ],
  rules: [
    rule('r1', { src: 'many', dstPorts: { ranges: ports(...Array.from({ length: 20 }, (_, i) => 3000 + 2 * i), [4000, 4100]) } }),
    rule('r2', { direction: 'output', action: 'drop', protocol: 'udp', dst: 'many', srcPorts: { ranges: ports(1, 2, 3) }, dstPorts: { ranges: ports(7, [9, 11]) } }),
    rule('r3', { action: 'drop', comment: '' }),
  ],
});
const gw = gatewayFirewall({ name: 'gateway-between-head-office-and-the-partners' });
const extra = [long, gw].flatMap((fw) => iptables.render(doc([fw]), fw).map((a) => ({ label: `fixture ${a.name}`, artefact: a })));

describeWhen(restoreTestCapability(), 'iptables target: iptables-restore --test', () => {
  for (const backend of restoreTestBackends()) {
    it.each([...cases, ...extra])(`${backend.name}: $label`, ({ artefact }) => {
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
