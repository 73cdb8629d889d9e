/**
 * The intermediate representation every target reads: one document per policy, one firewall
 * per enforcement point, rules in first-match order. `schema.json` beside this file is
 * generated from these types (`npm run schema`) and a test keeps the two in step.
 */
export interface IrDocument {
  irVersion: 1;
  /** @pattern ^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$ */
  deployment: string;
  /** Free text from the policy: targets must escape it wherever it appears. */
  description?: string;
  /** The policy's file name (base name only), for comments. */
  source: string;
  firewalls: IrFirewall[];
  /** The Group Policy PortRange values each client population must have (for netsh's .reg). */
  groupPolicy: IrGroupPolicy[];
  /**
   * The policy's servers and clients blocks, in policy order: what a picture of the deployment
   * (`msgrfw graph`) draws beside the firewalls. No target reads them: the rules say it all.
   */
  servers: IrServer[];
  clients: IrClients[];
}

/**
 * Every target a firewall can be compiled for: the one list of their names (`src/ir/targets.ts`
 * lists them at run time, and the target registry is a complete record over it).
 */
export type IrTarget = 'nftables' | 'iptables' | 'netsh' | 'pf';
export type IrVerdict = 'accept' | 'drop';
export type IrDirection = 'input' | 'output' | 'forward';
/** `icmp` is ICMPv4 in IPv4 and ICMPv6 in IPv6; an ICMP rule's messages are in `icmpTypes`. */
export type IrProtocol = 'tcp' | 'udp' | 'icmp';
export type IrFamily = 4 | 6;

export interface IrFirewall {
  /**
   * A policy identifier: letters, digits, `_` and inner `-`.
   * @pattern ^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$
   */
  name: string;
  placement: IrPlacement;
  targets: IrTarget[];
  /**
   * Verdict for traffic no rule matches, per direction. A host has input and output (all
   * traffic of the host). A gateway has forward only, and it applies to traffic from one of its
   * zones to another; forwarded traffic between none of them gets the placement's `others`.
   */
  policy: IrPolicy;
  /** Where each direction's verdict in `policy` comes from (the same directions). */
  policyOrigins: IrPolicyOrigins;
  logDenied: boolean;
  /**
   * Rules every target puts before the policy's own, in this order:
   * `loopback` (host: accept traffic on lo), `established` (accept return traffic of accepted
   * connections), `invalid` (drop packets conntrack cannot place), `icmp` (ICMPv4
   * destination-unreachable, time-exceeded, parameter-problem; ICMPv6 the same plus
   * packet-too-big, and on hosts neighbour/router discovery) so path-MTU discovery and IPv6 work.
   */
  preamble: IrPreamble[];
  addressSets: IrAddressSet[];
  portSets: IrPortSet[];
  rules: IrRule[];
  origin: IrOrigin;
  /** The firewall's `targets` statement: where a target's refusal or approximation points. */
  targetsOrigin: IrOrigin;
}

export type IrPreamble = 'loopback' | 'established' | 'invalid' | 'icmp';

/**
 * Where the firewall sits. `set`/`zones` name entries of `addressSets` holding the host
 * network's or the zones' addresses, so targets and evaluators need no name heuristics.
 * `origin` is the `on` or `between` statement.
 */
export type IrPlacement =
  | { kind: 'host'; on: string; set: string; origin: IrOrigin }
  | IrGatewayPlacement;

/**
 * A gateway between two or more disjoint zones: `between[i]` is the policy's name of the zone
 * whose addresses are the set `zones[i]`. The firewall's rules and its `forward` default judge
 * traffic from any zone to any other. `others` is the verdict for forwarded traffic between
 * none of them (within one zone, or to or from a network that is no zone): `accept` leaves it
 * to whatever else filters the machine, `drop` makes this firewall the whole forward policy.
 */
export interface IrGatewayPlacement {
  kind: 'gateway';
  /** @minItems 2 */
  between: string[];
  /** @minItems 2 */
  zones: string[];
  others: IrVerdict;
  /** The `others` statement, or the firewall's line when the policy leaves it out (accept). */
  othersOrigin: IrSettingOrigin;
  origin: IrOrigin;
}

export interface IrPolicy {
  input?: IrVerdict;
  output?: IrVerdict;
  forward?: IrVerdict;
}

export interface IrPolicyOrigins {
  input?: IrSettingOrigin;
  output?: IrSettingOrigin;
  forward?: IrSettingOrigin;
}

/**
 * The statement a firewall-wide setting comes from: `default` (host input, gateway forward) or
 * `outbound` (host output). When the policy leaves it out, `written` is false and `origin` is
 * the firewall's own line.
 */
export interface IrSettingOrigin {
  origin: IrOrigin;
  written: boolean;
}

