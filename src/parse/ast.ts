import type { SourcePosition } from '../diagnostics/diagnostic.js';

/** The syntax tree exactly as written. Every node keeps where it stands, for diagnostics and rule comments. */
export interface Located {
  at: SourcePosition;
}

/** A `{ … }` block: where it closes, so diagnostics can tell which block a line belongs to. */
export interface Block extends Located {
  end: SourcePosition;
}

export interface Name extends Located {
  text: string;
}

export interface NumberLit extends Located {
  value: number;
  text: string;
}

export interface PortRangeLit extends Located {
  from: NumberLit;
  /** Absent for a single port. */
  to?: NumberLit;
}

export type AddressOrName =
  | ({ kind: 'address' } & Name)
  | ({ kind: 'name' } & Name);

export interface Deployment extends Block {
  name: Name;
  items: Item[];
}

export type Item = DescriptionItem | NetworkItem | ServerItem | ClientsItem | FirewallItem;

export interface DescriptionItem extends Located {
  kind: 'description';
  /** The string with its escapes undone. */
  text: string;
}

export interface NetworkItem extends Located {
  kind: 'network';
  name: Name;
  members: AddressOrName[];
}

export interface ServerItem extends Block {
  kind: 'server';
  network: Name;
  listeners: SipListenerStmt[];
}

export interface SipListenerStmt extends Located {
  kind: 'sip';
  transport: Name;
  port?: NumberLit;
}

export interface ClientsItem extends Block {
  kind: 'clients';
  network: Name;
  statements: ClientsStmt[];
}

export type ClientsStmt =
  | (Located & { kind: 'server'; server: Name; transport: Name })
  | (Located & { kind: 'features'; features: Name[] })
  | (Located & { kind: 'sip-dynamic-ports'; range: PortRangeLit })
  | (Located & { kind: 'media-ports'; range: PortRangeLit })
  | (Located & { kind: 'peers'; networks: Name[] })
  | (Located & { kind: 'client'; software: Name });

export interface FirewallItem extends Block {
  kind: 'firewall';
  name: Name;
  statements: FirewallStmt[];
}

export type FirewallStmt =
  | (Located & { kind: 'on'; network: Name })
  /** `between A, B and C`: the zones in policy order (two or more). */
  | (Located & { kind: 'between'; zones: Name[] })
  | (Located & { kind: 'targets'; targets: Name[] })
  | (Located & { kind: 'default'; action: Name })
  | (Located & { kind: 'outbound'; action: Name })
  | (Located & { kind: 'others'; action: Name })
  | (Located & { kind: 'log-denied' })
  | PlainRuleStmt;

export interface PlainRuleStmt extends Located {
  kind: 'rule';
  action: Name;
  protocol: Name;
  ports: PortRangeLit[];
  /** The names written after the protocol: ICMP types (`allow icmp echo-request from …`). */
  types: Name[];
  /** Networks and addresses written inline, as in a `network` statement; absent: any. */
  from?: AddressOrName[];
  to?: AddressOrName[];
}
