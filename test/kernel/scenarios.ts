// Declarative kernel scenarios: a policy, one of its firewalls, a namespace
// topology to load it in, and probes whose expected verdicts are written BY HAND
// from what the policy means (DESIGN.md §3, PORTS.md). Nothing here is derived
// from the compiler's output, so a wrong compiler makes the kernel test fail.
//
// The data is plain and self-contained: every probe carries its concrete source
// and destination addresses and ports, so other tests (e.g. `explain`, which
// runs the same probes through the evaluator) can use it without building
// namespaces. This module has no runtime dependency on the kernel harness.
import type { Family, HostSpec, LanSpec, TopologySpec } from './topology.js';

export type Expectation = 'delivered' | 'blocked';

export interface PortClass {
  from: number;
  to: number;
}

/**
 * Source ports no rule of the example policies names (they use 22, 53, 1503, 3389,
 * 5060-5061, 6891-6900, 7000-7099, 50000-50059) and below the kernel's ephemeral range,
 * so they can never collide with a port the kernel picks by itself.
 */
export const ANY_SRC_PORTS: PortClass = { from: 20000, to: 29999 };

export interface ScenarioProbe {
  /** What the probe proves, in the policy's terms. */
  label: string;
  /** `icmp`: an echo request (ping); its ports are 0. */
  proto: 'tcp' | 'udp' | 'icmp';
  /** Client host (opens the connection / sends the datagram). */
  from: string;
  /** Server host (listens on dstPort). */
  to: string;
  family: Family;
  /** The client's address: its only address of this family. */
  srcAddr: string;
  /** The address the client targets. */
  dstAddr: string;
  /** A representative source port, inside srcPortClass. */
  srcPort: number;
  /**
   * Every port in this class gives the same verdict; the kernel test draws a fresh one per run
   * (stale conntrack entries and TIME_WAIT must never decide a verdict).
   */
  srcPortClass: PortClass;
  dstPort: number;
  /**
   * Where the packet meets the firewall host: `input` (to it), `output` (from it) or `forward`
   * (through it). At a gateway, `input` is the router's own traffic, which a gateway firewall
   * does not filter.
   */
  direction: 'input' | 'output' | 'forward';
  expect: Expectation;
}

export interface Scenario {
  /** `<deployment>/<firewall>`. */
  id: string;
  /** Policy file, relative to the repository root. */
  policy: string;
  /** The firewall (by name) whose rules are loaded. */
  firewall: string;
  /** What the policy says the firewall is, checked against the compiled IR. */
  placement: { kind: 'host'; on: string } | { kind: 'gateway'; between: string[]; others?: 'accept' | 'drop' };
  topology: TopologySpec;
  /** Namespace host the rules are loaded in: the router for a gateway, the host itself for a host firewall. */
  fwHost: string;
  probes: ScenarioProbe[];
}

// ---- builders ---------------------------------------------------------------

interface ProbeDraft {
  label: string;
  proto: 'tcp' | 'udp' | 'icmp';
  from: string;
  to: string;
  family: Family;
  dstPort: number;
  expect: Expectation;
  srcPort?: number;
  srcPortClass?: PortClass;
}

const bare = (cidr: string) => cidr.split('/')[0] ?? '';
const isV6 = (cidr: string) => cidr.includes(':');
const famOf = (cidr: string): Family => (isV6(cidr) ? 6 : 4);

/** Addresses of a host as the spec gives them; for the router, per LAN. */
function hostAddrs(spec: TopologySpec, host: string): Array<{ lan?: string; addrs: string[] }> {
  if (spec.kind === 'flat') {
    const h = spec.hosts.find((x) => x.name === host);
    return h ? [{ addrs: h.addrs }] : [];
  }
  if (host === (spec.router ?? 'router')) return spec.lans.map((l) => ({ lan: l.name, addrs: l.routerAddrs }));
  const lan = spec.lans.find((l) => l.hosts.some((h) => h.name === host));
  const h = lan?.hosts.find((x) => x.name === host);
  return h && lan ? [{ lan: lan.name, addrs: h.addrs }] : [];
}

function lanOf(spec: TopologySpec, host: string): string | undefined {
  return spec.kind === 'gateway' ? spec.lans.find((l) => l.hosts.some((h) => h.name === host))?.name : undefined;
}

function onlyAddr(spec: TopologySpec, host: string, family: Family, lan?: string): string {
  const hits = hostAddrs(spec, host)
    .filter((a) => lan === undefined || a.lan === undefined || a.lan === lan)
    .flatMap((a) => a.addrs.filter((c) => famOf(c) === family));
  if (hits.length !== 1) {
    throw new Error(`scenario: host ${host} must have exactly one IPv${family} address${lan ? ` on ${lan}` : ''} (has ${hits.length})`);
  }
  return bare(hits[0] ?? '');
}

