import { diagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { evaluate, type Evaluation } from '../evaluate/evaluate.js';
import { packetText, parsePacket, type Packet } from '../evaluate/packet.js';
import { firewallView } from '../evaluate/view.js';
import { policyOrigin } from '../explain/explain.js';
import type { IrFirewall, IrOrigin } from '../ir/types.js';

/**
 * The lock-out guard: applied from an SSH session, a firewall must still accept the next SSH
 * login from where that session comes from. The session itself would survive (every firewall
 * accepts established traffic first), but the next login, or the one after a dropped
 * connection, would not. The packet is evaluated as explain evaluates one (src/evaluate): as
 * input on a host (its chains judge every packet to the machine), as forwarded traffic on a
 * gateway only when it goes from one of its zones to the other (a login to the gateway itself
 * is not forwarded).
 */
export interface SshConnection {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
}

/** `SSH_CONNECTION` ("client_ip client_port server_ip server_port"), or why it cannot be read. */
export function parseSshConnection(value: string): { ok: true; connection: SshConnection; packet: Packet } | { ok: false; problem: string } {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 4) return { ok: false, problem: `SSH_CONNECTION is '${value}', not "client_ip client_port server_ip server_port"` };
  // sshd writes IPv4 clients of an IPv6 socket as ::ffff:a.b.c.d, and link-local addresses with a zone.
  const address = (a: string) => a.replace(/%.*$/, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  const [client, clientPort, server, serverPort] = [address(fields[0]!), fields[1]!, address(fields[2]!), fields[3]!];
  const endpoint = (a: string, p: string) => `${a.includes(':') ? `[${a}]` : a}:${p}`;
  const parsed = parsePacket(`tcp ${endpoint(client, clientPort)} -> ${endpoint(server, serverPort)}`);
  if (!parsed.ok) return { ok: false, problem: `SSH_CONNECTION '${value}': ${parsed.problem}` };
  return { ok: true, connection: { client, clientPort: Number(clientPort), server, serverPort: Number(serverPort) }, packet: parsed.packet };
}

export type GuardResult =
  | { kind: 'accepted'; packet: Packet; by: string }
  | { kind: 'not-filtered'; packet: Packet; reason: string }
  | { kind: 'locked-out'; packet: Packet; diagnostic: Diagnostic };

/** Whether the firewall accepts a new login over the session's path (see the top of the file). */
export function checkLockOut(fw: IrFirewall, file: string, connection: SshConnection, packet: Packet): GuardResult {
  const view = firewallView(fw);
  const [e] = evaluate(view, packet, { direction: view.zones.kind === 'host' ? 'input' : 'forward' });
  if (!e || e.verdict === 'not-seen') {
    return { kind: 'not-filtered', packet, reason: e?.decidedBy.kind === 'not-seen' ? e.decidedBy.reason : 'the firewall does not filter this packet' };
  }
  const decided = deciding(fw, e);
  if (e.verdict === 'accept') return { kind: 'accepted', packet, by: decided.text };
  const where = view.zones.kind === 'host' ? `to ${connection.server} port ${connection.serverPort}` : `through the gateway to ${connection.server} port ${connection.serverPort}`;
  return {
    kind: 'locked-out',
    packet,
    diagnostic: diagnostic(
      'MSGR080',
      file,
      decided.origin,
      `applied from this SSH session (SSH_CONNECTION: from ${connection.client} port ${connection.clientPort} ${where}), firewall ${fw.name} would drop the next SSH login: ${packetText(packet)} is dropped by ${decided.text}`,
      `add \`allow tcp ${connection.serverPort} from ${connection.client}\` (or from the network you administer from) to firewall ${fw.name}; or apply with --force if this session is not how the machine is reached (the session itself survives as established traffic, new logins do not)`,
    ),
  };
}

/** The rule or default that decides the packet, and the policy line behind it. */
function deciding(fw: IrFirewall, e: Evaluation): { text: string; origin: IrOrigin } {
  const d = e.decidedBy.kind === 'return-traffic' ? e.decidedBy.asNewConnection : e.decidedBy;
  if (d.kind === 'rule') return { text: `rule ${d.rule.id} (line ${d.origins.map((o) => o.line).join(', ')})`, origin: d.origins[0] ?? fw.origin };
  if (d.kind === 'policy') {
    const setting = policyOrigin(fw, d.direction);
    return { text: `the ${d.direction} default (${d.verdict === 'drop' ? 'deny' : 'accept'}${setting.written ? '' : ', left out of the policy'})`, origin: setting.origin };
  }
  return { text: 'nothing', origin: fw.origin };
}
