import { families, intersect, isEmpty, union, emptySet, type AddressSet } from '../addresses/set.js';
import type { ClientsItem, ClientsStmt, PortRangeLit } from '../parse/ast.js';
import { nearest } from '../diagnostics/suggest.js';
import { type Diagnostics, firstOfEach, origin, names } from './context.js';
import { lookupNetwork, type NetworkTable } from './networks.js';
import { checkGroupPolicyRange, FALLBACK, mediaMinimum, overlaps, sipMinimum } from './ranges.js';
import { isTransport } from './servers.js';
import { resolveMediaPeers, usesMedia, type GroupWithoutMediaPeers } from './peers.js';
import {
  CLIENT_SOFTWARE,
  type ClientGroup,
  type ClientSoftware,
  FEATURES,
  type Feature,
  type GroupPolicyRange,
  type NamedSet,
  type Server,
} from './model.js';

type Stmt<K extends ClientsStmt['kind']> = Extract<ClientsStmt, { kind: K }>;

/** Later Communicator releases want at least this many media ports (a warning, not an error). */
const RECOMMENDED_MEDIA_PORTS = 40;

export function resolveClients(
  items: readonly ClientsItem[],
  networks: NetworkTable,
  servers: readonly Server[],
  diags: Diagnostics,
): ClientGroup[] {
  const groups: GroupWithoutMediaPeers[] = [];
  const seen = new Map<string, ClientsItem>();
  // Clients blocks that name the same peers share one address set (and so its set arithmetic).
  const peerSets = new Map<string, AddressSet>();
  for (const item of items) {
    const name = item.network.text;
    const first = seen.get(name);
    if (first) {
      diags.report('MSGR011', item.network.at, `clients '${name}' are declared twice (first at line ${first.at.line})`, 'one clients block per network');
      continue;
    }
    seen.set(name, item);
    const group = resolveGroup(item, networks, servers, diags, peerSets);
    if (group) groups.push(group);
  }
  return resolveMediaPeers(groups, diags);
}

