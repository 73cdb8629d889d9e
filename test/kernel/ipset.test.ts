// iptables with ipset sets, in the kernel, with real packets: a generated policy with 1,000
// dual-stack client networks (far above the iptables target's ipset threshold) is compiled,
// its `edge` gateway's files (edge.ipset, edge.rules.v4, edge.rules.v6) are applied on a router
// with the commands their headers document, and real TCP exchanges show that the set decides,
// over IPv4 and IPv6, with the set on the source side and on the destination side: an address
// inside the client set is between the zones, so the gateway judges it (T.120 crosses, a port
// no rule opens is dropped), while one just outside it (the /24 or /48 next door) is in neither
// zone, so the gateway leaves it alone (even the unopened port passes: there is no other rule
// on the router). Applying twice changes nothing; a changed policy replaces the set's members.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../targets/target.js';
import { documentedApplyCommand, documentedIpsetCommand } from '../targets/iptables/env.js';
import { ipsetFileResult } from '../targets/iptables/ipsetFile.js';
import { PARTNERS_V4, PARTNERS_V6, clientV4, clientV6, gapV4, gapV6, largeArtefacts } from '../targets/iptables/large.js';
import { missingTools } from '../requiredTools.js';
import { kernelCapability, kernelSuite } from './capability.js';
import { runSync } from './exec.js';
import { listNamespaces, sweepStaleNamespaces, uniquePrefix } from './netns.js';
import { buildTopology, type Topology } from './topology.js';
import { describeResult, iptablesSave, runProbes, type Probe, type ProbeResult } from './traffic.js';

const NETWORKS = 1000;
/** The client network the `inside` host lives in (10.3.232.0/24, 2001:db8:3e8::/48). */
const INSIDE = 500;
const FW = 'edge';

/** `<net>.<host>` for a /24 or `<net>::<host>/64` for a /48 network of large.ts. */
const hostIn = (cidr: string, host: number) =>
  cidr.includes(':') ? `${cidr.split('::')[0]}::${host}/64` : `${cidr.split('.').slice(0, 3).join('.')}.${host}/24`;

// The router joins three LANs: a client network (in the set), the network right next to it
// (in no network of the policy) and the partners.
const TOPOLOGY = {
  kind: 'gateway' as const,
  lans: [
    {
      name: 'inside',
      routerAddrs: [hostIn(clientV4(INSIDE), 1), hostIn(clientV6(INSIDE), 1)],
      hosts: [{ name: 'inside', addrs: [hostIn(clientV4(INSIDE), 5), hostIn(clientV6(INSIDE), 5)] }],
    },
    {
      name: 'outside',
      routerAddrs: [hostIn(gapV4(INSIDE), 1), hostIn(gapV6(INSIDE), 1)],
      hosts: [{ name: 'outside', addrs: [hostIn(gapV4(INSIDE), 5), hostIn(gapV6(INSIDE), 5)] }],
    },
    {
      name: 'partners',
      routerAddrs: [hostIn(PARTNERS_V4, 1), hostIn(PARTNERS_V6, 1)],
      hosts: [{ name: 'partner', addrs: [hostIn(PARTNERS_V4, 7), hostIn(PARTNERS_V6, 7)] }],
    },
  ],
};

type Want = 'delivered' | 'blocked';
interface Case {
  label: string;
  probe: Probe;
  want: Want;
}

/**
 * T.120 (1503/tcp) crosses between clients and partners both ways (peer-to-peer); 1504/tcp is
 * opened by no rule. `inZone`: whether the `inside` host is in the client set (the gateway
 * judges its traffic with partners) or not (the gateway does not judge it at all).
 */
function cases(inZone: boolean): Case[] {
  const judged: Want = inZone ? 'blocked' : 'delivered';
  return ([4, 6] as const).flatMap((family) => [
    { label: `inside -> partner 1503/tcp (client set as source) v${family}`, probe: { proto: 'tcp', from: 'inside', to: 'partner', family, dstPort: 1503 }, want: 'delivered' },
    { label: `partner -> inside 1503/tcp (client set as destination) v${family}`, probe: { proto: 'tcp', from: 'partner', to: 'inside', family, dstPort: 1503 }, want: 'delivered' },
    { label: `inside -> partner 1504/tcp (a port no rule opens) v${family}`, probe: { proto: 'tcp', from: 'inside', to: 'partner', family, dstPort: 1504 }, want: judged },
    { label: `partner -> inside 1504/tcp v${family}`, probe: { proto: 'tcp', from: 'partner', to: 'inside', family, dstPort: 1504 }, want: judged },
    { label: `outside -> partner 1504/tcp (source just outside the set: not between the zones) v${family}`, probe: { proto: 'tcp', from: 'outside', to: 'partner', family, dstPort: 1504 }, want: 'delivered' },
    { label: `partner -> outside 1504/tcp (destination just outside the set) v${family}`, probe: { proto: 'tcp', from: 'partner', to: 'outside', family, dstPort: 1504 }, want: 'delivered' },
  ]);
}

