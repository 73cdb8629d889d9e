// The compiled rules, loaded in a real kernel, do what the policy says: real TCP and UDP
// exchanges (IPv4 and IPv6, ARP and neighbour discovery through the rules under test)
// between network namespaces, for every scenario of scenarios.ts and every kernel-testable
// target that is registered. Expectations are the hand-written ones in scenarios.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import type { IrDocument, IrTarget } from '../../src/ir/types.js';
import { emitTargets } from '../../targets/emit.js';
import { TARGET_REGISTRY } from '../../targets/index.js';
import type { Artefact } from '../../targets/target.js';
import { kernelSuite } from './capability.js';
import { listNamespaces, sweepStaleNamespaces } from './netns.js';
import { SCENARIOS, type PortClass, type Scenario, type ScenarioProbe } from './scenarios.js';
import { buildTopology, type Topology } from './topology.js';
import { describeResult, flushFirewall, loadIptables, loadNft, runProbes, type Probe, type ProbeResult } from './traffic.js';

/** Targets whose output a Linux kernel can load. */
const KERNEL_TARGETS = ['nftables', 'iptables'] as const satisfies readonly IrTarget[];
const registered = KERNEL_TARGETS.filter((t) => TARGET_REGISTRY[t] !== undefined);
const unregistered = KERNEL_TARGETS.filter((t) => TARGET_REGISTRY[t] === undefined);

/** Probes in flight at once: enough that every blocked probe's timeout overlaps. */
const CONCURRENCY = 32;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---- compiling --------------------------------------------------------------

const compiled = new Map<string, IrDocument>();

