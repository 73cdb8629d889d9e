// Declarative network-namespace topologies for kernel tests.
//
// Every host (and the router) gets its own namespace; every LAN is a bridge in
// a separate "switch" namespace that the hosts join with a veth pair. Keeping
// the bridges out of the firewalled namespaces means bridged frames can never
// meet the rules under test (br_netfilter), and one code path serves both the
// gateway and the flat shape.
import { networkOf, parseCidr, type Family } from './addr.js';
import { run, type ExecOptions, type ExecResult } from './exec.js';
import { deleteNamespace, trackNamespace, uniquePrefix } from './netns.js';

export type { Family } from './addr.js';

export interface RouteSpec {
  /** 'default' or a CIDR. */
  to: string;
  /** Next hop; omit for an on-link route. */
  via?: string;
  /** Interface inside the host; defaults to the host's only interface. */
  dev?: string;
}

export interface HostSpec {
  name: string;
  /** Host addresses in CIDR form, e.g. '10.20.0.5/16', '2001:db8:20::5/64'. */
  addrs: string[];
  /** Extra routes, added after addresses and default routes. */
  routes?: RouteSpec[];
}

export interface LanSpec {
  name: string;
  /** The router's own addresses on this LAN; hosts route via them by default. */
  routerAddrs: string[];
  hosts: HostSpec[];
  /** Router interface name for this LAN; defaults to the LAN name when it is a valid ifname. */
  routerIf?: string;
}

export interface GatewaySpec {
  kind: 'gateway';
  /** Host name of the router (default 'router'). */
  router?: string;
  lans: LanSpec[];
}

export interface FlatSpec {
  kind: 'flat';
  hosts: HostSpec[];
  /**
   * Add on-link routes (dev eth0) to every other host's prefix, so hosts with
   * unrelated prefixes on the same segment still reach each other (default true).
   */
  onLinkRoutes?: boolean;
}

export type TopologySpec = GatewaySpec | FlatSpec;

export interface IfaceInfo {
  /** Interface name inside the host's namespace. */
  name: string;
  lan: string;
  addrs: string[];
}

export interface HostInfo {
  name: string;
  ns: string;
  role: 'host' | 'router';
  ifaces: IfaceInfo[];
}

export interface Topology {
  readonly kind: TopologySpec['kind'];
  /** Common prefix of all namespaces of this topology. */
  readonly prefix: string;
  /** All hosts by name, including the router. */
  readonly hosts: ReadonlyMap<string, HostInfo>;
  readonly router?: HostInfo;
  nsName(host: string): string;
  host(host: string): HostInfo;
  /** Bare address of a host for a family (optionally the one on a given LAN). */
  addr(host: string, family: Family, lan?: string): string;
  /** `ip netns exec <ns> argv...`; rejects on non-zero exit unless opts.allowFail. */
  exec(host: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Forget learned neighbours everywhere, so the next packet needs real ARP/ND. */
  flushNeighbours(): Promise<void>;
  /** Run before namespaces are deleted (e.g. stop agents that keep a netns alive). */
  addCleanup(fn: () => unknown): void;
  /** Every namespace of this topology (hosts, router, switch). */
  namespaces(): string[];
  destroy(): Promise<void>;
}

const HOST_IF = 'eth0';
const IFNAME_RE = /^[A-Za-z0-9_-]{1,15}$/;
const HOSTNAME_RE = /^[A-Za-z0-9_.-]{1,40}$/;

/** One veth between a host namespace and a LAN bridge in the switch namespace. */
interface Attachment {
  host: string;
  ifName: string;
  lanIndex: number;
  addrs: string[];
}

interface Plan {
  hosts: Map<string, { role: HostInfo['role']; routes: RouteSpec[] }>;
  lans: string[];
  attachments: Attachment[];
  routerName?: string;
}

export async function buildTopology(spec: TopologySpec): Promise<Topology> {
  const plan = planOf(spec);
  const prefix = uniquePrefix();
  const switchNs = `${prefix}_switch`;
  const nsOf = new Map([...plan.hosts.keys()].map((h) => [h, `${prefix}${h}`]));

  const hostInfos = new Map<string, HostInfo>();
  for (const [name, h] of plan.hosts) {
    const ifaces = plan.attachments
      .filter((a) => a.host === name)
      .map((a) => ({ name: a.ifName, lan: plan.lans[a.lanIndex] ?? '', addrs: a.addrs }));
    hostInfos.set(name, { name, ns: nsOf.get(name) ?? '', role: h.role, ifaces });
  }

  const cleanups: Array<() => unknown> = [];
  const allNs = [switchNs, ...nsOf.values()];
  let destroyed = false;

  const topo: Topology = {
    kind: spec.kind,
    prefix,
    hosts: hostInfos,
    router: plan.routerName ? hostInfos.get(plan.routerName) : undefined,
    nsName: (h) => mustHost(h).ns,
    host: mustHost,
    addr(h, family, lan) {
      for (const i of mustHost(h).ifaces) {
        if (lan !== undefined && i.lan !== lan) continue;
        const hit = i.addrs.map(parseCidr).find((c) => c.family === family);
        if (hit) return hit.addr;
      }
      throw new Error(`host ${h} has no IPv${family} address${lan ? ` on ${lan}` : ''}`);
    },
    exec: (h, argv, opts) => run(['ip', 'netns', 'exec', mustHost(h).ns, ...argv], opts),
    async flushNeighbours() {
      await Promise.all([...nsOf.values()].map((ns) => ip(ns, 'neigh', 'flush', 'all')));
    },
    addCleanup: (fn) => void cleanups.push(fn),
    namespaces: () => [...allNs],
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      // Cleanups first: a process still inside a namespace keeps it (and its
      // veths) alive even after the name is deleted.
      for (const fn of cleanups.splice(0).reverse()) {
        try {
          await fn();
        } catch {
          /* best effort: deletion below must still happen */
        }
      }
      await Promise.all(allNs.map(deleteNamespace));
    },
  };

