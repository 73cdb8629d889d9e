// Probe engine: real TCP/UDP exchanges between namespaces, judged end to end
// (request AND reply must pass), plus loaders for nft / iptables rulesets.
import { randomBytes } from 'node:crypto';
import { agentFor } from './agents.js';
import { parseCidr } from './addr.js';
import { pingOnce } from './ping.js';
import type { Family, Topology } from './topology.js';

export { loadNft, loadIptables, listNftJson, iptablesSave, flushFirewall } from './firewall.js';

/** `icmp`: an echo request (ping), judged by its reply (ping.ts). */
export type Proto = 'tcp' | 'udp' | 'icmp';

export interface Probe {
  proto: Proto;
  /** Client host name. */
  from: string;
  /** Server host name. */
  to: string;
  family: Family;
  dstPort: number;
  /** Fixed client port; otherwise a fresh port per probe (avoids stale conntrack/TIME_WAIT). */
  srcPort?: number;
  /** Target this address instead of the server's first address of `family`. */
  dstAddr?: string;
  timeoutMs?: number;
}

export type ProbeOutcome = 'delivered' | 'blocked';

/**
 * Why a probe ended as it did:
 * - blocked-request: the server never saw anything;
 * - blocked-reply: the server got the request (data, accepted connection or
 *   SYN-RECV) but the client never got the answer;
 * - refused / unreachable: an RST or ICMP error came back (reject rules, no listener).
 */
export type ProbeDetail = 'delivered' | 'blocked-request' | 'blocked-reply' | 'refused' | 'unreachable' | 'error';

export interface ProbeResult {
  probe: Probe;
  outcome: ProbeOutcome;
  detail: ProbeDetail;
  serverSaw: boolean;
  /** How the server saw it: 'data' | 'accepted' | 'syn-recv'. */
  serverHow?: string;
  /** Raw client verdict from the agent, e.g. timeout at stage 'connect'. */
  client: { outcome: string; stage: string; error?: string };
  srcPort: number;
  dstAddr: string;
  ms: number;
}

