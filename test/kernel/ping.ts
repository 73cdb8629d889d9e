// ICMP echo probes: `ping -c1` from a client namespace, judged end to end like a TCP probe. The
// server's own ICMP counters tell a request the firewall dropped (the server never counted it)
// from a reply it dropped (counted, no answer back): `Icmp InEchos` (/proc/net/snmp) and
// `Icmp6InEchos` (/proc/net/snmp6) count echo requests the stack received, after netfilter's
// input hook, per network namespace.
import type { Topology } from './topology.js';
import type { Family } from './addr.js';

/** The echo requests a namespace's stack has received so far, for one family. */
export async function echoRequestsSeen(topo: Topology, host: string, family: Family): Promise<number> {
  if (family === 4) {
    const { stdout } = await topo.exec(host, ['cat', '/proc/net/snmp']);
    const [head, values] = stdout.split('\n').filter((l) => l.startsWith('Icmp:'));
    const i = (head ?? '').split(/\s+/).indexOf('InEchos');
    const n = Number((values ?? '').split(/\s+/)[i]);
    if (i < 0 || !Number.isInteger(n)) throw new Error(`no Icmp InEchos in /proc/net/snmp of ${host}`);
    return n;
  }
  const { stdout } = await topo.exec(host, ['cat', '/proc/net/snmp6']);
  const m = /^Icmp6InEchos\s+(\d+)$/m.exec(stdout);
  if (!m) throw new Error(`no Icmp6InEchos in /proc/net/snmp6 of ${host}`);
  return Number(m[1]);
}

export interface PingResult {
  delivered: boolean;
  /** The server's stack received the request. */
  serverSaw: boolean;
  ms: number;
  output: string;
}

/** One echo request and its reply (one second to answer); run one at a time per server. */
export async function pingOnce(topo: Topology, from: string, to: string, family: Family, dstAddr: string): Promise<PingResult> {
  const before = await echoRequestsSeen(topo, to, family);
  const started = Date.now();
  const r = await topo.exec(from, ['ping', `-${family}`, '-n', '-c1', '-W1', dstAddr], { allowFail: true });
  const ms = Date.now() - started;
  const after = await echoRequestsSeen(topo, to, family);
  return { delivered: r.code === 0, serverSaw: after > before, ms, output: `${r.stdout}${r.stderr}`.trim().split('\n').slice(-2).join(' / ') };
}
