import type { AddressSet } from '../addresses/set.js';
import type { SourcePosition } from '../diagnostics/diagnostic.js';
import type { IcmpType } from '../icmp/messages.js';
import type { IrTarget } from '../ir/types.js';

/** The resolved policy: names looked up, addresses normalised, defaults applied, constraints checked. */
export const TRANSPORTS = ['tls', 'tcp'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const FEATURES = ['im', 'presence', 'whiteboard', 'application-sharing', 'file-transfer', 'audio', 'video'] as const;
export type Feature = (typeof FEATURES)[number];

export const CLIENT_SOFTWARE = ['messenger', 'communicator'] as const;
export type ClientSoftware = (typeof CLIENT_SOFTWARE)[number];

/** What Messenger's flows use. */
export const PROTOCOLS = ['tcp', 'udp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * What a plain rule may name: `icmp` is ICMPv4 for IPv4 and ICMPv6 for IPv6 (the family follows
 * from the addresses, as for tcp and udp); `icmpv4` and `icmpv6` keep to one family.
 */
export const RULE_PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv4', 'icmpv6'] as const;
/** A rule's protocol once resolved: an `icmpv4`/`icmpv6` rule is an `icmp` rule of one family. */
export type RuleProtocol = Protocol | 'icmp';

export type Verdict = 'accept' | 'drop';

export interface PortRange {
  from: number;
  to: number;
}

/**
 * A policy statement a rule can be traced back to. `text` holds only identifiers and numbers:
 * `BLOCK: STATEMENT` for a statement inside a block (`clients staff: media ports 50000-50059`).
 */
export interface Origin extends SourcePosition {
  text: string;
  /** For an entry of a `features` statement: the feature (rule comments name the features behind a rule). */
  feature?: Feature;
}

/** The statement of an origin without the block it stands in. */
export const statementText = (o: Origin): string => {
  const cut = o.text.indexOf(': ');
  return cut < 0 ? o.text : o.text.slice(cut + 2);
};

export interface NamedSet {
  name: string;
  set: AddressSet;
}

export interface SipListener {
  transport: Transport;
  port: number;
  origin: Origin;
}

export interface Server extends NamedSet {
  listeners: SipListener[];
  origin: Origin;
}

export interface GroupPolicyRange {
  range: PortRange;
  /** False when the policy left it out and the 1024-65535 fallback applies. */
  explicit: boolean;
  origin: Origin;
}

export interface ClientGroup extends NamedSet {
  origin: Origin;
  server: NamedSet & { transport: Transport; port: number; origin: Origin };
  features: { name: Feature; origin: Origin }[];
  sipRange: GroupPolicyRange;
  mediaRange: GroupPolicyRange;
  peers: NamedSet & { origin: Origin };
  /**
   * The peers a call (audio, video) can reach, by the media range their machines use; empty
   * when the clients enable neither. See `resolveMediaPeers`.
   */
  mediaPeers: MediaPeers[];
  software: ClientSoftware;
}

/** A part of a clients block's peers whose machines use one media range. */
export interface MediaPeers extends NamedSet {
  range: PortRange;
  /**
   * The clients blocks whose range it is, in policy order; for peers in no clients block, the
   * block that names them (their range is assumed to be its own).
   */
  owners: string[];
  /** The `media ports` statements (or their fallbacks) the range comes from. */
  origins: Origin[];
}

export type Placement =
  | { kind: 'host'; on: NamedSet; origin: Origin }
  /**
   * Two or more disjoint zones, in policy order. `others` is the verdict for forwarded traffic
   * between none of them (within one zone, or to and from networks that are no zone).
   */
  | { kind: 'gateway'; zones: NamedSet[]; others: Verdict; othersOrigin?: Origin; origin: Origin };

export interface PlainRule {
  action: Verdict;
  protocol: RuleProtocol;
  /** Destination ports; empty means every port. */
  ports: PortRange[];
  /** An ICMP rule's messages, each with its types in the families the rule covers. */
  icmpTypes?: IcmpType[];
  from?: NamedSet;
  to?: NamedSet;
  origin: Origin;
}

export interface Firewall {
  name: string;
  origin: Origin;
  placement: Placement;
  targets: IrTarget[];
  /** The `targets` statement. */
  targetsOrigin: Origin;
  /** Inbound on a host, forwarded on a gateway. */
  defaultVerdict: Verdict;
  /** The `default` statement; absent when the policy leaves it out. */
  defaultOrigin?: Origin;
  /** Outbound on a host; a gateway has none. */
  outboundVerdict: Verdict;
  /** The `outbound` statement; absent when the policy leaves it out. */
  outboundOrigin?: Origin;
  logDenied: boolean;
  rules: PlainRule[];
}

export interface Model {
  /** The policy's file name as given (used only in comments and diagnostics). */
  file: string;
  deployment: string;
  description?: string;
  networks: Map<string, NamedSet & { origin: Origin }>;
  servers: Server[];
  clients: ClientGroup[];
  firewalls: Firewall[];
}