function scenario(s: Omit<Scenario, 'probes'>, drafts: ProbeDraft[]): Scenario {
  const probes = drafts.map((d): ScenarioProbe => {
    const srcPortClass = d.srcPortClass ?? ANY_SRC_PORTS;
    const srcPort = d.srcPort ?? srcPortClass.from;
    // A probe to the router targets its address on the client's own LAN.
    const toRouter = s.topology.kind === 'gateway' && d.to === (s.topology.router ?? 'router');
    const dstLan = toRouter ? lanOf(s.topology, d.from) : undefined;
    return {
      label: d.label,
      proto: d.proto,
      from: d.from,
      to: d.to,
      family: d.family,
      srcAddr: onlyAddr(s.topology, d.from, d.family),
      dstAddr: onlyAddr(s.topology, d.to, d.family, dstLan),
      srcPort,
      srcPortClass,
      dstPort: d.dstPort,
      direction: d.to === s.fwHost ? 'input' : d.from === s.fwHost ? 'output' : 'forward',
      expect: d.expect,
    };
  });
  return { ...s, probes };
}

type Mk = (
  expect: Expectation,
  label: string,
  proto: 'tcp' | 'udp' | 'icmp',
  from: string,
  to: string,
  family: Family,
  dstPort: number,
  src?: { port: number; class: PortClass },
) => ProbeDraft;

const p: Mk = (expect, label, proto, from, to, family, dstPort, src) => ({
  label,
  proto,
  from,
  to,
  family,
  dstPort,
  expect,
  ...(src ? { srcPort: src.port, srcPortClass: src.class } : {}),
});

/** The same probe over IPv4 and IPv6 (label suffixed). */
const both = (expect: Expectation, label: string, proto: 'tcp' | 'udp' | 'icmp', from: string, to: string, dstPort: number, src?: { port: number; class: PortClass }) =>
  ([4, 6] as const).map((f) => p(expect, `${label} (v${f})`, proto, from, to, f, dstPort, src));

/** An echo request (ping) over IPv4 and IPv6: no ports. */
const NO_PORT: PortClass = { from: 0, to: 0 };
const ping = (expect: Expectation, label: string, from: string, to: string, families: readonly Family[] = [4, 6]) =>
  families.map((f) => p(expect, `${label} (v${f})`, 'icmp', from, to, f, 0, { port: 0, class: NO_PORT }));

const host = (name: string, ...addrs: string[]): HostSpec => ({ name, addrs });
const lan = (name: string, routerAddrs: string[], ...hosts: HostSpec[]): LanSpec => ({ name, routerAddrs, hosts });

// Port classes the policies care about.
const CONTOSO_MEDIA: PortClass = { from: 50000, to: 50039 };
const BRANCH_MEDIA: PortClass = { from: 50000, to: 50059 };
/** Just below both media ranges: a source port no rule accepts. */
const BELOW_MEDIA: PortClass = { from: 49900, to: 49999 };
const media = (port: number, cls: PortClass) => ({ port, class: cls });

// ---- contoso ------------------------------------------------------------------

const CONTOSO = 'examples/contoso.msgr';
const BRANCH = 'examples/branch.msgr';

/**
 * contoso `edge`: a gateway between clients (10.20.0.0/16, 2001:db8:20::/48) and partners
 * (198.51.100.0/24, IPv4 only). Peers = clients + partners, so every peer-to-peer feature
 * (T.120 1503, file transfer 6891-6900, RTP media port to media port in 50000-50039) crosses
 * in both directions; SIP goes to lcs, which is in neither zone, so nothing SIP crosses. A
 * third LAN `elsewhere` is neither zone: traffic to or from it does not cross between the zones,
 * so this firewall does not judge it (it is left to the machine's other rules; here there are
 * none, so it is forwarded). The router's own input is not the gateway's business either.
 */
