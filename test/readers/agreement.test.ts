// Every target allows the same traffic. For every firewall of every example, each target is
// forced on it (`-t`): the nftables and the iptables (+ipset) output are loaded into a fresh
// network namespace each and read back from the kernel (`nft -j list ruleset`,
// `iptables-save`, `ip6tables-save`, `ipset save`); the netsh script (hosts only: netsh refuses
// a gateway) and the pf anchor go through their text readers. Each probe is a connection: its
// opening packet, and when that passes, the reply, which must pass too (README: every firewall
// accepts the return traffic of accepted connections). Every reader's verdicts must equal the
// IR's (README: a host judges its input and output; a gateway judges exactly the traffic from
// one zone to the other, not its own), over probe packets around every edge of every reader's
// rules, between and outside the zones, to and from a gateway's own addresses, both families and
// both directions. The kernel rules are read twice, for opening packets (conntrack `new`) and
// for replies (`established`); pf's anchor runs with its state table (readerFilter.ts). The readers
// themselves are unit-tested first (no kernel).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IrDocument, IrFirewall, IrTarget } from '../../src/ir/types.js';
import { emitTargets } from '../../targets/emit.js';
import { EXAMPLES, irOf, ROOT } from '../helpers.js';
import { kernelSuite } from '../kernel/capability.js';
import { run } from '../kernel/exec.js';
import { documentedApplyCommand, documentedIpsetCommand } from '../targets/iptables/env.js';
import { ReaderError, flatten, type ChainProgram } from '../../targets/readers/chains.js';
import { conntrackModel, differences, irModel, openingOnlyModel, probesOf, routerAddresses, selfTexts, zoneCidrs, type Connection, type Model } from './connections.js';
import { probeText, verdict, type Policy, type Probe } from '../../targets/readers/evaluate.js';
import { readIptables } from '../../targets/iptables/reader.js';
import { netshPolicy, netshTuples, readNetshScript, windowsEvaluationOrder, PROFILES } from '../../targets/netsh/reader.js';
import { addressIn, addressValue, type Family } from '../../targets/readers/normalize.js';
import { readNftJson, type NftJson } from '../../targets/nftables/reader.js';
import { PfFilter, pfConnection } from '../../targets/pf/readerFilter.js';
import { readPf } from '../../targets/pf/reader.js';
import { tupleText, type Tuple } from '../../targets/readers/tuple.js';

// ---- the readers, on hand-written kernel output (no kernel needed) ---------------------------

const nftDoc = (objects: Record<string, unknown>[]): NftJson => ({ nftables: [{ metainfo: { json_schema_version: 1 } }, { table: { family: 'inet', name: 't', handle: 1 } }, ...objects] });
const chain = (name: string, hook?: string, policy?: string) => ({ chain: { family: 'inet', table: 't', name, handle: 1, ...(hook ? { type: 'filter', hook, prio: 0, policy } : {}) } });
const rule = (chainName: string, expr: object[]) => ({ rule: { family: 'inet', table: 't', chain: chainName, handle: 9, expr } });
const match = (left: object, right: unknown, op = '==') => ({ match: { op, left, right } });
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
const texts = (m: { tuples: Tuple[] }) => m.tuples.map(tupleText);