function resolveGroup(item: ClientsItem, networks: NetworkTable, servers: readonly Server[], diags: Diagnostics, peerSets: Map<string, AddressSet>): GroupWithoutMediaPeers | undefined {
  const name = item.network.text;
  const net = lookupNetwork(item.network, networks, diags);
  const stmts = firstOfEach(item.statements, `clients ${name}`, diags);
  const serverStmt = stmts.get('server') as Stmt<'server'> | undefined;
  const featuresStmt = stmts.get('features') as Stmt<'features'> | undefined;

  if (!serverStmt) diags.reportMissing(item, 'MSGR034', `clients ${name} do not say which server they use`, 'add `server NAME via tls`');
  // Clients without a server choice (an error) may be meant to use any listener: none is "unused".
  if (!serverStmt) diags.unknown.chosen.add('*');
  // A statement of the block that failed to parse may have set anything the block lacks.
  const incomplete = diags.failedIn(item);
  if (!featuresStmt) diags.reportMissing(item, 'MSGR034', `clients ${name} enable no features`, 'add e.g. `features im, presence`');

  const server = serverStmt && resolveServerChoice(serverStmt, name, networks, servers, diags);
  const features = featuresStmt ? resolveFeatures(featuresStmt, name, diags) : [];
  const featuresKnown = !featuresStmt || features.length === new Set(featuresStmt.features.map((f) => f.text)).size;
  const software = resolveSoftware(stmts.get('client') as Stmt<'client'> | undefined, diags);
  const withMedia = usesMedia({ features });
  const tcpMode = server?.transport === 'tcp';

  const sipStmt = stmts.get('sip-dynamic-ports') as Stmt<'sip-dynamic-ports'> | undefined;
  const mediaStmt = stmts.get('media-ports') as Stmt<'media-ports'> | undefined;
  const sip = groupPolicyRange(sipStmt?.range, 'SIP dynamic range', sipMinimum, diags);
  const media = groupPolicyRange(mediaStmt?.range, 'media range', mediaMinimum, diags);

  if (sip && media && sipStmt && mediaStmt && overlaps(sip, media)) {
    diags.report('MSGR026', mediaStmt.range.at, `media range ${media.from}-${media.to} overlaps the SIP dynamic range ${sip.from}-${sip.to} (line ${sipStmt.at.line})`, 'give SIP and media separate ranges');
  }
  if (media && mediaStmt && withMedia && media.to - media.from + 1 < RECOMMENDED_MEDIA_PORTS) {
    diags.report('MSGR027', mediaStmt.range.at, `media range ${media.from}-${media.to} has ${media.to - media.from + 1} ports; later Communicator releases want at least ${RECOMMENDED_MEDIA_PORTS}`, `widen it, e.g. ${media.from}-${media.from + RECOMMENDED_MEDIA_PORTS - 1}`);
  }
  if (tcpMode && !sipStmt && !incomplete) {
    diags.report('MSGR028', serverStmt!.at, `clients ${name} use SIP over TCP but set no SIP dynamic range: the server's notifications may arrive on any port 1024-65535, so the firewall must open all of them`, 'add `sip dynamic ports 7000-7099`; the .reg output sets MinSipDynamicPort/MaxSipDynamicPort to match');
  }
  if (withMedia && !mediaStmt && featuresStmt && !incomplete) {
    diags.report('MSGR028', featuresStmt.at, `clients ${name} use audio/video but set no media range: RTP may use any port 1024-65535, so the firewall must open all of them`, 'add `media ports 50000-50039`; the .reg output sets MinMediaPort/MaxMediaPort to match');
  }
  if (sipStmt && server && !tcpMode && !incomplete) {
    diags.report('MSGR035', sipStmt.at, `the SIP dynamic range matters only over TCP; clients ${name} use TLS, so it opens nothing`, 'remove it, or use `via tcp` if the clients really listen for notifications');
  }
  if (mediaStmt && featuresStmt && !withMedia && featuresKnown && !incomplete) {
    diags.report('MSGR035', mediaStmt.at, `media ports matter only for audio and video, which clients ${name} do not enable`, 'remove it, or add audio/video to the features');
  }
  if (sipStmt && tcpMode && software === 'communicator') {
    diags.report('MSGR029', sipStmt.at, 'Office Communicator does not honour MinSipDynamicPort/MaxSipDynamicPort (KB 903056: listed in the ADM file, but they do not work)', 'use TLS, which needs no inbound SIP range');
  }

  const peersStmt = stmts.get('peers') as Stmt<'peers'> | undefined;
  let peers = net ? { name, set: net.set, origin: origin(item.at, `clients ${name}`) } : undefined;
  if (peersStmt) {
    const found: NamedSet[] = [];
    for (const p of peersStmt.networks) {
      const n = lookupNetwork(p, networks, diags);
      if (n) found.push(n);
    }
    const peerName = found.map((n) => n.name).join('+');
    let set = peerSets.get(peerName);
    if (!set) {
      set = found.reduce((acc, n) => union(acc, n.set), emptySet());
      peerSets.set(peerName, set);
    }
    peers = { name: peerName, set, origin: origin(peersStmt.at, `clients ${name}: peers ${names(peersStmt.networks)}`) };
  }

  if (net && server && families(intersect(familyMask(net.set), familyMask(server.set))).length === 0 && !isEmpty(net.set)) {
    diags.report('MSGR043', serverStmt!.at, `clients ${name} and server ${server.name} share no address family (IPv4 vs IPv6): they can never connect`, 'give the server an address of the clients\' family');
  }

  if (!net || !server || !peers) return undefined;
  return {
    ...net,
    origin: origin(item.at, `clients ${name}`),
    server,
    features,
    software,
    sipRange: rangeOrFallback(sip, sipStmt, serverStmt!, `clients ${name}: sip dynamic ports`),
    mediaRange: rangeOrFallback(media, mediaStmt, featuresStmt ?? serverStmt!, `clients ${name}: media ports`),
    peers,
  };
}

/** Every address of each family the set has: used to ask "do these share a family?". */
function familyMask(set: ReturnType<typeof emptySet>) {
  const all = (bits: bigint) => [{ first: 0n, last: (1n << bits) - 1n }];
  return { v4: set.v4.length ? all(32n) : [], v6: set.v6.length ? all(128n) : [] };
}

