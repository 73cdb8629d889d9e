// The kernel's view of hostile text: the nftables and iptables outputs of every example, with
// a 100 KB hostile description, hostile comments on every line and a hostile file name, load
// into a network namespace as exactly the same ruleset (`nft -j list ruleset`, `iptables-save`)
// as the outputs of the plain example. And applying them twice equals applying them once, next
// to rules that are not ours (the documented commands; for the examples themselves see
// test/kernel/nftables-reapply.test.ts and test/targets/iptables/namespace.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXAMPLES } from '../helpers.js';
import { kernelSuite } from '../kernel/capability.js';
import { buildTopology, type Topology } from '../kernel/topology.js';
import { flushFirewall, iptablesSave, listNftJson, loadIptables, loadNft } from '../kernel/traffic.js';
import { documentedApplyCommand } from '../targets/iptables/env.js';
import { compiled, escapeMsgr, LEGAL_HOSTILE_TEXT, LONG_TEXT, withComments, withDescription, type Output } from './support.js';

const HOSTILE_FILE = `dir/we&ird %PATH% $(id) \`id\` "q" ^ !x!\nnetsh advfirewall reset.msgr`;

const pairs = EXAMPLES.map((e) => {
  const clean = compiled(e.text, e.name);
  const hostile = compiled(withComments(withDescription(e.text, escapeMsgr(LONG_TEXT)), LEGAL_HOSTILE_TEXT.join(' | ')), HOSTILE_FILE);
  return { name: e.name, clean, hostile };
});

const OTHER_NFT = `table inet other {
  chain input {
    type filter hook input priority 10; policy accept;
    ip saddr 192.0.2.66 counter drop comment "someone else's rule"
  }
}
`;
const OTHER_IPT = (family: 4 | 6) =>
  `*filter\n:OTHER - [0:0]\n-A INPUT -s ${family === 4 ? '192.0.2.66/32' : '2001:db8:ffff::66/128'} -j OTHER\n-A OTHER -j RETURN\nCOMMIT\n`;

const stripHandles = (json: { nftables: Record<string, unknown>[] }) =>
  json.nftables.filter((o) => !('metainfo' in o)).map((o) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'handle' ? undefined : v))));
/** iptables-save without its `#` lines and counters. */
const saved = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, ''));
const ruleCount = (rs: unknown[]) => rs.filter((o) => 'rule' in (o as object)).length;
const pairsOf = (list: { clean: { outputs: Output[] }; hostile: { outputs: Output[] } }, suffix: string) =>
  list.clean.outputs.filter((o) => o.name.endsWith(suffix)).map((c) => ({ c, h: list.hostile.outputs.find((o) => o.name === c.name && o.target === c.target)! }));

kernelSuite('hardening: hostile text, loaded into a network namespace', () => {
  let topo: Topology;
  let dir = '';
  beforeAll(async () => {
    topo = await buildTopology({ kind: 'flat', hosts: [{ name: 'host', addrs: ['10.1.1.10/8', '2001:db8:1::10/64'] }] });
    dir = mkdtempSync(join(tmpdir(), 'msgrfw-hard-'));
  });
  afterAll(async () => {
    await topo?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the hostile policies differ from the plain ones only in comment lines (and hold the 100 KB text)', () => {
    for (const p of pairs) {
      expect(p.hostile.outputs.some((o) => o.content.length > 100_000)).toBe(true);
      expect(p.hostile.outputs.map((o) => o.content)).not.toEqual(p.clean.outputs.map((o) => o.content));
    }
  });

  it.each(pairs)('$name: every nftables output loads as the same ruleset as the plain policy\'s', async (p) => {
    let rules = 0;
    for (const { c, h } of pairsOf(p, '.nft')) {
      await flushFirewall(topo, 'host');
      await loadNft(topo, 'host', c.content);
      const want = stripHandles(await listNftJson(topo, 'host'));
      await flushFirewall(topo, 'host');
      await loadNft(topo, 'host', h.content);
      const got = stripHandles(await listNftJson(topo, 'host'));
      expect(got, h.name).toEqual(want);
      expect(ruleCount(got)).toBeGreaterThan(0);
      rules += ruleCount(got);
    }
    expect(rules).toBeGreaterThan(10);
  });

  it.each(pairs)('$name: every iptables output restores to the same iptables-save as the plain policy\'s', async (p) => {
    let rules = 0;
    for (const family of [4, 6] as const) {
      for (const { c, h } of pairsOf(p, `.rules.v${family}`)) {
        await flushFirewall(topo, 'host');
        await loadIptables(topo, 'host', family === 4 ? c.content : undefined, family === 6 ? c.content : undefined);
        const want = saved(await iptablesSave(topo, 'host', family));
        await flushFirewall(topo, 'host');
        await loadIptables(topo, 'host', family === 4 ? h.content : undefined, family === 6 ? h.content : undefined);
        const got = saved(await iptablesSave(topo, 'host', family));
        expect(got, h.name).toEqual(want);
        expect(got.some((l) => l.startsWith(':MSGR-')), h.name).toBe(true);
        rules += got.filter((l) => l.startsWith('-A MSGR-')).length;
      }
    }
    expect(rules).toBeGreaterThan(10);
  });

  it.each(pairs)('$name: nftables, applied twice next to another table, equals applied once', async (p) => {
    for (const { h } of pairsOf(p, '.nft')) {
      await flushFirewall(topo, 'host');
      await loadNft(topo, 'host', OTHER_NFT);
      const before = stripHandles(await listNftJson(topo, 'host'));
      await loadNft(topo, 'host', h.content);
      const once = stripHandles(await listNftJson(topo, 'host'));
      await loadNft(topo, 'host', h.content);
      const twice = stripHandles(await listNftJson(topo, 'host'));
      expect(twice, h.name).toEqual(once);
      // The other table is untouched: everything of it that was there is there, unchanged.
      for (const o of before) expect(once).toContainEqual(o);
    }
  });

  it.each(pairs)('$name: iptables, applied twice with the documented command next to other rules, equals applied once', async (p) => {
    for (const family of [4, 6] as const) {
      for (const { h } of pairsOf(p, `.rules.v${family}`)) {
        await flushFirewall(topo, 'host');
        await loadIptables(topo, 'host', family === 4 ? OTHER_IPT(4) : undefined, family === 6 ? OTHER_IPT(6) : undefined);
        const before = saved(await iptablesSave(topo, 'host', family));
        writeFileSync(join(dir, h.name), h.content);
        const apply = `cd '${dir}' && ${documentedApplyCommand(h.content)}`;
        await topo.exec('host', ['sh', '-c', apply]);
        const once = saved(await iptablesSave(topo, 'host', family));
        await topo.exec('host', ['sh', '-c', apply]);
        const twice = saved(await iptablesSave(topo, 'host', family));
        expect(twice, h.name).toEqual(once);
        for (const l of before) expect(once, h.name).toContain(l);
        expect(once.filter((l) => / -j MSGR-/.test(l) && /^-A (INPUT|OUTPUT|FORWARD) /.test(l)).length, h.name).toBeGreaterThan(0);
      }
    }
  });
});