const contosoEdge = scenario(
  {
    id: 'contoso/edge',
    policy: CONTOSO,
    firewall: 'edge',
    placement: { kind: 'gateway', between: ['clients', 'partners'] },
    fwHost: 'router',
    topology: {
      kind: 'gateway',
      lans: [
        lan('clients', ['10.20.0.1/16', '2001:db8:20::1/64'], host('client', '10.20.0.5/16', '2001:db8:20::5/64')),
        lan('partners', ['198.51.100.1/24'], host('partner', '198.51.100.7/24')),
        lan('elsewhere', ['192.0.2.1/24', '2001:db8:99::1/64'], host('other', '192.0.2.9/24', '2001:db8:99::9/64')),
      ],
    },
  },
  [
    p('delivered', 'T.120 1503/tcp client -> partner (peer to peer, either side opens)', 'tcp', 'client', 'partner', 4, 1503),
    p('delivered', 'T.120 1503/tcp partner -> client', 'tcp', 'partner', 'client', 4, 1503),
    p('delivered', 'file transfer 6891/tcp client -> partner', 'tcp', 'client', 'partner', 4, 6891),
    p('delivered', 'file transfer 6891/tcp partner -> client', 'tcp', 'partner', 'client', 4, 6891),
    p('delivered', 'file transfer 6900/tcp client -> partner (top of 6891-6900)', 'tcp', 'client', 'partner', 4, 6900),
    p('delivered', 'file transfer 6900/tcp partner -> client', 'tcp', 'partner', 'client', 4, 6900),
    p('delivered', 'RTP udp media -> media 50000 client -> partner', 'udp', 'client', 'partner', 4, 50000, media(50038, CONTOSO_MEDIA)),
    p('delivered', 'RTP udp media -> media 50039 partner -> client', 'udp', 'partner', 'client', 4, 50039, media(50001, CONTOSO_MEDIA)),
    p('blocked', '1504/tcp client -> partner (next to T.120, not opened)', 'tcp', 'client', 'partner', 4, 1504),
    p('blocked', '6901/tcp client -> partner (above file transfer)', 'tcp', 'client', 'partner', 4, 6901),
    p('blocked', '6901/tcp partner -> client', 'tcp', 'partner', 'client', 4, 6901),
    p('blocked', '6890/tcp partner -> client (below file transfer)', 'tcp', 'partner', 'client', 4, 6890),
    p('blocked', 'udp to 50040 client -> partner (just outside the media range)', 'udp', 'client', 'partner', 4, 50040, media(50010, CONTOSO_MEDIA)),
    p('blocked', 'udp to 50040 partner -> client', 'udp', 'partner', 'client', 4, 50040, media(50010, CONTOSO_MEDIA)),
    p('blocked', 'udp media port from a source port outside the media range, client -> partner', 'udp', 'client', 'partner', 4, 50020, media(49999, BELOW_MEDIA)),
    p('blocked', 'udp media port from a source port outside the media range, partner -> client', 'udp', 'partner', 'client', 4, 50020, media(49999, BELOW_MEDIA)),
    p('blocked', 'SIP 5060/tcp client -> partner (SIP goes to lcs, not across)', 'tcp', 'client', 'partner', 4, 5060),
    p('blocked', 'SIP 5061/tcp client -> partner', 'tcp', 'client', 'partner', 4, 5061),
    p('delivered', '1503/tcp from elsewhere (in neither zone) -> client: not this gateway\'s business', 'tcp', 'other', 'client', 4, 1503),
    p('delivered', '6901/tcp client -> elsewhere: not between the zones, not judged', 'tcp', 'client', 'other', 4, 6901),
    p('delivered', '1503/tcp client -> elsewhere (v6): not between the zones', 'tcp', 'client', 'other', 6, 1503),
    p('delivered', '22/tcp elsewhere -> client (v6): not between the zones', 'tcp', 'other', 'client', 6, 22),
    ...both('delivered', "client -> router's own address 1503/tcp (router input is not filtered; ND works)", 'tcp', 'client', 'router', 1503),
  ],
);

/**
 * contoso `lcs-host`: host firewall on lcs. Clients use TLS, so only 5061/tcp from clients is
 * open (v4 and v6); the clear 5060 the server offers is unused, so nothing opens it. Output
 * is not filtered, so the server's own connections work (return traffic by conntrack).
 */
const contosoLcsHost = scenario(
  {
    id: 'contoso/lcs-host',
    policy: CONTOSO,
    firewall: 'lcs-host',
    placement: { kind: 'host', on: 'lcs' },
    fwHost: 'lcs',
    topology: {
      kind: 'flat',
      hosts: [
        host('lcs', '10.1.1.10/24', '2001:db8:1::10/64'),
        host('client', '10.20.0.5/16', '2001:db8:20::5/64'),
        host('partner', '198.51.100.7/24'),
      ],
    },
  },
  [
    ...both('delivered', 'SIP/TLS 5061/tcp client -> lcs', 'tcp', 'client', 'lcs', 5061),
    ...both('blocked', 'clear SIP 5060/tcp client -> lcs (offered, but clients use TLS)', 'tcp', 'client', 'lcs', 5060),
    p('blocked', 'SIP/TLS 5061/tcp partner -> lcs (not a client)', 'tcp', 'partner', 'lcs', 4, 5061),
    p('blocked', 'T.120 1503/tcp client -> lcs (peer to peer never involves the server)', 'tcp', 'client', 'lcs', 4, 1503),
    ...both('blocked', 'ssh 22/tcp client -> lcs (nothing allows it)', 'tcp', 'client', 'lcs', 22),
    p('blocked', 'ssh 22/tcp partner -> lcs', 'tcp', 'partner', 'lcs', 4, 22),
    ...both('delivered', "lcs's own connection to client 8080/tcp (output accept, reply by conntrack)", 'tcp', 'lcs', 'client', 8080),
    p('delivered', "lcs's own udp 53 to partner (output accept, reply by conntrack)", 'udp', 'lcs', 'partner', 4, 53),
  ],
);

/**
 * contoso `desktop`: host firewall on every client. Admins may ssh in; peers (clients +
 * partners) may open the peer-to-peer features in; TLS clients accept no SIP connection.
 */