export interface RunProbesOptions {
  /** Probes in flight at once (default 8). */
  concurrency?: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 1200;

// Fresh source ports below the kernel's ephemeral range start (32768) would
// collide with well-known service ports; above 61000 they collide with
// ephemeral ports. 40000-59999 is ours.
const AUTO_PORT_MIN = 40000;
const AUTO_PORT_SPAN = 20000;
let autoPort = Math.floor(Math.random() * AUTO_PORT_SPAN);
function nextAutoPort(): number {
  autoPort = (autoPort + 1) % AUTO_PORT_SPAN;
  return AUTO_PORT_MIN + autoPort;
}

export async function runProbe(topo: Topology, p: Probe): Promise<ProbeOutcome> {
  return (await probeDetailed(topo, p)).outcome;
}

export async function probeDetailed(topo: Topology, p: Probe): Promise<ProbeResult> {
  const [r] = await runProbes(topo, [p]);
  if (!r) throw new Error('unreachable: no probe result');
  return r;
}

/**
 * Run probes with bounded concurrency. All listeners are up before the first
 * packet; two probes sharing a fixed (from, proto, srcPort) never overlap.
 */
export async function runProbes(topo: Topology, probes: readonly Probe[], opts: RunProbesOptions = {}): Promise<ProbeResult[]> {
  const all = probes.map((probe, index) => ({ probe, index, srcPort: probe.srcPort ?? nextAutoPort() }));
  const jobs = all.filter((j) => j.probe.proto !== 'icmp');

  // Start every agent and listener up front (in parallel).
  const listens = new Map<string, Probe>();
  for (const { probe } of jobs) listens.set(`${probe.to}/${probe.proto}/${probe.dstPort}`, probe);
  const clients = new Set(jobs.map((j) => j.probe.from));
  await Promise.all([
    ...[...listens.values()].map(async (p) => (await agentFor(topo, p.to)).listen(p.proto as 'tcp' | 'udp', p.dstPort)),
    ...[...clients].map((h) => agentFor(topo, h)),
  ]);

  const results: ProbeResult[] = new Array(jobs.length);
  const queue = [...jobs];
  const busy = new Set<string>();
  const keyOf = (j: (typeof jobs)[number]) => `${j.probe.from}/${j.probe.proto}/${j.srcPort}`;
  let wake: () => void = () => {};
  let changed = new Promise<void>((r) => (wake = r));

  const worker = async (): Promise<void> => {
    while (queue.length > 0) {
      const i = queue.findIndex((j) => !busy.has(keyOf(j)));
      if (i < 0) {
        await changed; // everything left waits for a busy source port
        continue;
      }
      const [job] = queue.splice(i, 1);
      if (!job) continue;
      busy.add(keyOf(job));
      try {
        results[job.index] = await probeOnce(topo, job.probe, job.srcPort);
      } finally {
        busy.delete(keyOf(job));
        const w = wake;
        changed = new Promise<void>((r) => (wake = r));
        w();
      }
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? 8, jobs.length));
  await Promise.all(Array.from({ length: n }, worker));
  // Pings one after another: each reads the server's echo counter before and after.
  for (const job of all.filter((j) => j.probe.proto === 'icmp')) results[job.index] = await pingProbe(topo, job.probe);
  return results;
}

async function pingProbe(topo: Topology, probe: Probe): Promise<ProbeResult> {
  const dstAddr = probe.dstAddr ?? topo.addr(probe.to, probe.family);
  const r = await pingOnce(topo, probe.from, probe.to, probe.family, dstAddr);
  const base = { probe, srcPort: 0, dstAddr, ms: r.ms, client: { outcome: r.delivered ? 'delivered' : 'timeout', stage: 'echo', ...(r.delivered ? {} : { error: r.output }) } };
  if (r.delivered) return { ...base, outcome: 'delivered', detail: 'delivered', serverSaw: true, serverHow: 'echo' };
  return { ...base, outcome: 'blocked', detail: r.serverSaw ? 'blocked-reply' : 'blocked-request', serverSaw: r.serverSaw, ...(r.serverSaw ? { serverHow: 'echo' } : {}) };
}

async function probeOnce(topo: Topology, probe: Probe, srcPort: number): Promise<ProbeResult> {
  const dstAddr = probe.dstAddr ?? topo.addr(probe.to, probe.family);
  if (parseCidr(dstAddr).family !== probe.family) throw new Error(`dstAddr ${dstAddr} is not IPv${probe.family}`);
  const timeoutMs = probe.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  // The token ties the server's observation to this probe and no other.
  const token = `msgrt-${randomBytes(8).toString('hex')}`;
  const client = await agentFor(topo, probe.from);
  const started = Date.now();
  const c = await client.request<{ outcome: string; stage: string; error?: string }>(
    { cmd: 'probe', proto: probe.proto, family: probe.family, dst: dstAddr, port: probe.dstPort, srcPort, token, timeoutMs },
    timeoutMs + 5000,
  );
  const ms = Date.now() - started;
  const base = { probe, srcPort, dstAddr, ms, client: { outcome: c.outcome, stage: c.stage, error: c.error } };
  if (c.outcome === 'delivered') return { ...base, outcome: 'delivered', detail: 'delivered', serverSaw: true, serverHow: 'data' };

  const server = await agentFor(topo, probe.to);
  const seen = await server.request<{ seen: boolean; how?: string }>({
    cmd: 'seen', proto: probe.proto, port: probe.dstPort, token, peerPort: srcPort,
  });
  let detail: ProbeDetail;
  if (c.outcome === 'refused') detail = 'refused';
  else if (c.outcome === 'unreachable') detail = 'unreachable';
  else if (seen.seen) detail = 'blocked-reply';
  else if (c.outcome === 'error') detail = 'error';
  else detail = 'blocked-request';
  return { ...base, outcome: 'blocked', detail, serverSaw: seen.seen, serverHow: seen.how };
}

/** One line per probe, handy in assertion messages. */
export function describeResult(r: ProbeResult): string {
  const p = r.probe;
  return `${p.proto}/${p.dstPort} v${p.family} ${p.from}:${r.srcPort} -> ${p.to}[${r.dstAddr}]: ${r.detail} (${r.client.outcome}@${r.client.stage}${r.client.error ? ' ' + r.client.error : ''}, ${r.ms} ms)`;
}
