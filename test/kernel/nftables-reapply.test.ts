// Applying an nftables artefact over a machine that has other tables leaves them alone, and
// applying it twice equals applying it once (re-apply replaces only our table, atomically).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nftables } from '../../targets/nftables/index.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { kernelSuite } from './capability.js';
import { buildTopology, type Topology } from './topology.js';
import { listNftJson, loadNft } from './traffic.js';

const OTHER_TABLES = `table inet other {
  set blocked { type ipv4_addr; elements = { 192.0.2.66 } }
  chain input {
    type filter hook input priority 10; policy accept;
    ip saddr @blocked counter drop comment "someone else's rule"
  }
}
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "eth9" masquerade
  }
}
`;

/** The ruleset as JSON without handles, so two listings compare by content. */
async function ruleset(topo: Topology): Promise<unknown[]> {
  const json = await listNftJson(topo, 'host');
  return json.nftables
    .filter((o) => !('metainfo' in o))
    .map((o) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'handle' ? undefined : v))));
}

const tablesOf = (rs: unknown[]) =>
  rs.filter((o) => 'table' in (o as object)).map((o) => `${(o as { table: { family: string; name: string } }).table.family} ${(o as { table: { name: string } }).table.name}`);

kernelSuite('nftables artefacts re-applied in a network namespace', () => {
  let topo: Topology;
  beforeAll(async () => {
    topo = await buildTopology({ kind: 'flat', hosts: [{ name: 'host', addrs: ['10.1.1.10/8', '2001:db8:1::10/64'] }] });
  });
  afterAll(async () => topo?.destroy());

  const contoso = EXAMPLES.find((e) => e.name === 'contoso.msgr')!;
  const ir = irOf(contoso.text, 'contoso.msgr');
  const artefact = (name: string, doc = ir) => nftables.render(doc, doc.firewalls.find((f) => f.name === name)!)[0]!.content;

  it('leave other tables untouched, and applying twice equals applying once', async () => {
    await topo.exec('host', ['nft', 'flush', 'ruleset']);
    await loadNft(topo, 'host', OTHER_TABLES);
    const before = await ruleset(topo);

    await loadNft(topo, 'host', artefact('lcs-host'));
    const once = await ruleset(topo);
    await loadNft(topo, 'host', artefact('lcs-host'));
    const twice = await ruleset(topo);

    expect(twice).toEqual(once);
    expect(tablesOf(once)).toEqual(['inet other', 'ip nat', 'inet msgr_lcs-host']);
    const othersAfter = once.filter((o) => JSON.stringify(o).match(/"table":"(other|nat)"|"name":"(other|nat)"/));
    expect(othersAfter).toEqual(before);
  });

  it('replace their own table with a changed policy, keeping other firewalls\' tables', async () => {
    await topo.exec('host', ['nft', 'flush', 'ruleset']);
    await loadNft(topo, 'host', OTHER_TABLES);
    await loadNft(topo, 'host', artefact('edge'));
    await loadNft(topo, 'host', artefact('lcs-host'));
    const changed = irOf(contoso.text.replace('sip tls                       # listens on 5061/tcp', 'sip tls port 5071'), 'contoso.msgr');
    await loadNft(topo, 'host', artefact('lcs-host', changed));

    const rs = await ruleset(topo);
    expect(tablesOf(rs)).toEqual(['inet other', 'ip nat', 'inet msgr_edge', 'inet msgr_lcs-host']);
    const text = (await topo.exec('host', ['nft', 'list', 'table', 'inet', 'msgr_lcs-host'])).stdout;
    expect(text).toMatch(/tcp dport 5071 accept/);
    expect(text).not.toMatch(/dport 5061/);
    expect((await topo.exec('host', ['nft', 'list', 'table', 'inet', 'other'])).stdout).toMatch(/someone else's rule/);
  });

  it('fail as a whole, leaving the old rules in force, when the kernel refuses the file', async () => {
    await topo.exec('host', ['nft', 'flush', 'ruleset']);
    await loadNft(topo, 'host', artefact('lcs-host'));
    const before = await ruleset(topo);
    const broken = artefact('lcs-host').replace('policy drop;', 'policy drop;\n\t\tnonsense here');
    await expect(loadNft(topo, 'host', broken)).rejects.toThrow();
    expect(await ruleset(topo)).toEqual(before);
  });
});