const contosoDesktop = scenario(
  {
    id: 'contoso/desktop',
    policy: CONTOSO,
    firewall: 'desktop',
    placement: { kind: 'host', on: 'clients' },
    fwHost: 'client',
    topology: {
      kind: 'flat',
      hosts: [
        host('client', '10.20.0.5/16', '2001:db8:20::5/64'),
        host('peer', '10.20.0.6/16', '2001:db8:20::6/64'),
        host('admin', '10.9.0.7/24'),
        host('partner', '198.51.100.7/24'),
        host('lcs', '10.1.1.10/24', '2001:db8:1::10/64'),
      ],
    },
  },
  [
    p('delivered', 'ssh 22/tcp admin -> client (allow tcp 22 from admins)', 'tcp', 'admin', 'client', 4, 22),
    p('blocked', 'ssh 22/tcp partner -> client (not an admin)', 'tcp', 'partner', 'client', 4, 22),
    ...both('blocked', 'ssh 22/tcp peer client -> client (not an admin)', 'tcp', 'peer', 'client', 22),
    ...both('blocked', 'a TCP connection into a TLS client: 5061/tcp lcs -> client', 'tcp', 'lcs', 'client', 5061),
    p('blocked', 'TLS clients get no server connections: 7000/tcp lcs -> client', 'tcp', 'lcs', 'client', 4, 7000),
    p('delivered', 'T.120 1503/tcp partner -> client (partners are peers)', 'tcp', 'partner', 'client', 4, 1503),
    ...both('delivered', 'T.120 1503/tcp peer client -> client', 'tcp', 'peer', 'client', 1503),
    p('blocked', 'T.120 1503/tcp admin -> client (admins are not peers)', 'tcp', 'admin', 'client', 4, 1503),
    p('delivered', 'file transfer 6900/tcp partner -> client', 'tcp', 'partner', 'client', 4, 6900),
    p('blocked', '6901/tcp partner -> client', 'tcp', 'partner', 'client', 4, 6901),
    p('delivered', 'RTP udp media -> media partner -> client', 'udp', 'partner', 'client', 4, 50030, media(50004, CONTOSO_MEDIA)),
    p('delivered', 'RTP udp media -> media peer -> client (v6)', 'udp', 'peer', 'client', 6, 50031, media(50005, CONTOSO_MEDIA)),
    p('blocked', 'udp media port from a non-media source port, partner -> client', 'udp', 'partner', 'client', 4, 50030, media(49999, BELOW_MEDIA)),
    ...both('delivered', "client's own SIP/TLS connection to lcs 5061/tcp (output accept)", 'tcp', 'client', 'lcs', 5061),
  ],
);

// ---- branch -------------------------------------------------------------------

/**
 * branch `branch-gw`: a gateway between staff and vendors, both dual stack. Peers (`reach`)
 * = staff + vendors: file transfer 6891-6900 and RTP (50000-50059) cross both ways, except
 * the plain `deny tcp 6899-6900 from vendors to staff`, which comes first. SIP goes to pool,
 * which is in neither zone, so nothing SIP crosses.
 */
const branchGw = scenario(
  {
    id: 'branch/branch-gw',
    policy: BRANCH,
    firewall: 'branch-gw',
    placement: { kind: 'gateway', between: ['staff', 'vendors'] },
    fwHost: 'router',
    topology: {
      kind: 'gateway',
      lans: [
        lan('staff', ['10.30.0.1/16', '2001:db8:30::1/64'], host('staffpc', '10.30.0.5/16', '2001:db8:30::5/64')),
        lan('vendors', ['203.0.113.1/24', '2001:db8:113::1/64'], host('vendor', '203.0.113.7/24', '2001:db8:113::7/64')),
      ],
    },
  },
  [
    ...both('delivered', 'file transfer 6891/tcp staff -> vendor', 'tcp', 'staffpc', 'vendor', 6891),
    ...both('delivered', 'file transfer 6891/tcp vendor -> staff', 'tcp', 'vendor', 'staffpc', 6891),
    ...both('delivered', 'file transfer 6898/tcp vendor -> staff (below the deny)', 'tcp', 'vendor', 'staffpc', 6898),
    ...both('blocked', '6899/tcp vendor -> staff (deny rule before Messenger allow)', 'tcp', 'vendor', 'staffpc', 6899),
    ...both('blocked', '6900/tcp vendor -> staff (deny rule before Messenger allow)', 'tcp', 'vendor', 'staffpc', 6900),
    ...both('delivered', '6900/tcp staff -> vendor (the deny is one-way)', 'tcp', 'staffpc', 'vendor', 6900),
    p('delivered', '6899/tcp staff -> vendor (the deny is one-way)', 'tcp', 'staffpc', 'vendor', 4, 6899),
    ...both('delivered', 'RTP udp media -> media staff -> vendor', 'udp', 'staffpc', 'vendor', 50059, media(50002, BRANCH_MEDIA)),
    ...both('delivered', 'RTP udp media -> media vendor -> staff', 'udp', 'vendor', 'staffpc', 50000, media(50057, BRANCH_MEDIA)),
    p('blocked', 'udp to 50060 staff -> vendor (just outside the media range)', 'udp', 'staffpc', 'vendor', 4, 50060, media(50010, BRANCH_MEDIA)),
    p('blocked', 'udp media from a non-media source port vendor -> staff (v6)', 'udp', 'vendor', 'staffpc', 6, 50011, media(49999, BELOW_MEDIA)),
    ...both('blocked', 'SIP 5060/tcp staff -> vendor (SIP goes to pool, not across)', 'tcp', 'staffpc', 'vendor', 5060),
    p('blocked', 'SIP 5060/tcp vendor -> staff', 'tcp', 'vendor', 'staffpc', 4, 5060),
    ...both('blocked', 'SIP dynamic 7000/tcp vendor -> staff (only the server connects back)', 'tcp', 'vendor', 'staffpc', 7000),
    p('blocked', 'T.120 1503/tcp staff -> vendor (whiteboard not enabled)', 'tcp', 'staffpc', 'vendor', 4, 1503),
    p('blocked', '6901/tcp staff -> vendor (above file transfer)', 'tcp', 'staffpc', 'vendor', 6, 6901),
  ],
);