describe('nft JSON reader', () => {
  const doc = nftDoc([
    { set: { family: 'inet', name: 'a_v4', table: 't', type: 'ipv4_addr', flags: ['interval'], elem: [{ prefix: { addr: '10.0.0.0', len: 16 } }, '10.9.0.1', { range: ['10.8.0.1', '10.8.0.2'] }] } },
    { set: { family: 'inet', name: 'p', table: 't', type: 'inet_service', flags: ['interval'], elem: [1503, { range: [6891, 6900] }, { elem: { val: 22, comment: 'x' } }] } },
    chain('forward', 'forward', 'accept'),
    chain('inner'),
    rule('forward', [match(payload('ip', 'saddr'), '@a_v4'), match(payload('ip', 'daddr'), { prefix: { addr: '192.0.2.0', len: 24 } }), { jump: { target: 'inner' } }]),
    rule('forward', [match(payload('tcp', 'dport'), 80), { drop: null }]),
    rule('inner', [match({ ct: { key: 'state' } }, ['established', 'related'], 'in'), { accept: null }]),
    rule('inner', [match(payload('ip', 'saddr'), { set: [{ prefix: { addr: '10.0.5.0', len: 24 } }, '10.9.0.1'] }), match(payload('tcp', 'dport'), '@p'), { accept: null }]),
    rule('inner', [match(payload('udp', 'sport'), { range: [50000, 50039] }), match(payload('udp', 'dport'), { set: [53, { range: [100, 200] }] }), { accept: null }]),
    rule('inner', [{ limit: { rate: 5, burst: 10, per: 'second' } }, { log: { prefix: 'x' } }]),
    rule('inner', [{ return: null }]),
    rule('inner', [{ drop: null }]),
  ]);

  it('reads sets, follows jumps by conjunction, decides ct state for a new connection, skips log and limit', () => {
    const r = readNftJson(doc, 't');
    expect(texts(r)).toEqual([
      'forward accept tcp/4 10.0.5.0/24,10.9.0.1/32:any -> 192.0.2.0/24:22,1503,6891-6900',
      'forward accept udp/4 10.0.0.0/16,10.8.0.1/32,10.8.0.2/32,10.9.0.1/32:50000-50039 -> 192.0.2.0/24:53,100-200',
      'forward drop tcp/4 any:any -> any:80',
      'forward drop tcp/6 any:any -> any:80',
    ]);
    // The unconditional return ends `inner`: the drop after it is never reached.
    expect(r.tuples.filter((t) => t.action === 'drop')).toHaveLength(2);
    expect(r.policy).toEqual({ forward: 'accept', in: 'accept', out: 'accept' });
  });

  it('a packet that falls off the end of a jumped-to chain continues after the jump', () => {
    const r = readNftJson(
      nftDoc([
        chain('input', 'input', 'drop'),
        chain('c'),
        rule('input', [match(payload('ip', 'saddr'), { prefix: { addr: '10.0.0.0', len: 8 } }), { jump: { target: 'c' } }]),
        rule('input', [match(payload('tcp', 'dport'), 22), { accept: null }]),
        rule('c', [match(payload('tcp', 'dport'), 23), { accept: null }]),
      ]),
    );
    const probe = (dstPort: number): Probe => ({ direction: 'in', protocol: 'tcp', family: 4, src: addressValue('10.0.0.0').value, dst: 1n, srcPort: 40000, dstPort, iface: 'em0' });
    expect(verdict(r.tuples, r.policy, probe(23))).toBe('accept');
    expect(verdict(r.tuples, r.policy, probe(22))).toBe('accept');
    expect(verdict(r.tuples, r.policy, probe(24))).toBe('drop');
  });

  it('refuses what it cannot evaluate exactly', () => {
    const one = (expr: object[]) => () => readNftJson(nftDoc([chain('input', 'input', 'drop'), rule('input', expr)]));
    expect(one([match(payload('tcp', 'dport'), 22), { limit: { rate: 1, per: 'second' } }, { accept: null }])).toThrow(/rate-dependent/);
    expect(one([match(payload('tcp', 'dport'), 22, '!='), { accept: null }])).toThrow(/operator != /);
    expect(one([{ goto: { target: 'x' } }])).toThrow(/goto is not modelled/);
    expect(one([match({ meta: { key: 'mark' } }, 1), { accept: null }])).toThrow(/meta mark/);
    expect(one([match(payload('ip', 'saddr'), '@nope'), { accept: null }])).toThrow(/not an address set/);
    expect(() => readNftJson(nftDoc([chain('c'), chain('d'), rule('c', [match(payload('tcp', 'dport'), 1), { return: null }])]), 't')).not.toThrow();
    const conditionalReturn = nftDoc([chain('input', 'input', 'drop'), chain('c'), rule('input', [{ jump: { target: 'c' } }]), rule('c', [match(payload('tcp', 'dport'), 1), { return: null }])]);
    expect(() => readNftJson(conditionalReturn)).toThrow(/conditional return/);
    expect(() => readNftJson({ nftables: [] })).toThrow(/exactly one table/);
  });
});