  function mustHost(h: string): HostInfo {
    const info = hostInfos.get(h);
    if (!info) throw new Error(`unknown host ${h} (have: ${[...hostInfos.keys()].join(', ')})`);
    return info;
  }

  try {
    await wire(plan, spec, switchNs, nsOf, allNs);
  } catch (e) {
    await topo.destroy();
    throw e;
  }
  return topo;
}

async function wire(plan: Plan, spec: TopologySpec, switchNs: string, nsOf: Map<string, string>, allNs: string[]) {
  const ns = (h: string) => nsOf.get(h) ?? '';

  for (const n of allNs) {
    // Track before creating, so a failure half-way is still cleaned at exit.
    trackNamespace(n);
    await run(['ip', 'netns', 'add', n]);
  }

  await Promise.all(
    allNs.map(async (n) => {
      // Set before any veth arrives: new interfaces copy `default`. Without
      // DAD the kernel's link-local addresses are usable at once, so ND is
      // sourced from a valid address from the very first packet.
      const sysctls = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];
      if (n === switchNs) sysctls.push('net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
      await run(['ip', 'netns', 'exec', n, 'sysctl', '-qw', ...sysctls]);
      await ip(n, 'link', 'set', 'lo', 'up');
    }),
  );

  // Snooping off: without a querier the bridge floods anyway, but this makes
  // ND multicast delivery independent of MLD reports the firewall may drop.
  await Promise.all(
    plan.lans.map(async (_, i) => {
      await ip(switchNs, 'link', 'add', `br${i}`, 'type', 'bridge', 'mcast_snooping', '0');
      await ip(switchNs, 'link', 'set', `br${i}`, 'up');
    }),
  );

  if (plan.routerName) {
    await run([
      'ip', 'netns', 'exec', ns(plan.routerName), 'sysctl', '-qw',
      'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.conf.default.forwarding=1',
    ]);
  }

  // veth creation goes through one netlink lock anyway; keep it sequential.
  for (const [j, a] of plan.attachments.entries()) {
    const port = `s${a.lanIndex}p${j}`;
    await run(['ip', 'link', 'add', port, 'netns', switchNs, 'type', 'veth', 'peer', 'name', a.ifName, 'netns', ns(a.host)]);
    await ip(switchNs, 'link', 'set', port, 'master', `br${a.lanIndex}`, 'up');
  }

  await Promise.all(
    plan.attachments.map(async (a) => {
      for (const c of a.addrs) {
        // nodad: usable immediately (no 'tentative' phase to wait out).
        const extra = parseCidr(c).family === 6 ? ['nodad'] : [];
        await ip(ns(a.host), 'addr', 'add', c, 'dev', a.ifName, ...extra);
      }
      await ip(ns(a.host), 'link', 'set', a.ifName, 'up');
    }),
  );

  await Promise.all(
    [...plan.hosts].map(async ([name, h]) => {
      const own = plan.attachments.filter((a) => a.host === name);
      const defaultIf = own[0]?.ifName ?? HOST_IF;
      for (const r of [...autoRoutes(plan, spec, name), ...h.routes]) {
        const family = r.to === 'default' ? parseCidr(r.via ?? '').family : parseCidr(r.to).family;
        const argv = ['-' + family, 'route', 'add', r.to];
        if (r.via) argv.push('via', r.via);
        argv.push('dev', r.dev ?? defaultIf);
        await ip(ns(name), ...argv);
      }
    }),
  );
}