/** delivered: the reply came back; blocked: the server never saw the request. Anything else fails. */
function verdict(r: ProbeResult): string {
  if (r.detail === 'error') return 'harness-error';
  if (r.outcome === 'delivered') return 'delivered';
  return r.serverSaw ? 'leaked (server saw it)' : 'blocked';
}

async function expectProbes(topo: Topology, list: Case[], when: string): Promise<void> {
  const results = await runProbes(topo, list.map((c) => c.probe), { concurrency: 16 });
  const rows = list.map((c, i) => ({ c, got: verdict(results[i]!), detail: describeResult(results[i]!) }));
  const bad = rows.filter((r) => r.got !== r.c.want);
  const table = rows.map((r) => `${r.got === r.c.want ? ' ' : '✗'} ${r.c.label}: want ${r.c.want}, got ${r.got} (${r.detail})`).join('\n');
  expect(bad.length, `${when}: ${bad.length} of ${rows.length} probe(s) wrong\n${table}`).toBe(0);
}

// ---- capability: the kernel suite's, plus ipset and iptables' set match in a namespace ----

function ipsetProblem(): string | undefined {
  const missing = missingTools(['ipset', 'ip6tables-restore']);
  if (missing) return missing;
  const v = runSync(['ipset', '--version']);
  if (v.code !== 0) return `ipset not usable: ${v.stderr.trim().split('\n')[0] || `exit ${v.code}`}`;
  const ns = `${uniquePrefix()}ipset`;
  const add = runSync(['ip', 'netns', 'add', ns]);
  if (add.code !== 0) return `ip netns add failed: ${add.stderr.trim()}`;
  try {
    const r = runSync(
      ['ip', 'netns', 'exec', ns, 'sh', '-c', 'ipset create msgr-probe hash:net family inet6 && ip6tables-restore --noflush'],
      '*filter\n-A FORWARD -m set --match-set msgr-probe src -j ACCEPT\nCOMMIT\n',
    );
    if (r.code !== 0) return `ipset + ip6tables -m set inside a namespace failed: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`;
  } finally {
    runSync(['ip', 'netns', 'del', ns]);
  }
  return undefined;
}

/** kernelSuite, also needing ipset: runs, fails under CI=true, or skips with the reason. */
function ipsetSuite(name: string, fn: () => void): void {
  if (!kernelCapability().ok) {
    kernelSuite(name, fn);
    return;
  }
  const why = ipsetProblem();
  if (!why) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('ipset capability', () => {
        throw new Error(`kernel ipset tests cannot run in CI: ${why}`);
      });
    });
    return;
  }
  console.warn(`[msgrfw] skipping "${name}": ${why}`);
  describe.skip(`${name} [skipped: ${why}]`, () => {
    it.skip(`needs ipset: ${why}`, () => {});
  });
}

// ---- the test -------------------------------------------------------------------