describe('iptables-save reader', () => {
  const v4 = [
    '# Generated by iptables-save v1.8.9 (nf_tables)',
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':X - [0:0]',
    '-A INPUT -i lo -m comment --comment loopback -j ACCEPT',
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A INPUT -s 10.0.0.0/8 -j X',
    '-A INPUT -p tcp -m tcp --dport 22 -m set --match-set big src -m comment --comment "a \\"quoted\\" comment" -j ACCEPT',
    '-A X -p tcp -m multiport --dports 1503,6891:6900 -m tcp --sport 1024: -j ACCEPT',
    '-A X -p udp -m udp --dport 53 -m limit --limit 5/sec --limit-burst 10 -j LOG --log-prefix "x: "',
    '-A X -p udp -j RETURN',
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    'COMMIT',
  ].join('\n');
  const ipset = 'create big hash:net family inet hashsize 1024 maxelem 65536\nadd big 192.0.2.0/24\nadd big 198.51.100.7\n';

  it('reads built-in policies, user chains (conjoined with the jump), multiport, sets, ctstate and LOG', () => {
    const v6 = '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';
    expect(() => readIptables({ v4, v6, ipset })).toThrow(/conditional return/);
    const ok = readIptables({ v4: v4.replace('-A X -p udp -j RETURN', '-A X -j RETURN'), v6, ipset });
    expect(texts(ok)).toEqual([
      'in accept any/4 on lo any:any -> any:any',
      'in accept tcp/4 10.0.0.0/8:1024-65535 -> any:1503,6891-6900',
      'in accept tcp/4 192.0.2.0/24,198.51.100.7/32:any -> any:22',
    ]);
    expect(ok.policy).toEqual({ in: 'drop', forward: 'accept', out: 'accept' });
  });

  it('gives each family its own default when they differ', () => {
    const v6 = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';
    const r = readIptables({ v4: '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n', v6 });
    expect(r.policy).toEqual({ forward: 'accept', out: 'accept' });
    expect(texts(r)).toEqual(['in drop any/4 any:any -> any:any', 'in accept any/6 any:any -> any:any']);
  });

  it('refuses what it cannot evaluate exactly', () => {
    const base = (line: string) => () => readIptables({ v4: `*filter\n:INPUT ACCEPT [0:0]\n${line}\nCOMMIT\n` });
    expect(base('-A INPUT ! -s 10.0.0.0/8 -j DROP')).toThrow(/negation/);
    expect(base('-A INPUT -m mark --mark 1 -j DROP')).toThrow(/module mark/);
    expect(base('-A INPUT -g Y')).toThrow(/-g is not modelled/);
    expect(base('-A INPUT -m limit --limit 1/sec -j ACCEPT')).toThrow(/rate-dependent/);
    expect(base('-A INPUT -m set --match-set nope src -j DROP')).toThrow(/not in the ipset save/);
    expect(base('-A INPUT -j MASQUERADE')).toThrow(/target MASQUERADE/);
    expect(() => readIptables({ v4: '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n*mangle\n-A PREROUTING -j DROP\nCOMMIT\n' })).toThrow(/table mangle/);
    expect(() => readIptables({ v4, ipset: 'create s hash:net family inet\nadd s 10.0.0.0/8 nomatch\n' })).toThrow(/nomatch/);
  });

  it('flattening refuses a chain loop', () => {
    const p: ChainProgram = {
      chains: new Map([['A', [{ cond: {}, action: { kind: 'jump', chain: 'A' }, text: 'A -> A' }]]]),
      hooks: [{ direction: 'in', chain: 'A', policy: 'accept' }],
    };
    expect(() => flatten(p)).toThrow(ReaderError);
  });
});

// ---- loading into the kernel and reading back --------------------------------------------

function artefacts(ir: IrDocument, fw: IrFirewall, target: IrTarget): { files: Map<string, string>; problems: string[] } {
  const { files, problems } = emitTargets(ir, { firewall: fw.name, target });
  return { files: new Map(files.map((f) => [f.artefact.name, f.artefact.content])), problems: problems.map((p) => p.message) };
}

const dirs: string[] = [];
const workDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'msgr-agree-'));
  dirs.push(d);
  return d;
};

/** `nft -f` in a fresh network namespace, then the kernel's JSON of it. */
async function kernelNft(text: string): Promise<NftJson> {
  const r = await run(['unshare', '-n', 'sh', '-c', 'nft -f - && nft -j list ruleset'], { input: text });
  return JSON.parse(r.stdout) as NftJson;
}

