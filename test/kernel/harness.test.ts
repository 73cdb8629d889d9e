// Proves the kernel harness itself: topologies, probes and rule loading.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kernelSuite } from './capability.js';
import { listNamespaces, processPrefix, sweepStaleNamespaces } from './netns.js';
import { buildTopology, type Topology, type TopologySpec } from './topology.js';
import {
  describeResult,
  flushFirewall,
  iptablesSave,
  listNftJson,
  loadIptables,
  loadNft,
  runProbe,
  runProbes,
  type Probe,
  type ProbeDetail,
  type ProbeOutcome,
  type ProbeResult,
} from './traffic.js';

const both = [4, 6] as const;

/**
 * Assert each probe's outcome ('blocked') or, when a detail is named
 * ('blocked-request'), its detail; the message lists every probe.
 */
function expectOutcomes(results: ProbeResult[], want: (r: ProbeResult) => ProbeOutcome | ProbeDetail) {
  const expected = results.map(want);
  const actual = results.map((r, i) => (expected[i] === 'blocked' ? r.outcome : r.detail));
  expect(actual, results.map(describeResult).join('\n')).toEqual(expected);
}

const gatewaySpec: TopologySpec = {
  kind: 'gateway',
  lans: [
    {
      name: 'inside',
      routerAddrs: ['10.20.0.1/16', '2001:db8:20::1/64'],
      hosts: [{ name: 'client', addrs: ['10.20.0.5/16', '2001:db8:20::5/64'] }],
    },
    {
      name: 'outside',
      routerAddrs: ['198.51.100.1/24', '2001:db8:51::1/64'],
      hosts: [{ name: 'partner', addrs: ['198.51.100.7/24', '2001:db8:51::7/64'] }],
    },
  ],
};

const ROUTER_NFT = `flush ruleset
table inet fw {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    tcp dport 1503 accept
  }
}
`;

// Requests may pass, replies may not (no established rule): the harness must
// tell this apart from a dropped request.
const ROUTER_NFT_NO_RETURN = `flush ruleset
table inet fw {
  chain forward {
    type filter hook forward priority 0; policy drop;
    iifname "inside" tcp dport 1503 accept
    iifname "inside" udp dport 1503 accept
  }
}
`;

const iptablesRouter = (v6: boolean) => `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
${v6 ? '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT\n' : ''}-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A FORWARD -p tcp -m tcp --dport 1503 -j ACCEPT
COMMIT
`;

const fwd = (proto: Probe['proto'], dstPort: number): Probe[] =>
  both.map((family) => ({ proto, from: 'client', to: 'partner', family, dstPort }));