/** Default routes (gateway) or on-link routes to other hosts' prefixes (flat). */
function autoRoutes(plan: Plan, spec: TopologySpec, host: string): RouteSpec[] {
  const own = plan.attachments.filter((a) => a.host === host);
  if (spec.kind === 'gateway') {
    if (host === plan.routerName) return [];
    const lan = spec.lans[own[0]?.lanIndex ?? -1];
    const routerOnLan = (lan?.routerAddrs ?? []).map(parseCidr);
    const families = new Set(own.flatMap((a) => a.addrs.map((c) => parseCidr(c).family)));
    return [...families].flatMap((f) => {
      const gw = routerOnLan.find((c) => c.family === f);
      return gw ? [{ to: 'default', via: gw.addr, dev: own[0]?.ifName }] : [];
    });
  }
  if (spec.onLinkRoutes === false) return [];
  const connected = new Set(own.flatMap((a) => a.addrs.map(networkOf)));
  const others = plan.attachments.filter((a) => a.host !== host).flatMap((a) => a.addrs.map(networkOf));
  return [...new Set(others)].filter((n) => !connected.has(n)).map((to) => ({ to, dev: own[0]?.ifName }));
}

function planOf(spec: TopologySpec): Plan {
  const hosts: Plan['hosts'] = new Map();
  const attachments: Attachment[] = [];
  const addHost = (name: string, role: HostInfo['role'], routes: RouteSpec[] = []) => {
    if (!HOSTNAME_RE.test(name) || name.startsWith('_')) throw new Error(`bad host name: ${JSON.stringify(name)}`);
    if (hosts.has(name)) throw new Error(`duplicate host name: ${name}`);
    hosts.set(name, { role, routes });
  };
  const checkAddrs = (addrs: string[]) => addrs.forEach(parseCidr);

  if (spec.kind === 'flat') {
    for (const h of spec.hosts) {
      addHost(h.name, 'host', h.routes);
      checkAddrs(h.addrs);
      attachments.push({ host: h.name, ifName: HOST_IF, lanIndex: 0, addrs: h.addrs });
    }
    return { hosts, lans: ['lan'], attachments };
  }

  const routerName = spec.router ?? 'router';
  addHost(routerName, 'router');
  const lans: string[] = [];
  const routerIfs = new Set<string>();
  for (const [i, lan] of spec.lans.entries()) {
    lans.push(lan.name);
    const ifName = lan.routerIf ?? (IFNAME_RE.test(lan.name) ? lan.name : `lan${i}`);
    if (!IFNAME_RE.test(ifName) || routerIfs.has(ifName)) throw new Error(`bad or duplicate router interface name: ${ifName}`);
    routerIfs.add(ifName);
    checkAddrs(lan.routerAddrs);
    attachments.push({ host: routerName, ifName, lanIndex: i, addrs: lan.routerAddrs });
    for (const h of lan.hosts) {
      addHost(h.name, 'host', h.routes);
      checkAddrs(h.addrs);
      attachments.push({ host: h.name, ifName: HOST_IF, lanIndex: i, addrs: h.addrs });
    }
  }
  return { hosts, lans, attachments, routerName };
}

function ip(ns: string, ...args: string[]): Promise<ExecResult> {
  return run(['ip', '-n', ns, ...args]);
}