/** The documented commands (ipset first, then each family's apply line) in a fresh namespace, then the saves. */
async function kernelIptables(files: Map<string, string>): Promise<{ v4: string; v6: string; ipset: string }> {
  const dir = workDir();
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  const rules = [...files.keys()].filter((n) => /\.rules\.v[46]$/.test(n)).sort();
  const ipsetCmd = documentedIpsetCommand(files.get(rules[0]!)!);
  const script = [
    'set -e',
    `cd '${dir}'`,
    ...(ipsetCmd ? [ipsetCmd] : []),
    ...rules.map((n) => documentedApplyCommand(files.get(n)!)),
    'iptables-save > v4.save',
    'ip6tables-save > v6.save',
    'ipset save > ipset.save',
  ].join('\n');
  await run(['unshare', '-n', 'sh', '-c', script]);
  const read = (n: string) => readFileSync(join(dir, n), 'utf8');
  return { v4: read('v4.save'), v6: read('v6.save'), ipset: read('ipset.save') };
}

interface Loaded {
  ir: Model;
  models: Model[];
  /** Generated text per target, for failure messages. */
  texts: Record<string, string>;
}

async function loadAll(ir: IrDocument, fw: IrFirewall, tweak: { nft?: (t: string) => string; iptables?: (t: string) => string; pf?: (t: string) => string } = {}): Promise<Loaded> {
  const nft = artefacts(ir, fw, 'nftables');
  const ipt = artefacts(ir, fw, 'iptables');
  const pf = artefacts(ir, fw, 'pf');
  const netsh = artefacts(ir, fw, 'netsh');
  for (const [t, a] of Object.entries({ nftables: nft, iptables: ipt, pf })) expect(a.problems, `${t} for ${fw.name}`).toEqual([]);
  const nftText = (tweak.nft ?? ((t) => t))(nft.files.get(`${fw.name}.nft`)!);
  const iptFiles = new Map([...ipt.files].map(([n, c]) => [n, /\.rules\.v[46]$/.test(n) ? (tweak.iptables ?? ((t) => t))(c) : c]));
  const [nftJson, saves] = await Promise.all([kernelNft(nftText), kernelIptables(iptFiles)]);
  const table = `msgr_${fw.name}`;
  const models: Model[] = [
    conntrackModel('nftables (kernel)', readNftJson(nftJson, table), readNftJson(nftJson, table, 'established')),
    conntrackModel('iptables (kernel)', readIptables(saves), readIptables(saves, 'established')),
  ];
  const pfText = (tweak.pf ?? ((t) => t))(pf.files.get(`${fw.name}.pf.conf`)!);
  const self = selfTexts(routerAddresses(fw));
  const pfFilter = PfFilter.read(pfText, { self });
  models.push({ name: 'pf', tuples: readPf(pfText, { forward: fw.placement.kind === 'gateway', self }).tuples, connection: (o) => pfConnection(pfFilter, o) });
  const texts: Record<string, string> = { nftables: nftText, 'nft -j': JSON.stringify(nftJson), iptables: `${saves.v4}\n${saves.v6}\n${saves.ipset}`, pf: pfText };
  if (fw.placement.kind === 'gateway') {
    // Windows Firewall filters only its own host: netsh refuses a gateway instead of writing host rules.
    expect(netsh.files.size).toBe(0);
    expect(netsh.problems.join('\n')).toMatch(/gateway/);
  } else {
    const cmd = netsh.files.get(`${fw.name}.cmd`)!;
    const state = readNetshScript(cmd);
    const policies = PROFILES.map((p) => JSON.stringify(netshPolicy(state, p)));
    expect(new Set(policies).size, 'the same default in every profile').toBe(1);
    const policy: Policy = { ...netshPolicy(state, 'domain'), forward: 'accept' };
    // Windows Firewall is stateful: it authorises a connection once, when it opens (WFP's ALE
    // layers), and passes the packets of an authorised connection both ways without its rules.
    models.push(openingOnlyModel('netsh', windowsEvaluationOrder(netshTuples(state)), policy));
    texts.netsh = cmd;
  }
  return { ir: irModel(fw), models, texts };
}

// ---- the comparison ------------------------------------------------------------------------

/** The examples, and the kernel scenarios' own policies (calls between clients blocks with their own media ranges, …). */
const FIXTURES = ['calls.msgr', 'monitored.msgr', 'zones.msgr'];
const POLICIES = [...EXAMPLES, ...FIXTURES.map((name) => ({ name, text: readFileSync(join(ROOT, 'test/kernel/fixtures', name), 'utf8') }))];