kernelSuite('kernel harness: gateway topology', () => {
  let topo: Topology;

  beforeAll(async () => {
    await sweepStaleNamespaces();
    topo = await buildTopology(gatewaySpec);
  });

  afterAll(async () => {
    const prefix = topo?.prefix;
    await topo?.destroy();
    if (prefix) expect(listNamespaces(prefix)).toEqual([]);
  });

  it('builds namespaces with the requested addresses and routes', async () => {
    expect(topo.nsName('client')).toMatch(/^msgrt-\d+-/);
    const addrs = (await topo.exec('client', ['ip', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout;
    expect(addrs).toContain('10.20.0.5/16');
    expect(addrs).toContain('2001:db8:20::5/64');
    expect(addrs).not.toContain('tentative');
    const r6 = (await topo.exec('partner', ['ip', '-6', 'route', 'show', 'default'])).stdout;
    expect(r6).toContain('via 2001:db8:51::1');
    const routerIfs = (await topo.exec('router', ['ip', '-o', 'link', 'show'])).stdout;
    expect(routerIfs).toMatch(/inside@/);
    expect(routerIfs).toMatch(/outside@/);
  });

  it('delivers TCP and UDP over IPv4 and IPv6 with no firewall', async () => {
    const probes: Probe[] = [
      ...fwd('tcp', 7001),
      ...fwd('udp', 7002),
      ...both.map((family) => ({ proto: 'tcp' as const, from: 'partner', to: 'client', family, dstPort: 7003 })),
      { proto: 'tcp', from: 'client', to: 'router', family: 6, dstPort: 7004 },
    ];
    expectOutcomes(await runProbes(topo, probes), () => 'delivered');
    // A fixed source port can be reused back to back (the client closes with RST).
    for (let i = 0; i < 3; i++) {
      expect(await runProbe(topo, { proto: 'tcp', from: 'client', to: 'partner', family: 4, dstPort: 7001, srcPort: 1024 })).toBe(
        'delivered',
      );
    }
  });

  it('enforces a hand-written nft forward policy on the router', async () => {
    await loadNft(topo, 'router', ROUTER_NFT);
    await topo.flushNeighbours(); // IPv6 must resolve through the new input chain
    const json = await listNftJson(topo, 'router');
    const chains = json.nftables.flatMap((o) => (o.chain ? [o.chain as { name: string; policy?: string }] : []));
    expect(chains.find((c) => c.name === 'forward')?.policy).toBe('drop');

    const results = await runProbes(topo, [...fwd('tcp', 1503), ...fwd('tcp', 1504), ...fwd('udp', 1503)]);
    expectOutcomes(results, (r) => (r.probe.proto === 'tcp' && r.probe.dstPort === 1503 ? 'delivered' : 'blocked-request'));
  });

  it('reports blocked-reply when only the return traffic is dropped', async () => {
    await loadNft(topo, 'router', ROUTER_NFT_NO_RETURN);
    const results = await runProbes(topo, [...fwd('tcp', 1503), ...fwd('udp', 1503)]);
    expectOutcomes(results, () => 'blocked-reply');
    for (const r of results) expect(r.serverHow).toBe(r.probe.proto === 'tcp' ? 'syn-recv' : 'data');
  });

  it('enforces the same policy loaded with iptables-restore', async () => {
    await flushFirewall(topo, 'router');
    await loadIptables(topo, 'router', iptablesRouter(false), iptablesRouter(true));
    await topo.flushNeighbours();
    expect(await iptablesSave(topo, 'router', 4)).toContain('--dport 1503');
    // ip6tables-save prints ICMPv6 types numerically (135 = neighbour solicitation).
    expect(await iptablesSave(topo, 'router', 6)).toMatch(/--icmpv6-type (135|neighbour-solicitation)/);

    const results = await runProbes(topo, [...fwd('tcp', 1503), ...fwd('tcp', 1504), ...fwd('udp', 1503)]);
    expectOutcomes(results, (r) => (r.probe.proto === 'tcp' && r.probe.dstPort === 1503 ? 'delivered' : 'blocked-request'));
  });
});

const flatSpec: TopologySpec = {
  kind: 'flat',
  hosts: [
    { name: 'server', addrs: ['10.1.1.10/8', '2001:db8:1::10/64'] },
    { name: 'client', addrs: ['10.1.2.20/8', '2001:db8:1::20/64'] },
    // Different prefixes on the same segment: reached through on-link routes.
    { name: 'roamer', addrs: ['10.9.0.7/16', '2001:db8:9::7/64'] },
  ],
};

const serverNft = (withNd: boolean) => `flush ruleset
table inet host {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    ${withNd ? 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept' : ''}
    tcp dport 5061 accept
  }
}
`;

const toServer = (dstPort: number): Probe[] =>
  ['client', 'roamer'].flatMap((from) => both.map((family) => ({ proto: 'tcp' as const, from, to: 'server', family, dstPort })));

kernelSuite('kernel harness: flat host topology', () => {
  let topo: Topology;

  beforeAll(async () => {
    topo = await buildTopology(flatSpec);
  });

  afterAll(async () => {
    const prefix = topo?.prefix;
    await topo?.destroy();
    if (prefix) expect(listNamespaces(prefix)).toEqual([]);
    // Both suites are done: nothing of this process may be left.
    expect(listNamespaces(processPrefix())).toEqual([]);
  });

  it('delivers everything with no firewall', async () => {
    expectOutcomes(await runProbes(topo, [...toServer(5060), ...toServer(5061)]), () => 'delivered');
  });

  it('needs ICMPv6 neighbour discovery: without it IPv6 fails while IPv4 works', async () => {
    await loadNft(topo, 'server', serverNft(false));
    await topo.flushNeighbours();
    const results = await runProbes(topo, toServer(5061));
    expectOutcomes(results, (r) => (r.probe.family === 4 ? 'delivered' : 'blocked-request'));
  });

  it('enforces an nft input policy in the server namespace, over real ND', async () => {
    await loadNft(topo, 'server', serverNft(true));
    await topo.flushNeighbours();
    const results = await runProbes(topo, [...toServer(5060), ...toServer(5061)]);
    expectOutcomes(results, (r) => (r.probe.dstPort === 5061 ? 'delivered' : 'blocked-request'));
    // The server learned the clients by ND, not from static entries.
    const neigh = (await topo.exec('server', ['ip', '-6', 'neigh', 'show', 'dev', 'eth0'])).stdout;
    expect(neigh).toMatch(/2001:db8:1::20 .*(REACHABLE|STALE|DELAY|PROBE)/);
    expect(neigh).not.toContain('PERMANENT');
  });
});
