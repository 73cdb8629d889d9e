/**
 * The statements of the language, where each may stand, and what each means (README, "The
 * language"): for completion and for hovering over a keyword.
 */
export type BlockKind = 'top' | 'deployment' | 'server' | 'clients' | 'firewall';

export interface StatementDoc {
  /** The words that start it, as completion offers them. */
  label: string;
  doc: string;
}

export const STATEMENTS: Record<BlockKind, StatementDoc[]> = {
  top: [{ label: 'deployment', doc: 'the deployment: every statement of the policy stands in its block' }],
  deployment: [
    { label: 'description', doc: 'free text about the deployment, in double quotes (\\" and \\\\ are the only escapes)' },
    { label: 'network', doc: 'names addresses: `network NAME = ADDRESS|CIDR|NAME, …`; `any` is every IPv4 and IPv6 address' },
    { label: 'server', doc: 'the SIP server on a network and its listeners: `server NET { sip tls }`' },
    { label: 'clients', doc: "the Messenger clients on a network: their server, features, Group Policy port ranges and peers" },
    { label: 'firewall', doc: 'a firewall: where it stands (`on NET` or `between NET and NET`), its targets, defaults and plain rules' },
  ],
  server: [{ label: 'sip', doc: 'a SIP listener: `sip tls [port N]` (default 5061/tcp) or `sip tcp [port N]` (default 5060/tcp, clear text: warned)' }],
  clients: [
    { label: 'server', doc: 'required: the server and transport these clients use, `server SERVER via tls|tcp`' },
    { label: 'features', doc: 'what the clients use: im, presence, whiteboard, application-sharing, file-transfer, audio, video' },
    { label: 'sip dynamic ports', doc: 'Group Policy MinSipDynamicPort-MaxSipDynamicPort: where the server connects back in TCP mode' },
    { label: 'media ports', doc: 'Group Policy MinMediaPort-MaxMediaPort: the RTP/RTCP range of audio and video' },
    { label: 'peers', doc: 'whom the peer-to-peer features reach (default: the clients themselves)' },
    { label: 'client', doc: '`messenger` (default) or `communicator` (which ignores the SIP dynamic port policy)' },
  ],
  firewall: [
    { label: 'on', doc: 'a host firewall on every machine of the network: rules from the host\'s point of view' },
    { label: 'between', doc: 'a gateway between two zones, `between NET and NET`: it filters forwarded traffic crossing from one to the other' },
    { label: 'targets', doc: 'the targets to compile for: nftables, iptables, netsh, pf' },
    { label: 'default', doc: 'inbound (host) or forwarded (gateway) traffic no rule decides: deny (the default) or accept' },
    { label: 'outbound', doc: "a host's outbound traffic no rule decides: accept (the default) or deny" },
    { label: 'log denied', doc: 'a rate-limited log of what the default drops' },
    { label: 'allow', doc: 'a plain rule, before Messenger\'s: `allow tcp|udp [PORTS] from NET [to NET]`' },
    { label: 'deny', doc: 'a plain rule, before Messenger\'s: `deny tcp|udp [PORTS] from NET [to NET]`' },
  ],
};

/** The values a word after these keywords takes. */
export const VALUES = {
  transport: ['tls', 'tcp'],
  target: ['nftables', 'iptables', 'netsh', 'pf'],
  verdict: ['deny', 'accept'],
  protocol: ['tcp', 'udp'],
  client: ['messenger', 'communicator'],
} as const;

/** Every keyword's meaning, for hover: a statement's first word, and the words inside statements. */
export const KEYWORDS: Record<string, string> = {
  ...Object.fromEntries(Object.values(STATEMENTS).flat().map((s) => [s.label.split(' ')[0]!, s.doc])),
  server: 'in the deployment, the SIP server of a network (`server NET { … }`); in a clients block, the server and transport the clients use (`server SERVER via tls|tcp`)',
  deny: 'a plain rule that drops (`deny tcp|udp …`), or the verdict of a default',
  via: 'the SIP transport the clients use: tls (5061/tcp) or tcp (5060/tcp, clear text)',
  tls: 'SIP over TLS: the client connects to the server, and everything comes back over that connection',
  tcp: 'TCP: as a SIP transport, clear text, and the server connects back to the clients\' SIP dynamic ports',
  udp: 'UDP',
  from: "a plain rule's source network",
  to: "a plain rule's destination network",
  and: 'the second zone of a gateway',
  port: "a SIP listener's port",
  ports: 'a port range MIN-MAX',
  dynamic: 'the SIP dynamic port range (TCP mode)',
  media: 'the RTP/RTCP media port range (audio, video)',
  accept: 'the verdict that lets traffic through',
  denied: '`log denied`: log what the default drops',
  any: 'every IPv4 and IPv6 address',
  messenger: 'Windows Messenger (the default client)',
  communicator: 'Office Communicator: it ignores the SIP dynamic port policy (warned)',
  nftables: 'target nftables: `<firewall>.nft`, one table per firewall',
  iptables: 'target iptables: `<firewall>.rules.v4`, `.rules.v6` and `.ipset` for iptables-restore',
  netsh: 'target netsh: `<firewall>.cmd` for Windows Firewall and the clients\' `.reg` (hosts only)',
  pf: 'target pf: `<firewall>.pf.conf`, an anchor',
};