const CASES = POLICIES.flatMap((ex) => {
  const ir = irOf(ex.text, ex.name);
  return ir.firewalls.map((fw) => ({ label: `${ex.name} ${fw.name}`, ir, fw }));
});

const tally: string[] = [];
let totalProbes = 0;
let totalComparisons = 0;
const started = Date.now();

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (tally.length) {
    console.info(
      `[msgrfw] cross-target agreement: ${totalProbes} probe packets, ${totalComparisons} verdicts compared with the IR's, ${((Date.now() - started) / 1000).toFixed(1)} s\n  ${tally.join('\n  ')}`,
    );
  }
});

const at = (text: string) => addressValue(text).value;
const tcp = (direction: Probe['direction'], family: Family, src: string, srcPort: number, dst: string, dstPort: number): Probe => ({ direction, protocol: 'tcp', family, src: at(src), dst: at(dst), srcPort, dstPort, iface: 'em0' });
const udp = (p: Probe): Probe => ({ ...p, protocol: 'udp' });
const icmp = (direction: Probe['direction'], family: Family, src: string, dst: string, icmpType: number): Probe => ({
  direction,
  protocol: family === 4 ? 'icmp' : 'icmp6',
  family,
  src: at(src),
  dst: at(dst),
  srcPort: 0,
  dstPort: 0,
  icmpType,
  iface: 'em0',
});

const crossing = (fw: IrFirewall, p: Probe) => {
  if (fw.placement.kind !== 'gateway' || p.direction !== 'forward') return false;
  const zones = fw.placement.zones.map((z) => zoneCidrs(fw, z, p.family));
  const zoneOf = (x: bigint) => zones.findIndex((list) => list.length > 0 && addressIn(list, p.family, x));
  return zoneOf(p.src) >= 0 && zoneOf(p.dst) >= 0 && zoneOf(p.src) !== zoneOf(p.dst);
};