function irOf(sc: Scenario): IrDocument {
  let ir = compiled.get(sc.policy);
  if (!ir) {
    const result = compilePolicy(readFileSync(ROOT + sc.policy, 'utf8'), sc.policy);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (!result.ir || errors.length > 0) {
      throw new Error(`${sc.policy} does not compile:\n${errors.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
    }
    ir = result.ir;
    compiled.set(sc.policy, ir);
  }
  return ir;
}

/** `-t TARGET` for one firewall: overrides the firewall's own targets list. */
function artefactsFor(sc: Scenario, target: IrTarget): Artefact[] {
  const { files, problems } = emitTargets(irOf(sc), { firewall: sc.firewall, target });
  if (problems.length > 0) {
    throw new Error(`${sc.id}: ${target} cannot express the firewall:\n${problems.map((p) => p.message).join('\n')}`);
  }
  if (files.length === 0) throw new Error(`${sc.id}: ${target} wrote no file for firewall ${sc.firewall}`);
  return files.map((f) => f.artefact);
}

async function loadRules(topo: Topology, sc: Scenario, target: IrTarget, files: Artefact[]): Promise<void> {
  // Whatever the previous target left (nft tables, iptables-nft chains) goes first.
  await flushFirewall(topo, sc.fwHost);
  if (target === 'nftables') {
    const nft = files.filter((f) => f.name.endsWith('.nft'));
    if (nft.length !== 1) throw new Error(`${sc.id}: expected one .nft file, got ${files.map((f) => f.name).join(', ')}`);
    await loadNft(topo, sc.fwHost, nft[0]?.content ?? '');
  } else if (target === 'iptables') {
    const v4 = files.find((f) => f.name.endsWith('.rules.v4'));
    const v6 = files.find((f) => f.name.endsWith('.rules.v6'));
    if (!v4 && !v6) throw new Error(`${sc.id}: expected .rules.v4/.rules.v6, got ${files.map((f) => f.name).join(', ')}`);
    // Long address lists are ipset sets, defined in <fw>.ipset: restored first, as the rules
    // files' headers say (a rule naming a missing set fails the whole restore).
    const sets = files.find((f) => f.name.endsWith('.ipset'));
    if (sets) await topo.exec(sc.fwHost, ['ipset', 'restore', '-exist'], { input: sets.content });
    // A missing family file leaves that family unfiltered; the probes will say so.
    // --noflush: the file's own first-time apply (it touches only its MSGR-* chains).
    await loadIptables(topo, sc.fwHost, v4?.content, v6?.content, { noflush: true });
  } else {
    throw new Error(`no kernel loader for target ${target}`);
  }
  // The next packet of every host must resolve its neighbours through the new rules.
  await topo.flushNeighbours();
}

// ---- source ports -----------------------------------------------------------

// Every run of every probe gets a source port never used before in this process, drawn from
// the probe's port class (so it means the same to the policy): no stale conntrack entry, no
// TIME_WAIT, no SYN-RECV left by an earlier run can decide a verdict. A host never sends
// from a port it listens on.
const usedPorts = new Map<string, Set<number>>();

function listeningPorts(sc: Scenario, hostName: string, proto: string): Set<number> {
  return new Set(sc.probes.filter((q) => q.to === hostName && q.proto === proto).map((q) => q.dstPort));
}

function freshSrcPort(sc: Scenario, q: ScenarioProbe): number {
  // TCP: unique per topology, not per client: the agent recognises a TCP request that reached
  // the server (accepted or SYN-RECV) by server port and peer PORT only, so two clients sharing
  // a source port could be mistaken for each other. UDP is recognised by its token alone, and a
  // conntrack entry holds both addresses, so per client and family is enough: a media range of
  // 8 ports must serve every run of every probe a host sends from it.
  const key = q.proto === 'tcp' ? `${sc.id}/tcp` : `${sc.id}/udp/${q.from}/v${q.family}`;
  let used = usedPorts.get(key);
  if (!used) usedPorts.set(key, (used = new Set()));
  const reserved = listeningPorts(sc, q.from, q.proto);
  const free = (port: number) => !used.has(port) && !reserved.has(port);
  const cls: PortClass = q.srcPortClass;
  let port: number | undefined = free(q.srcPort) ? q.srcPort : undefined;
  for (let c = cls.from; port === undefined && c <= cls.to; c++) if (free(c)) port = c;
  if (port === undefined) throw new Error(`${sc.id}: source port class ${cls.from}-${cls.to} of ${q.from}/${q.proto} exhausted`);
  used.add(port);
  return port;
}

function kernelProbes(sc: Scenario): Probe[] {
  return sc.probes.map((q) => {
    const probe: Probe = { proto: q.proto, from: q.from, to: q.to, family: q.family, dstPort: q.dstPort, dstAddr: q.dstAddr };
    // A ping has no port: its echo id is the kernel's.
    if (q.proto !== 'icmp') probe.srcPort = freshSrcPort(sc, q);
    return probe;
  });
}

// ---- judging ----------------------------------------------------------------

interface Row {
  ok: boolean;
  label: string;
  expected: string;
  got: string;
  detail: string;
}

/**
 * delivered: the reply came back. blocked: the server never saw the request (a request that
 * got through with only its reply lost is a leak, not a block); a harness error is never a
 * pass.
 */
function judge(q: ScenarioProbe, r: ProbeResult, expected: ScenarioProbe['expect']): Row {
  let got: string;
  if (r.detail === 'error') got = 'harness-error';
  else if (r.outcome === 'delivered') got = 'delivered';
  else if (r.serverSaw) got = 'leaked (server saw it)';
  else got = 'blocked';
  return { ok: got === expected, label: q.label, expected, got, detail: describeResult(r) };
}

function table(rows: Row[]): string {
  const w = (k: 'label' | 'expected' | 'got') => Math.max(k.length, ...rows.map((r) => r[k].length));
  const [wl, we, wg] = [w('label'), w('expected'), w('got')];
  const line = (m: string, l: string, e: string, g: string, d: string) => `${m} ${l.padEnd(wl)} | ${e.padEnd(we)} | ${g.padEnd(wg)} | ${d}`;
  return [line(' ', 'label', 'expected', 'got', 'detail'), ...rows.map((r) => line(r.ok ? ' ' : '✗', r.label, r.expected, r.got, r.detail))].join('\n');
}

async function runScenario(topo: Topology, sc: Scenario, expectOf: (q: ScenarioProbe) => ScenarioProbe['expect']): Promise<Row[]> {
  const results = await runProbes(topo, kernelProbes(sc), { concurrency: CONCURRENCY });
  return sc.probes.map((q, i) => {
    const r = results[i];
    if (!r) throw new Error(`no result for probe ${i} of ${sc.id}`);
    return judge(q, r, expectOf(q));
  });
}

function assertRows(title: string, rows: Row[], extra = ''): void {
  const bad = rows.filter((r) => !r.ok);
  if (bad.length === 0) return;
  throw new Error(`${title}: ${bad.length} of ${rows.length} probe(s) wrong\n${table(rows)}${extra}`);
}

// ---- the data itself (runs anywhere) ------------------------------------------

describe('kernel scenarios: data', () => {
  it.each(SCENARIOS.map((sc) => [sc.id, sc] as const))('%s: names a firewall of its policy, placed as the scenario says', (_id, sc) => {
    const fw = irOf(sc).firewalls.find((f) => f.name === sc.firewall);
    expect(fw, `${sc.policy} has no firewall ${sc.firewall}`).toBeDefined();
    expect(fw?.placement).toMatchObject(sc.placement);
    // The rules go on the router for a gateway, on a plain host for a host firewall.
    const isRouter = sc.topology.kind === 'gateway' && sc.fwHost === (sc.topology.router ?? 'router');
    expect(isRouter).toBe(sc.placement.kind === 'gateway');
  });

  it.each(SCENARIOS.map((sc) => [sc.id, sc] as const))('%s: probes are concrete, distinct and both verdicts occur', (_id, sc) => {
    const keys = new Set<string>();
    for (const q of sc.probes) {
      expect(q.srcPort, q.label).toBeGreaterThanOrEqual(q.srcPortClass.from);
      expect(q.srcPort, q.label).toBeLessThanOrEqual(q.srcPortClass.to);
      expect(listeningPorts(sc, q.from, q.proto).has(q.srcPort), `${q.label}: ${q.from} listens on its own source port`).toBe(false);
      expect(q.srcAddr.includes(':') ? 6 : 4, q.label).toBe(q.family);
      expect(q.dstAddr.includes(':') ? 6 : 4, q.label).toBe(q.family);
      const key = `${q.proto}/${q.from}/${q.to}/${q.family}/${q.dstPort}/${q.srcPort}`;
      expect(keys.has(key), `duplicate probe ${key}`).toBe(false);
      keys.add(key);
    }
    expect(new Set(sc.probes.map((q) => q.expect))).toEqual(new Set(['delivered', 'blocked']));
    // A host firewall sees every probe as input or output; a gateway forwards them (or, for
    // the router's own address, receives them unfiltered).
    for (const q of sc.probes) {
      const allowed = sc.placement.kind === 'host' ? ['input', 'output'] : ['forward', 'input'];
      expect(allowed, `${q.label}: ${q.direction} at a ${sc.placement.kind} firewall`).toContain(q.direction);
    }
    // Every scenario proves IPv6 both ways: something gets through (so ND works) and something does not.
    expect(sc.probes.some((q) => q.family === 6 && q.expect === 'delivered'), 'an IPv6 probe that is delivered').toBe(true);
    // contoso's partners are IPv4-only: nothing crosses its `edge` over IPv6, so nothing can be blocked there.
    if (sc.id !== 'contoso/edge') {
      expect(sc.probes.some((q) => q.family === 6 && q.expect === 'blocked'), 'an IPv6 probe that is blocked').toBe(true);
    }
  });
});

// ---- the kernel ---------------------------------------------------------------

kernelSuite('compiled policies in the kernel', () => {
  beforeAll(async () => {
    await sweepStaleNamespaces();
  });

  for (const sc of SCENARIOS) {
    describe(`${sc.id} (rules on ${sc.fwHost})`, () => {
      let topo: Topology | undefined;

      beforeAll(async () => {
        topo = await buildTopology(sc.topology);
      });

      afterAll(async () => {
        const prefix = topo?.prefix;
        await topo?.destroy();
        if (prefix) expect(listNamespaces(prefix)).toEqual([]);
      });

      // Without rules every probe gets through: a blocked probe later is the firewall's
      // doing, not a broken topology, a missing route or a port nobody listens on.
      it('baseline: with no firewall every probe is delivered', async () => {
        if (!topo) throw new Error('no topology');
        const rows = await runScenario(topo, sc, () => 'delivered');
        assertRows(`${sc.id} without a firewall`, rows);
      });

      for (const target of registered) {
        it(`${target}: every probe as the policy says`, async () => {
          if (!topo) throw new Error('no topology');
          const files = artefactsFor(sc, target);
          await loadRules(topo, sc, target, files);
          const rows = await runScenario(topo, sc, (q) => q.expect);
          const rules = files.map((f) => `\n--- ${f.name} ---\n${f.content}`).join('');
          assertRows(`${sc.id} with ${target} (${sc.policy}, firewall ${sc.firewall})`, rows, `\n\nrules loaded on ${sc.fwHost}:${rules}`);
        });
      }
      for (const target of unregistered) {
        it.skip(`${target}: not registered in TARGET_REGISTRY yet`, () => {});
      }
    });
  }
});