/**
 * branch `pool-host`: host firewall on pool (SIP over clear TCP, 5060). Staff sign in on
 * 5060 (v4 and v6); ops may ssh in. The server's own connections back to the clients'
 * dynamic SIP ports leave through an unfiltered output.
 */
const branchPoolHost = scenario(
  {
    id: 'branch/pool-host',
    policy: BRANCH,
    firewall: 'pool-host',
    placement: { kind: 'host', on: 'pool' },
    fwHost: 'pool',
    topology: {
      kind: 'flat',
      hosts: [
        host('pool', '10.2.2.20/24', '2001:db8:2::20/64'),
        host('staffpc', '10.30.0.5/16', '2001:db8:30::5/64'),
        host('ops', '10.8.0.7/24', '2001:db8:8::7/64'),
        host('vendor', '203.0.113.7/24', '2001:db8:113::7/64'),
      ],
    },
  },
  [
    ...both('delivered', 'SIP 5060/tcp staff -> pool', 'tcp', 'staffpc', 'pool', 5060),
    ...both('delivered', 'ssh 22/tcp ops -> pool (allow tcp 22 from ops)', 'tcp', 'ops', 'pool', 22),
    ...both('blocked', 'ssh 22/tcp staff -> pool (only ops)', 'tcp', 'staffpc', 'pool', 22),
    ...both('blocked', 'SIP 5060/tcp vendor -> pool (not a client)', 'tcp', 'vendor', 'pool', 5060),
    p('blocked', 'SIP 5060/tcp ops -> pool (not a client)', 'tcp', 'ops', 'pool', 4, 5060),
    ...both('blocked', '5061/tcp staff -> pool (the server offers clear TCP only)', 'tcp', 'staffpc', 'pool', 5061),
    ...both('delivered', "pool's own connection to the client's SIP port 7000/tcp (output accept)", 'tcp', 'pool', 'staffpc', 7000),
  ],
);

/**
 * branch `staff-pc`: host firewall on staff machines, inbound AND outbound deny. In: the
 * server's connections to the SIP dynamic range 7000-7049 (TCP mode), rdp from ops, peer
 * features from reach (staff + vendors). Out: SIP 5060 to pool, peer features to reach, udp 53
 * to anywhere; nothing else.
 */