export interface IrAddressSet {
  /**
   * Unique in the firewall; lower-case letters, digits and `_`, at most 24 characters.
   * @pattern ^[a-z][a-z0-9_]{0,23}$
   */
  name: string;
  /**
   * The policy networks it stands for (an intersection names both, joined by `&`; a union
   * joins them with `+`), or the addresses a rule writes inline (`10.10.99.0/24`).
   * @pattern ^[A-Za-z0-9_&+./:-]+$
   */
  stands: string;
  /** Minimal CIDR blocks, sorted; a host is written without a prefix length. */
  ipv4: string[];
  ipv6: string[];
}

export interface IrPortRange {
  /**
   * @asType integer
   * @minimum 1
   * @maximum 65535
   */
  from: number;
  /**
   * @asType integer
   * @minimum 1
   * @maximum 65535
   */
  to: number;
}

export interface IrPortSet {
  /**
   * Unique in the firewall; lower-case letters, digits and `_`, at most 24 characters.
   * @pattern ^[a-z][a-z0-9_]{0,23}$
   */
  name: string;
  ranges: IrPortRange[];
}

export interface IrPorts {
  /** Sorted, disjoint, non-adjacent. */
  ranges: IrPortRange[];
  /** The port set with exactly these ranges, for targets that name them. */
  set?: string;
}

export interface IrRule {
  /**
   * Stable within the firewall: `r1`, `r2`, … in rule order.
   * @pattern ^r[1-9][0-9]*$
   */
  id: string;
  direction: IrDirection;
  action: IrVerdict;
  protocol: IrProtocol;
  /** The address families the rule applies to (both sides must have addresses of the family). */
  families: IrFamily[];
  /** Address set names; absent means any address. */
  src?: string;
  dst?: string;
  srcPorts?: IrPorts;
  dstPorts?: IrPorts;
  /**
   * Present exactly for an ICMP rule: the messages it matches (the opening ones of
   * src/icmp/messages.ts), each with its type number in the rule's families.
   * @minItems 1
   */
  icmpTypes?: IrIcmpType[];
  origins: IrOrigin[];
  /**
   * The catalog entries a Messenger rule implements (several when the optimiser merged rules),
   * in order of first appearance; absent for a plain rule.
   * @minItems 1
   */
  catalog?: string[];
  /**
   * A one-line comment for the rule; identifiers, numbers and harmless punctuation only, at most 120 characters (nft's comment limit is 128).
   * @pattern ^[A-Za-z0-9 _.,:/&+()=-]{0,120}$
   */
  comment: string;
}

/** An ICMP message by name, with its type in ICMPv4 (`v4`) and ICMPv6 (`v6`) where it has one there. */
export interface IrIcmpType {
  /** @pattern ^[a-z]+(-[a-z]+)*$ */
  name: string;
  /**
   * @asType integer
   * @minimum 0
   * @maximum 255
   */
  v4?: number;
  /**
   * @asType integer
   * @minimum 0
   * @maximum 255
   */
  v6?: number;
}

export interface IrOrigin {
  /**
   * @asType integer
   * @minimum 1
   */
  line: number;
  /**
   * @asType integer
   * @minimum 1
   */
  column: number;
  /**
   * The statement, rebuilt from identifiers and numbers (never raw policy text).
   * @pattern ^[A-Za-z0-9 _.,:/&+()=-]*$
   */
  text: string;
}

/** A `server NET` block: its network and the SIP listeners it offers. */
export interface IrServer {
  /** @pattern ^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$ */
  name: string;
  /** Minimal CIDR blocks, sorted, as in an address set. */
  ipv4: string[];
  ipv6: string[];
  listeners: IrSipListener[];
  origin: IrOrigin;
}

export interface IrSipListener {
  transport: 'tls' | 'tcp';
  /**
   * @asType integer
   * @minimum 1
   * @maximum 65535
   */
  port: number;
}

/** A `clients NET` block: its network, the server it uses and the features it enables. */
export interface IrClients {
  /** @pattern ^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$ */
  name: string;
  ipv4: string[];
  ipv6: string[];
  /** @pattern ^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$ */
  server: string;
  transport: 'tls' | 'tcp';
  /** In policy order. */
  features: IrFeature[];
  origin: IrOrigin;
}

export type IrFeature = 'im' | 'presence' | 'whiteboard' | 'application-sharing' | 'file-transfer' | 'audio' | 'video';

export interface IrGroupPolicy {
  clients: string;
  transport: 'tls' | 'tcp';
  /** Absent when the policy leaves the range unset (fallback 1024-65535). */
  sipDynamic?: IrPortRange;
  media?: IrPortRange;
  /** Whether the SIP range matters: TCP mode only. */
  sipNeeded: boolean;
  /** Whether the media range matters: audio or video enabled. */
  mediaNeeded: boolean;
}
