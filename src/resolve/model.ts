import type { AddressSet } from '../addresses/set.js';
import type { SourcePosition } from '../diagnostics/diagnostic.js';
import type { IrTarget } from '../ir/types.js';

/** The resolved policy: names looked up, addresses normalised, defaults applied, constraints checked. */
export const TRANSPORTS = ['tls', 'tcp'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const FEATURES = ['im', 'presence', 'whiteboard', 'application-sharing', 'file-transfer', 'audio', 'video'] as const;
export type Feature = (typeof FEATURES)[number];

export const CLIENT_SOFTWARE = ['messenger', 'communicator'] as const;
export type ClientSoftware = (typeof CLIENT_SOFTWARE)[number];

export const PROTOCOLS = ['tcp', 'udp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type Verdict = 'accept' | 'drop';

export interface PortRange {
  from: number;
  to: number;
}

/** A policy statement a rule can be traced back to. `text` holds only identifiers and numbers. */
export interface Origin extends SourcePosition {
  text: string;
}

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
  software: ClientSoftware;
}

export type Placement =
  | { kind: 'host'; on: NamedSet; origin: Origin }
  | { kind: 'gateway'; a: NamedSet; b: NamedSet; origin: Origin };

export interface PlainRule {
  action: Verdict;
  protocol: Protocol;
  /** Destination ports; empty means every port. */
  ports: PortRange[];
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
  /** Outbound on a host; a gateway has none. */
  outboundVerdict: Verdict;
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