function groupPolicyRange(lit: PortRangeLit | undefined, what: string, min: (from: number) => number, diags: Diagnostics) {
  return lit ? checkGroupPolicyRange(lit, what, min, diags) : undefined;
}

function rangeOrFallback(
  range: { from: number; to: number } | undefined,
  stmt: { at: { line: number; column: number } } | undefined,
  fallbackAt: { at: { line: number; column: number } },
  text: string,
): GroupPolicyRange {
  if (range && stmt) return { range, explicit: true, origin: origin(stmt.at, `${text} ${range.from}-${range.to}`) };
  return { range: FALLBACK, explicit: false, origin: origin(fallbackAt.at, `${text} not set: ${FALLBACK.from}-${FALLBACK.to}`) };
}

function resolveServerChoice(stmt: Stmt<'server'>, group: string, networks: NetworkTable, servers: readonly Server[], diags: Diagnostics) {
  const server = servers.find((s) => s.name === stmt.server.text);
  const chosen = diags.unknown.chosen;
  // Without the server, the choice may have meant any of them: no listener is reported as unused.
  if (!server) chosen.add('*');
  // A server whose block failed (to parse, or its network to resolve) is already reported.
  if (!server && !diags.unknown.servers.has(stmt.server.text)) {
    if (networks.has(stmt.server.text)) {
      diags.report('MSGR033', stmt.server.at, `'${stmt.server.text}' is a network but has no server block`, `add: server ${stmt.server.text} { sip tls }`);
    } else {
      diags.reportMisspelt('MSGR010', stmt.server, `unknown server '${stmt.server.text}'`, diags.nearestName(stmt.server.text, servers.length, () => servers.map((s) => s.name)), 'declare it with a network and a server block');
    }
  }
  const transport = stmt.transport.text;
  if (!isTransport(transport)) {
    diags.reportMisspelt('MSGR037', stmt.transport, `unknown SIP transport '${transport}'`, nearest(transport, ['tls', 'tcp']), 'use tls or tcp');
    if (server) chosen.add(`${server.name}/*`);
    return undefined;
  }
  if (!server) return undefined;
  const listener = server.listeners.find((l) => l.transport === transport);
  if (!listener) {
    // The clients meant this server; which of its listeners is the mistake is not known.
    chosen.add(`${server.name}/*`);
    // A `sip` statement of the server that failed may have offered it.
    if (diags.unknown.listenersOf.has(server.name)) return undefined;
    const offered = server.listeners.map((l) => l.transport).join(', ') || 'nothing';
    diags.report('MSGR030', stmt.transport.at, `clients ${group} connect via ${transport}, but server ${server.name} offers ${offered}`, `add \`sip ${transport}\` to server ${server.name}, or use a transport it offers`);
    return undefined;
  }
  chosen.add(`${server.name}/${transport}`);
  return { name: server.name, set: server.set, transport, port: listener.port, origin: origin(stmt.at, `clients ${group}: server ${server.name} via ${transport}`) };
}

function resolveFeatures(stmt: Stmt<'features'>, group: string, diags: Diagnostics) {
  const out: { name: Feature; origin: ReturnType<typeof origin> }[] = [];
  for (const f of stmt.features) {
    if (!(FEATURES as readonly string[]).includes(f.text)) {
      diags.reportMisspelt('MSGR020', f, `unknown feature '${f.text}'`, nearest(f.text, FEATURES), `features are: ${FEATURES.join(', ')}`);
      continue;
    }
    if (out.some((x) => x.name === f.text)) continue; // a repeat is harmless
    out.push({ name: f.text as Feature, origin: { ...origin(f.at, `clients ${group}: features ${f.text}`), feature: f.text as Feature } });
  }
  return out;
}

function resolveSoftware(stmt: Stmt<'client'> | undefined, diags: Diagnostics): ClientSoftware {
  if (!stmt) return 'messenger';
  const s = stmt.software.text;
  if ((CLIENT_SOFTWARE as readonly string[]).includes(s)) return s as ClientSoftware;
  diags.reportMisspelt('MSGR037', stmt.software, `unknown client software '${s}'`, nearest(s, CLIENT_SOFTWARE), `use ${CLIENT_SOFTWARE.join(' or ')}`);
  return 'messenger';
}