kernelSuite('every target allows the same traffic as the IR (kernel rules read back)', () => {
  it.each(CASES)('$label', async ({ ir, fw }) => {
    const loaded = await loadAll(ir, fw);
    const probes = probesOf(fw, [loaded.ir, ...loaded.models]);
    const problems: string[] = [];
    for (const m of loaded.models) {
      const d = differences(loaded.ir, m, probes);
      if (d.length) problems.push(`${m.name}: ${d.length} of ${probes.length} probes differ\n    ${d.slice(0, 20).join('\n    ')}`);
    }
    const rulesText = Object.entries(loaded.texts)
      .filter(([k]) => k !== 'nft -j')
      .map(([k, v]) => `--- ${k} ---\n${v}`)
      .join('\n');
    expect(problems, `${fw.name}: targets disagree with the IR\n${problems.join('\n')}\n\n${rulesText}`).toEqual([]);

    // The probes are worth something: both verdicts, both families, replies, and for a gateway
    // packets between the zones, outside them and to and from the router (each of which some
    // rule or default decides).
    const opened = probes.map((p) => loaded.ir.connection(p));
    expect(new Set(opened.map((c) => c.open))).toEqual(new Set(['accept', 'drop']));
    const replies = opened.filter((c) => c.reply).length;
    expect(replies).toBeGreaterThan(0);
    expect(new Set(probes.map((p) => p.family))).toEqual(new Set([4, 6]));
    // ICMP queries are probed too, and where the firewall has ICMP rules both verdicts occur.
    const pings = probes.filter((p) => p.icmpType !== undefined);
    expect(pings.length).toBeGreaterThan(0);
    if (fw.rules.some((r) => r.protocol === 'icmp')) expect(new Set(pings.map((p) => loaded.ir.connection(p).open))).toEqual(new Set(['accept', 'drop']));
    if (fw.placement.kind === 'gateway') {
      expect(probes.some((p) => crossing(fw, p))).toBe(true);
      // Not between two zones: the router's own traffic passes; forwarded traffic meets `others`.
      const others = fw.placement.others;
      expect(probes.filter((p) => !crossing(fw, p)).every((p) => loaded.ir.connection(p).open === (p.direction === 'forward' ? others : 'accept'))).toBe(true);
      expect(probes.filter((p) => !crossing(fw, p) && p.direction === 'forward').length).toBeGreaterThan(0);
      expect(new Set(probes.map((p) => p.direction))).toEqual(new Set(['forward', 'in', 'out']));
    } else {
      expect(new Set(probes.map((p) => p.direction))).toEqual(new Set(['in', 'out']));
    }
    // Every reader read something: the kernel rulesets are not empty.
    for (const m of loaded.models) expect(m.tuples.length, m.name).toBeGreaterThan(0);
    totalProbes += probes.length;
    totalComparisons += (probes.length + replies) * loaded.models.length;
    tally.push(`${fw.name}: ${probes.length} probes (${replies} with a reply) × ${loaded.models.map((m) => m.name).join(', ')}`);
  });

  // The comparison can fail: a rule missing from what the kernel holds is found.
  it('a rule left out of the loaded rules is a disagreement (nftables and iptables)', async () => {
    const ir = irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text, 'branch.msgr');
    const fw = ir.firewalls.find((f) => f.name === 'branch-gw')!;
    const loaded = await loadAll(ir, fw, {
      nft: (t) => t.split('\n').filter((l) => !/tcp dport 6899-6900 drop/.test(l)).join('\n'),
      iptables: (t) => t.split('\n').filter((l) => !/^-A MSGR-branch-gw-FWD -s (203\.0\.113\.0\/24|2001:db8:113::\/48) /.test(l)).join('\n'),
    });
    const probes = probesOf(fw, [loaded.ir]);
    const [nft, ipt] = loaded.models;
    const nftDiff = differences(loaded.ir, nft!, probes);
    expect(nftDiff.length).toBeGreaterThan(0);
    expect(nftDiff.every((l) => / -> 10\.30\.|-> \[?2001:db8:30:/.test(l) && /:(6899|6900): IR drop, nftables \(kernel\) accept$/.test(l))).toBe(true);
    // Without the vendors -> staff jump, nothing from vendors to staff is judged: all of it passes.
    const iptDiff = differences(loaded.ir, ipt!, probes);
    expect(iptDiff.length).toBeGreaterThan(0);
    expect(iptDiff.every((l) => /IR drop, iptables \(kernel\) accept$/.test(l))).toBe(true);
  });

  // … and so is an ICMP rule left out, in every reader.
  it('an ICMP rule left out of the loaded rules is a disagreement (nftables, iptables, pf)', async () => {
    const ir = irOf(POLICIES.find((e) => e.name === 'monitored.msgr')!.text, 'monitored.msgr');
    const fw = ir.firewalls.find((f) => f.name === 'srv-host')!;
    const loaded = await loadAll(ir, fw, {
      nft: (t) => t.split('\n').filter((l) => !/icmp(v6)? type echo-request accept/.test(l)).join('\n'),
      iptables: (t) => t.split('\n').filter((l) => !/--icmpv?6?-type echo-request .* -j ACCEPT/.test(l)).join('\n'),
      pf: (t) => t.split('\n').filter((l) => !/icmp6?-type echoreq keep state/.test(l)).join('\n'),
    });
    const probes = probesOf(fw, [loaded.ir]);
    for (const m of loaded.models.filter((x) => x.name !== 'netsh')) {
      const d = differences(loaded.ir, m, probes);
      expect(d.length, m.name).toBeGreaterThan(0);
      expect(d.every((l) => /^in icmp6?\/[46] 10\.50\.0\.|^in icmp6\/6 2001:db8:50:/.test(l) && /IR accept, .* drop$/.test(l)), d.join('\n')).toBe(true);
    }
  });

  // … and so is a reply that does not come back: conntrack's `established` rule left out of
  // nftables, a host's default accept that keeps no state in pf.
  it('a reply the firewall drops is a disagreement (nftables without established, pf without state)', async () => {
    const ir = irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text, 'branch.msgr');
    const fw = ir.firewalls.find((f) => f.name === 'pool-host')!;
    const loaded = await loadAll(ir, fw, {
      nft: (t) => t.split('\n').filter((l) => !/ct state established,related accept/.test(l)).join('\n'),
      pf: (t) => t.replace(/^pass out all flags S\/SA keep state$/m, ''),
    });
    // The server's TCP-mode connection to a client's SIP port, with the probes around the rules.
    const probes = [...probesOf(fw, [loaded.ir, ...loaded.models]), tcp('out', 4, '10.2.2.20', 40000, '10.30.0.5', 7000)];
    for (const name of ['nftables (kernel)', 'pf']) {
      const d = differences(loaded.ir, loaded.models.find((m) => m.name === name)!, probes);
      expect(d.length, name).toBeGreaterThan(0);
      expect(d.every((l) => /^reply .*: IR accept, .* drop$/.test(l)), d.join('\n')).toBe(true);
      // Among them the reply to the server's TCP-mode connection to a client's SIP port.
      expect(d, name).toContain(`reply in tcp/4 10.30.0.5:7000 -> 10.2.2.20:40000: IR accept, ${name} drop`);
    }
    expect(differences(loaded.ir, loaded.models.find((m) => m.name === 'iptables (kernel)')!, probes)).toEqual([]);
  });

  // … and so is the router's own traffic judged by a gateway's pf anchor whose tables keep it.
  it("a gateway anchor that judges the router's own traffic is a disagreement (pf without !self)", async () => {
    const ir = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'contoso.msgr');
    const fw = ir.firewalls.find((f) => f.name === 'edge')!;
    const loaded = await loadAll(ir, fw, { pf: (t) => t.replaceAll(', !self }', ' }') });
    const probes = probesOf(fw, [loaded.ir, ...loaded.models]);
    const d = differences(loaded.ir, loaded.models.find((m) => m.name === 'pf')!, probes);
    expect(d.length).toBeGreaterThan(0);
    expect(d.every((l) => /^(in|out) .*: IR accept, pf drop$/.test(l)), d.join('\n')).toBe(true);
    for (const m of loaded.models.filter((x) => x.name !== 'pf')) expect(differences(loaded.ir, m, probes), m.name).toEqual([]);
  });
});