const branchStaffPc = scenario(
  {
    id: 'branch/staff-pc',
    policy: BRANCH,
    firewall: 'staff-pc',
    placement: { kind: 'host', on: 'staff' },
    fwHost: 'staffpc',
    topology: {
      kind: 'flat',
      hosts: [
        host('staffpc', '10.30.0.5/16', '2001:db8:30::5/64'),
        host('pool', '10.2.2.20/24', '2001:db8:2::20/64'),
        host('ops', '10.8.0.7/24', '2001:db8:8::7/64'),
        host('vendor', '203.0.113.7/24', '2001:db8:113::7/64'),
        // In no network of the policy: a public resolver.
        host('resolver', '192.0.2.53/24', '2001:db8:99::53/64'),
      ],
    },
  },
  [
    ...both('delivered', 'server -> client SIP dynamic 7000/tcp (TCP mode notifications)', 'tcp', 'pool', 'staffpc', 7000),
    p('delivered', 'server -> client SIP dynamic 7049/tcp (top of range)', 'tcp', 'pool', 'staffpc', 4, 7049),
    ...both('blocked', 'server -> client 7050/tcp (just above the dynamic range)', 'tcp', 'pool', 'staffpc', 7050),
    p('blocked', 'vendor -> client 7000/tcp (only the server connects to the SIP range)', 'tcp', 'vendor', 'staffpc', 4, 7000),
    ...both('delivered', 'rdp 3389/tcp ops -> client (allow tcp 3389 from ops)', 'tcp', 'ops', 'staffpc', 3389),
    p('blocked', 'rdp 3389/tcp vendor -> client (only ops)', 'tcp', 'vendor', 'staffpc', 4, 3389),
    ...both('delivered', 'file transfer 6891/tcp vendor -> client (vendors are in reach)', 'tcp', 'vendor', 'staffpc', 6891),
    p('blocked', 'file transfer 6891/tcp ops -> client (ops are not in reach)', 'tcp', 'ops', 'staffpc', 4, 6891),
    ...both('delivered', "client's SIP 5060/tcp -> pool (outbound, TCP mode)", 'tcp', 'staffpc', 'pool', 5060),
    ...both('blocked', "client's 5061/tcp -> pool (outbound deny; clients use TCP)", 'tcp', 'staffpc', 'pool', 5061),
    p('blocked', "client's 22/tcp -> pool (outbound deny)", 'tcp', 'staffpc', 'pool', 4, 22),
    ...both('delivered', "client's udp 53 -> resolver (allow udp 53 to any)", 'udp', 'staffpc', 'resolver', 53),
    p('delivered', "client's udp 53 -> ops (to any)", 'udp', 'staffpc', 'ops', 4, 53),
    ...both('blocked', "client's tcp 53 -> resolver (only udp is allowed)", 'tcp', 'staffpc', 'resolver', 53),
    ...both('delivered', "client's file transfer 6900/tcp -> vendor (outbound to reach)", 'tcp', 'staffpc', 'vendor', 6900),
    p('blocked', "client's 6891/tcp -> resolver (not in reach: outbound deny)", 'tcp', 'staffpc', 'resolver', 4, 6891),
    p('delivered', "client's RTP udp media -> media -> vendor", 'udp', 'staffpc', 'vendor', 4, 50002, media(50003, BRANCH_MEDIA)),
    p('delivered', 'RTP udp media -> media vendor -> client (v6)', 'udp', 'vendor', 'staffpc', 6, 50004, media(50005, BRANCH_MEDIA)),
    p('blocked', "client's udp to a media port from a non-media port -> vendor (outbound deny)", 'udp', 'staffpc', 'vendor', 4, 50002, media(49999, BELOW_MEDIA)),
  ],
);

// ---- calls between clients blocks with their own media ranges (issue 11, item 1) ----------

const CALLS = 'test/kernel/fixtures/calls.msgr';
const A_MEDIA: PortClass = { from: 50000, to: 50007 };
const B_MEDIA: PortClass = { from: 52000, to: 52007 };

/**
 * calls `calls-gw`: a gateway between clients a (media 50000-50007) and others = clients b (media
 * 52000-52007) and guests (in no clients block: assumed to use a's range, MSGR038). A call runs
 * from the caller's media range to the callee's: a:50000 <-> b:52000 passes both ways; a port
 * in the sender's own range on the receiver (a -> b:50001, b -> a:52001) is not the receiver's
 * and stays closed. A probe's source port is any port of the sender's range but the one it
 * listens on (a host never sends from a port it listens on): the explain tests take the issue's
 * exact ports.
 */
const callsGw = scenario(
  {
    id: 'calls/calls-gw',
    policy: CALLS,
    firewall: 'calls-gw',
    placement: { kind: 'gateway', between: ['a', 'others'] },
    fwHost: 'router',
    topology: {
      kind: 'gateway',
      lans: [
        // Interface names: `ip` reads a bare `a` or `b` as a keyword.
        lan('lan-a', ['10.40.0.1/16', '2001:db8:40::1/64'], host('apc', '10.40.0.5/16', '2001:db8:40::5/64')),
        lan('lan-b', ['10.41.0.1/16', '2001:db8:41::1/64'], host('bpc', '10.41.0.5/16', '2001:db8:41::5/64')),
        lan('lan-guests', ['203.0.113.1/24', '2001:db8:113::1/64'], host('guest', '203.0.113.9/24', '2001:db8:113::9/64')),
      ],
    },
  },
  [
    ...both('delivered', "call a -> b:52000 (from a's range to b's)", 'udp', 'apc', 'bpc', 52000, media(50002, A_MEDIA)),
    ...both('delivered', "call b -> a:50000 (from b's range to a's)", 'udp', 'bpc', 'apc', 50000, media(52002, B_MEDIA)),
    ...both('blocked', "a -> b:50001 (from a's range to a port of a's range, which b never uses)", 'udp', 'apc', 'bpc', 50001, media(50002, A_MEDIA)),
    ...both('blocked', "b -> a:52001 (from b's range to a port of b's range, which a never uses)", 'udp', 'bpc', 'apc', 52001, media(52002, B_MEDIA)),
    ...both('delivered', "call guest -> a:50000 (guests are assumed to use a's range)", 'udp', 'guest', 'apc', 50000, media(50004, A_MEDIA)),
    ...both('blocked', "guest from b's range -> a:50000 (guests are not b)", 'udp', 'guest', 'apc', 50000, media(52004, B_MEDIA)),
  ],
);

