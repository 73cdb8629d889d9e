import type { ServerItem } from '../parse/ast.js';
import { nearest } from '../diagnostics/suggest.js';
import { type Diagnostics, origin } from './context.js';
import { lookupNetwork, type NetworkTable } from './networks.js';
import { checkPort } from './ranges.js';
import { type Server, type SipListener, type Transport, TRANSPORTS } from './model.js';

/** KB 903056: the server listens on 5061 for TLS and 5060 for clear TCP unless told otherwise. */
export const DEFAULT_SIP_PORT: Record<Transport, number> = { tls: 5061, tcp: 5060 };

export function resolveServers(items: readonly ServerItem[], networks: NetworkTable, diags: Diagnostics): Server[] {
  const servers: Server[] = [];
  const seen = new Map<string, ServerItem>();
  for (const item of items) {
    const name = item.network.text;
    const first = seen.get(name);
    if (first) {
      diags.report('MSGR011', item.network.at, `server '${name}' is declared twice (first at line ${first.at.line})`, 'put all its sip statements in one block');
      continue;
    }
    seen.set(name, item);
    const net = lookupNetwork(item.network, networks, diags);
    const listeners: SipListener[] = [];
    for (const l of item.listeners) {
      const transport = l.transport.text;
      if (!isTransport(transport)) {
        diags.reportMisspelt('MSGR037', l.transport, `unknown SIP transport '${transport}'`, nearest(transport, TRANSPORTS), 'use tls or tcp');
        diags.unknown.listenersOf.add(name);
        continue;
      }
      const port = l.port ? checkPort(l.port, diags) : DEFAULT_SIP_PORT[transport];
      if (port === undefined) {
        diags.unknown.listenersOf.add(name);
        continue;
      }
      const sameTransport = listeners.find((x) => x.transport === transport);
      if (sameTransport) {
        diags.report('MSGR034', l.at, `'sip ${transport}' given twice in server ${name} (first at line ${sameTransport.origin.line})`, 'keep one of them');
        continue;
      }
      const samePort = listeners.find((x) => x.port === port);
      if (samePort) {
        diags.report('MSGR036', l.at, `sip ${transport} and sip ${samePort.transport} both listen on ${port}/tcp`, `give one of them another port, e.g. sip ${transport} port ${DEFAULT_SIP_PORT[transport]}`);
        continue;
      }
      if (transport === 'tcp') {
        diags.report('MSGR032', l.at, `server ${name} offers SIP in clear text on ${port}/tcp`, 'KB 903056 recommends TLS: use `sip tls` and have clients connect `via tls`');
      }
      listeners.push({ transport, port, origin: origin(l.at, `server ${name}: sip ${transport} port ${port}`) });
    }
    if (diags.failedIn(item)) diags.unknown.listenersOf.add(name);
    if (listeners.length === 0 && item.listeners.length === 0) {
      diags.reportMissing(item, 'MSGR034', `server ${name} has no 'sip' statement`, 'add `sip tls` (listens on 5061/tcp)');
    }
    if (net) servers.push({ ...net, listeners, origin: origin(item.at, `server ${name}`) });
    else diags.unknown.servers.add(name);
  }
  return servers;
}

export const isTransport = (t: string): t is Transport => (TRANSPORTS as readonly string[]).includes(t);