ipsetSuite(`iptables with ipset sets in the kernel: ${NETWORKS} client networks`, () => {
  let topo: Topology | undefined;
  let dir = '';

  const filesOf = (without: number[] = []): Map<string, string> => {
    const arts: Artefact[] = largeArtefacts({ networks: NETWORKS, without }).get(FW)!;
    return new Map(arts.map((a) => [a.name, a.content]));
  };

  /** The documented commands, in the router's namespace: the sets first, then each family's apply line. */
  const apply = async (files: Map<string, string>) => {
    for (const [name, content] of files) writeFileSync(join(dir, name), content);
    const v4 = files.get(`${FW}.rules.v4`)!;
    const v6 = files.get(`${FW}.rules.v6`)!;
    const script = [documentedIpsetCommand(v4), documentedApplyCommand(v4), documentedApplyCommand(v6)];
    expect(script[0]).toBe(`ipset restore -exist < ${FW}.ipset`);
    await topo!.exec('router', ['sh', '-c', `set -e; cd '${dir}'; ${script.join('; ')}`]);
    await topo!.flushNeighbours();
  };

  /** What the router has: every msgr set with its sorted members, and the filter table of each family. */
  const state = async () => {
    const names = (await topo!.exec('router', ['ipset', 'list', '-n'])).stdout.split('\n').filter((n) => n.startsWith('msgr-')).sort();
    const sets: Record<string, string[]> = {};
    for (const n of names) {
      const text = (await topo!.exec('router', ['ipset', 'list', n])).stdout;
      sets[n] = text.slice(text.indexOf('Members:\n') + 'Members:\n'.length).split('\n').filter(Boolean).sort();
    }
    // Rules only: the save's date comments and the built-in chains' packet counters change anyway.
    const rulesOf = (text: string) => text.split('\n').filter((l) => l.startsWith('-A '));
    const rules = { 4: rulesOf(await iptablesSave(topo!, 'router', 4)), 6: rulesOf(await iptablesSave(topo!, 'router', 6)) };
    return { sets, rules };
  };

  const expectLoaded = (s: Awaited<ReturnType<typeof state>>, files: Map<string, string>) => {
    const fileMembers = ipsetFileResult(files.get(`${FW}.ipset`)!);
    expect(Object.keys(s.sets)).toEqual([...fileMembers.keys()].sort());
    for (const [name, members] of fileMembers) expect(s.sets[name], name).toEqual([...members].sort());
    for (const family of [4, 6] as const) {
      const lines = s.rules[family];
      expect(lines.filter((l) => l.startsWith('-A FORWARD ') && l.includes('-j MSGR-')), `IPv${family}: one jump`).toEqual([`-A FORWARD -m comment --comment "msgrfw ${FW}" -j MSGR-${FW}-FWD`]);
      const ours = lines.filter((l) => l.startsWith(`-A MSGR-${FW}-`));
      const inFile = files.get(`${FW}.rules.v${family}`)!.split('\n').filter((l) => l.startsWith(`-A MSGR-${FW}-`));
      // The jumps to the crossing chain match the zone set on each side.
      expect(ours.filter((l) => l.startsWith(`-A MSGR-${FW}-FWD `) && l.includes(`--match-set msgr-${FW}-clients-v${family} `))).toHaveLength(2);
      expect(ours.length, `IPv${family}: one copy of each rule`).toBe(inFile.length);
      expect(new Set(ours).size).toBe(ours.length);
      expect(ours.filter((l) => l.includes(`--match-set msgr-${FW}-clients-v${family} `)).length).toBeGreaterThanOrEqual(2);
    }
  };

  beforeAll(async () => {
    await sweepStaleNamespaces();
    dir = mkdtempSync(join(tmpdir(), 'msgrt-ipset-'));
    topo = await buildTopology(TOPOLOGY);
  });

  afterAll(async () => {
    const prefix = topo?.prefix;
    await topo?.destroy();
    if (prefix) expect(listNamespaces(prefix)).toEqual([]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('baseline: with no firewall every probe is delivered', async () => {
    await expectProbes(topo!, cases(true).map((c) => ({ ...c, want: 'delivered' as const })), 'without a firewall');
  });

  it('applied: an address inside the set is judged (as source and as destination), one just outside is not, v4 and v6', async () => {
    const files = filesOf();
    expect([...files.keys()]).toEqual([`${FW}.ipset`, `${FW}.rules.v4`, `${FW}.rules.v6`]);
    // The addresses under test really are in the set, and the neighbours really are not.
    const sets = files.get(`${FW}.ipset`)!;
    expect(ipsetFileResult(sets).get(`msgr-${FW}-clients-v4`)).toContain(clientV4(INSIDE));
    expect(ipsetFileResult(sets).get(`msgr-${FW}-clients-v6`)).toContain(clientV6(INSIDE));
    expect(sets).not.toContain(` ${gapV4(INSIDE)}\n`);
    expect(sets).not.toContain(` ${gapV6(INSIDE)}\n`);
    await apply(files);
    expectLoaded(await state(), files);
    await expectProbes(topo!, cases(true), 'applied once');
  });

  it('applied twice: the same sets and members, one jump, one copy of each rule, same verdicts', async () => {
    const files = filesOf();
    const once = await state();
    await apply(files);
    const twice = await state();
    expect(twice).toEqual(once);
    expectLoaded(twice, files);
    await expectProbes(topo!, cases(true), 'applied twice');
  });

  it('a changed policy without the inside network replaces the members: inside is now outside', async () => {
    const files = filesOf([INSIDE]);
    await apply(files);
    const s = await state();
    expectLoaded(s, files);
    expect(s.sets[`msgr-${FW}-clients-v4`]).toHaveLength(NETWORKS - 1);
    expect(s.sets[`msgr-${FW}-clients-v4`]).not.toContain(clientV4(INSIDE));
    await expectProbes(topo!, cases(false), 'changed policy');
  });
});