/**
 * calls `b-host`: host firewall on b, inbound and outbound deny. It takes calls from a into b's
 * range and places calls from b's range into a's; nothing else of a's range reaches it.
 */
const callsBHost = scenario(
  {
    id: 'calls/b-host',
    policy: CALLS,
    firewall: 'b-host',
    placement: { kind: 'host', on: 'b' },
    fwHost: 'bpc',
    topology: {
      kind: 'flat',
      hosts: [host('bpc', '10.41.0.5/16', '2001:db8:41::5/64'), host('apc', '10.40.0.5/16', '2001:db8:40::5/64')],
    },
  },
  [
    ...both('delivered', "call a -> b:52000 in (from a's range to b's)", 'udp', 'apc', 'bpc', 52000, media(50002, A_MEDIA)),
    ...both('blocked', "a -> b:50001 in (from a's range to a port of a's range, which b never uses)", 'udp', 'apc', 'bpc', 50001, media(50002, A_MEDIA)),
    ...both('delivered', "call b -> a:50000 out (from b's range to a's)", 'udp', 'bpc', 'apc', 50000, media(52002, B_MEDIA)),
    ...both('blocked', "b -> a:52001 out (from b's range to a port of b's range, which a never uses)", 'udp', 'bpc', 'apc', 52001, media(52002, B_MEDIA)),
  ],
);

// ---- plain rules an administrator reaches for (issue 11, item 6) ------------------------------

const MONITORED = 'test/kernel/fixtures/monitored.msgr';

/**
 * monitored `srv-host`: a default-deny server. ssh only from the jump hosts, which the rule
 * writes inline (10.10.99.0/24, 2001:db8:99::/64); remote desktop from the clients but one
 * (10.20.0.66, 2001:db8:20::66, denied first); SIP/TLS from the clients; ping (ICMP and ICMPv6
 * echo) from the monitoring network but 10.50.0.66 (denied first), from nowhere else.
 */
const monitoredSrv = scenario(
  {
    id: 'monitored/srv-host',
    policy: MONITORED,
    firewall: 'srv-host',
    placement: { kind: 'host', on: 'srv' },
    fwHost: 'srv',
    topology: {
      kind: 'flat',
      hosts: [
        host('srv', '10.1.1.10/24', '2001:db8:1::10/64'),
        host('jump', '10.10.99.5/24', '2001:db8:99::5/64'),
        host('client', '10.20.0.5/16', '2001:db8:20::5/64'),
        host('client66', '10.20.0.66/16', '2001:db8:20::66/64'),
        host('monitor', '10.50.0.5/24', '2001:db8:50::5/64'),
        host('monitor66', '10.50.0.66/24'),
      ],
    },
  },
  [
    ...ping('delivered', 'ping monitor -> srv (allow icmp echo-request from monitor)', 'monitor', 'srv'),
    ...ping('blocked', 'ping client -> srv (default deny)', 'client', 'srv'),
    ...ping('blocked', 'ping from the one monitor denied first (deny icmp from 10.50.0.66)', 'monitor66', 'srv', [4]),
    ...both('blocked', 'ssh 22/tcp monitor -> srv (monitoring may ping, nothing more)', 'tcp', 'monitor', 'srv', 22),
    ...both('delivered', 'ssh 22/tcp jump host -> srv (allow tcp 22 from 10.10.99.0/24, 2001:db8:99::/64)', 'tcp', 'jump', 'srv', 22),
    ...both('blocked', 'ssh 22/tcp client -> srv (not a jump host)', 'tcp', 'client', 'srv', 22),
    ...both('delivered', 'rdp 3389/tcp client -> srv (allow tcp 3389 from clients)', 'tcp', 'client', 'srv', 3389),
    ...both('blocked', 'rdp 3389/tcp from the one client denied inline first', 'tcp', 'client66', 'srv', 3389),
    ...both('delivered', 'SIP/TLS 5061/tcp from the client denied rdp', 'tcp', 'client66', 'srv', 5061),
    ...both('blocked', 'rdp 3389/tcp jump host -> srv (not a client)', 'tcp', 'jump', 'srv', 3389),
  ],
);

// ---- one router, several zones (issue 11, item 5) ----------------------------------------------

const ZONES = 'test/kernel/fixtures/zones.msgr';

/**
 * The router of zones.msgr: three zones (staff, vendors, servers) and a fourth network,
 * `elsewhere`, that is no zone. Between every two zones, as the policy says: SIP/TLS 5061 from
 * staff to the pool (staff -> servers), file transfer 6891-6900 between staff and vendors either
 * way, ssh from the admins (inside staff) to the servers, the web console 8443 to the servers
 * from both other zones; everything else between zones meets `default deny`, whichever pair.
 */