/** Connections named for what they show, on every target: each opens and its reply comes back, or it does not open. */
kernelSuite('return traffic and the router itself, named cases (kernel rules read back)', () => {
  const firewall = (example: string, name: string) => {
    const ir = irOf(POLICIES.find((e) => e.name === example)!.text, example);
    return { ir, fw: ir.firewalls.find((f) => f.name === name)! };
  };
  const expectEverywhere = async (example: string, name: string, cases: [Probe, Connection][]) => {
    const { ir, fw } = firewall(example, name);
    const loaded = await loadAll(ir, fw);
    for (const [probe, want] of cases) {
      expect(loaded.ir.connection(probe), `IR: ${probeText(probe)}`).toEqual(want);
      for (const m of loaded.models) expect(m.connection(probe), `${m.name}: ${probeText(probe)}\n${loaded.texts.pf}`).toEqual(want);
    }
  };
  const both: Connection = { open: 'accept', reply: 'accept' };
  const dropped: Connection = { open: 'drop' };

  it("a server in TCP mode opens a connection to a client's SIP dynamic port and the reply comes back (branch pool-host, outbound accept)", async () => {
    await expectEverywhere('branch.msgr', 'pool-host', [
      [tcp('out', 4, '10.2.2.20', 40000, '10.30.0.5', 7000), both],
      [tcp('out', 6, '2001:db8:2::20', 40000, '2001:db8:30::5', 7049), both],
      // Opened from outside instead, the same ports are still closed.
      [tcp('in', 4, '10.30.0.5', 7000, '10.2.2.20', 40000), dropped],
    ]);
  });

  it('ping: an allowed echo request opens and its reply comes back; ping is denied elsewhere (monitored srv-host)', async () => {
    await expectEverywhere('monitored.msgr', 'srv-host', [
      [icmp('in', 4, '10.50.0.5', '10.1.1.10', 8), both],
      [icmp('in', 6, '2001:db8:50::5', '2001:db8:1::10', 128), both],
      // Only echo requests from the monitors; the one denied first; the default for the rest.
      [icmp('in', 4, '10.50.0.5', '10.1.1.10', 13), dropped],
      [icmp('in', 4, '10.50.0.66', '10.1.1.10', 8), dropped],
      [icmp('in', 4, '10.20.0.5', '10.1.1.10', 8), dropped],
      [icmp('in', 6, '2001:db8:20::5', '2001:db8:1::10', 128), dropped],
      // The server's own pings go out (outbound accept), and their replies come back.
      [icmp('out', 4, '10.1.1.10', '10.20.0.5', 8), both],
      [icmp('out', 6, '2001:db8:1::10', '2001:db8:20::5', 128), both],
    ]);
  });

  it('whatever a host with outbound accept opens, the reply comes back (contoso desktop)', async () => {
    await expectEverywhere('contoso.msgr', 'desktop', [
      [tcp('out', 4, '10.20.0.5', 40000, '192.0.2.99', 443), both],
      [udp(tcp('out', 6, '2001:db8:20::5', 40000, '2001:db8:ffff::63', 53)), both],
      [tcp('in', 4, '192.0.2.99', 443, '10.20.0.5', 40000), dropped],
    ]);
  });

  it('a host with outbound deny opens what the policy allows, and the reply comes back; nothing else opens (branch staff-pc)', async () => {
    await expectEverywhere('branch.msgr', 'staff-pc', [
      [udp(tcp('out', 4, '10.30.0.5', 40000, '192.0.2.99', 53)), both],
      [tcp('out', 6, '2001:db8:30::5', 40000, '2001:db8:2::20', 5060), both],
      [tcp('in', 4, '10.8.0.9', 40000, '10.30.0.5', 3389), both],
      [tcp('out', 4, '10.30.0.5', 40000, '192.0.2.99', 443), dropped],
    ]);
  });

  it("a gateway leaves the router's own traffic alone and judges what it forwards (contoso edge; router 10.20.0.1, 198.51.100.1, 2001:db8:20::1)", async () => {
    const { fw } = firewall('contoso.msgr', 'edge');
    expect(selfTexts(routerAddresses(fw))).toEqual(['10.20.0.1', '198.51.100.1', '2001:db8:20::1']);
    await expectEverywhere('contoso.msgr', 'edge', [
      // A client to the router's address in the partners' network, and the router to a client.
      [tcp('in', 4, '10.20.0.5', 40000, '198.51.100.1', 22), both],
      [tcp('out', 4, '198.51.100.1', 40000, '10.20.0.5', 22), both],
      [tcp('in', 4, '198.51.100.7', 40000, '10.20.0.1', 22), both],
      // The same ports between the zones: denied, as before.
      [tcp('forward', 4, '10.20.0.5', 40000, '198.51.100.7', 22), dropped],
      [tcp('forward', 4, '198.51.100.7', 40000, '10.20.0.5', 22), dropped],
      // What the policy allows across, with its reply.
      [tcp('forward', 4, '10.20.0.5', 40000, '198.51.100.7', 1503), both],
    ]);
  });
});