const zonesTopology: TopologySpec = {
  kind: 'gateway',
  lans: [
    lan('staff', ['10.50.0.1/16', '2001:db8:50::1/48'], host('staffpc', '10.50.0.5/16', '2001:db8:50::5/48'), host('admin', '10.50.9.7/16', '2001:db8:50:9::7/48')),
    lan('vendors', ['10.51.0.1/16', '2001:db8:51::1/48'], host('vendor', '10.51.0.7/16', '2001:db8:51::7/48')),
    lan('servers', ['10.52.0.1/16', '2001:db8:52::1/48'], host('pool', '10.52.0.10/16', '2001:db8:52::10/48'), host('web', '10.52.0.20/16', '2001:db8:52::20/48')),
    lan('elsewhere', ['192.0.2.1/24', '2001:db8:99::1/64'], host('other', '192.0.2.9/24', '2001:db8:99::9/64')),
  ],
};

const betweenThreeZones = [
  ...both('delivered', 'SIP/TLS 5061/tcp staff -> pool (staff, servers)', 'tcp', 'staffpc', 'pool', 5061),
  ...both('blocked', 'SIP/TLS 5061/tcp vendor -> pool (vendors are no clients: default deny between vendors and servers)', 'tcp', 'vendor', 'pool', 5061),
  ...both('delivered', 'file transfer 6891/tcp staff -> vendor (staff, vendors)', 'tcp', 'staffpc', 'vendor', 6891),
  ...both('delivered', 'file transfer 6900/tcp vendor -> staff (vendors, staff: either side opens)', 'tcp', 'vendor', 'staffpc', 6900),
  ...both('blocked', 'file transfer 6891/tcp vendor -> pool (no flow between vendors and servers)', 'tcp', 'vendor', 'pool', 6891),
  ...both('blocked', '22/tcp staff -> vendor (default deny between staff and vendors)', 'tcp', 'staffpc', 'vendor', 22),
  ...both('delivered', 'ssh 22/tcp admin -> web (allow tcp 22 from admins to servers)', 'tcp', 'admin', 'web', 22),
  ...both('blocked', 'ssh 22/tcp staff (not an admin) -> web', 'tcp', 'staffpc', 'web', 22),
  ...both('delivered', '8443/tcp vendor -> web (allow tcp 8443 to servers: from any other zone)', 'tcp', 'vendor', 'web', 8443),
  ...both('delivered', '8443/tcp staff -> web', 'tcp', 'staffpc', 'web', 8443),
  ...both('blocked', '8443/tcp web -> vendor (the rule opens the servers only)', 'tcp', 'web', 'vendor', 8443),
  ...both('blocked', '1503/tcp pool -> staff (default deny between servers and staff)', 'tcp', 'pool', 'staffpc', 1503),
  ...both('delivered', "staff -> router's own address 22/tcp (the router's input is not filtered)", 'tcp', 'staffpc', 'router', 22),
];

/** zones `core`: `others deny`, the router's whole forward policy: to and from `elsewhere` is dropped. */
const zonesCore = scenario(
  { id: 'zones/core', policy: ZONES, firewall: 'core', placement: { kind: 'gateway', between: ['staff', 'vendors', 'servers'], others: 'drop' }, fwHost: 'router', topology: zonesTopology },
  [
    ...betweenThreeZones,
    ...both('blocked', '22/tcp staff -> elsewhere (between a zone and no zone: others deny)', 'tcp', 'staffpc', 'other', 22),
    ...both('blocked', '6891/tcp elsewhere -> vendor (others deny)', 'tcp', 'other', 'vendor', 6891),
    ...both('blocked', '8443/tcp elsewhere -> web (the rule names no source, but elsewhere is no zone)', 'tcp', 'other', 'web', 8443),
    ...both('delivered', "elsewhere -> router's own address 22/tcp (not forwarded: others deny leaves it alone)", 'tcp', 'other', 'router', 22),
  ],
);

/** zones `core-open`: the same router with `others accept` (left out): to and from `elsewhere` is not its business. */
const zonesCoreOpen = scenario(
  { id: 'zones/core-open', policy: ZONES, firewall: 'core-open', placement: { kind: 'gateway', between: ['staff', 'vendors', 'servers'], others: 'accept' }, fwHost: 'router', topology: zonesTopology },
  [
    ...betweenThreeZones,
    ...both('delivered', '22/tcp staff -> elsewhere (between a zone and no zone: others accept)', 'tcp', 'staffpc', 'other', 22),
    ...both('delivered', '6891/tcp elsewhere -> vendor (others accept)', 'tcp', 'other', 'vendor', 6891),
    ...both('delivered', '8443/tcp elsewhere -> web', 'tcp', 'other', 'web', 8443),
  ],
);

export const SCENARIOS: readonly Scenario[] = [contosoEdge, contosoLcsHost, contosoDesktop, branchGw, branchPoolHost, branchStaffPc, callsGw, callsBHost, monitoredSrv, zonesCore, zonesCoreOpen];

/** Lookup by id, e.g. `scenarioById('contoso/edge')`. */
export function scenarioById(id: string): Scenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id} (have: ${SCENARIOS.map((x) => x.id).join(', ')})`);
  return s;
}