/**
 * Not an example: a gateway whose plain rules name one zone only (or a network inside one). The
 * README: "its default and its plain rules apply to [the traffic between its two zones] only".
 */
const ONE_SIDED = `deployment t {
  network a = 10.1.0.0/16, 2001:db8:1::/48
  network b = 10.2.0.0/16
  network c = 10.1.5.0/24
  firewall gw {
    between a and b
    targets nftables, iptables, pf
    default deny
    deny tcp 22 from a
    allow tcp 80 to b
    allow udp 53 from c to b
  }
}
`;

kernelSuite('gateway rules that name one zone apply between the zones only', () => {
  const ir = irOf(ONE_SIDED, 'one-sided.msgr');
  const fw = ir.firewalls[0]!;
  let loaded: Loaded | undefined;
  const diff = async (name: string) => {
    loaded ??= await loadAll(ir, fw);
    const m = loaded.models.find((x) => x.name === name)!;
    const probes = probesOf(fw, [loaded.ir, ...loaded.models]);
    return { probes, lines: differences(loaded.ir, m, probes), text: loaded.texts };
  };

  for (const name of ['nftables (kernel)', 'iptables (kernel)']) {
    it(`${name} agrees with the IR`, async () => {
      const { probes, lines, text } = await diff(name);
      expect(lines, `${name}\n${lines.join('\n')}\n${text.nftables}\n${text.iptables}`).toEqual([]);
      if (name.startsWith('nftables')) {
        totalProbes += probes.length;
        tally.push(`one-sided gw (not an example): ${probes.length} probes × nftables (kernel), iptables (kernel); pf`);
      }
      totalComparisons += probes.length;
    });
  }

  // pf once wrote `to any` for the end a gateway rule leaves out, which also dropped a -> a and
  // a -> elsewhere. The placement now limits every gateway rule to the zones, so pf agrees.
  it('pf agrees with the IR (a one-sided rule applies between the zones only)', async () => {
    const { lines } = await diff('pf');
    expect(lines).toEqual([]);
  });
});
