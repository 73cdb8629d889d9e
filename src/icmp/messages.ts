/**
 * The ICMP messages a policy may name, with their type numbers in each family: ICMPv4 from RFC
 * 792 (echo, timestamp, errors), RFC 1256 (router discovery) and RFC 950 (address mask); ICMPv6
 * from RFC 4443 (echo, errors) and RFC 4861 (neighbour and router discovery); the numbers as the
 * IANA registries "ICMP Type Numbers" and "ICMPv6 Parameters" list them.
 *
 * A plain rule decides only messages that open an exchange: a firewall tracks a query and lets
 * its reply back (conntrack's ICMP tracker creates a connection for the echo, timestamp, address
 * mask and information requests, nf_conntrack_proto_icmp.c `valid_new`; pf keeps state for ICMP
 * queries, pf.c `pf_icmp_mapping`; Windows Firewall is stateful). Replies come back as return
 * traffic, errors as traffic related to a connection (and the preamble accepts the errors path
 * MTU discovery needs), neighbour and router discovery are the preamble's (hosts) and never
 * forwarded: a rule naming one of those could decide nothing, so the policy may not name it.
 * The address mask and information requests are deprecated (RFC 6918): nothing answers them.
 */
export type IcmpFamily = 4 | 6;

/** One ICMP message, by name: the types it has in ICMPv4 and ICMPv6 (one of them may lack it). */
export interface IcmpType {
  name: string;
  v4?: number;
  v6?: number;
}

export interface IcmpMessage extends IcmpType {
  /** A query a rule decides, or why no rule can decide this message and what to write instead. */
  rule: 'opens' | { why: string; instead: string };
}

const REPLY = (query: string) => ({
  why: `it is the reply to ${query}: return traffic, which every firewall lets back once the ${query} passed`,
  instead: `allow the ${query} from the other side`,
});
const ERROR = {
  why: 'it is an ICMP error: those about an accepted connection pass as return traffic, and every firewall accepts this type anyway (path MTU discovery)',
  instead: 'remove it: nothing needs to allow or deny ICMP errors',
};
const DISCOVERY = {
  why: 'it is neighbour or router discovery: link-local, accepted on hosts by every firewall (hop limit 255) and never forwarded',
  instead: 'remove it',
};
const DEPRECATED = {
  why: 'it is deprecated (RFC 6633, RFC 6918): nothing sends or answers it',
  instead: 'remove it; a default deny drops it',
};

export const ICMP_MESSAGES: readonly IcmpMessage[] = [
  { name: 'echo-request', v4: 8, v6: 128, rule: 'opens' },
  { name: 'timestamp-request', v4: 13, rule: 'opens' },
  { name: 'echo-reply', v4: 0, v6: 129, rule: REPLY('echo-request') },
  { name: 'timestamp-reply', v4: 14, rule: REPLY('timestamp-request') },
  { name: 'destination-unreachable', v4: 3, v6: 1, rule: ERROR },
  { name: 'packet-too-big', v6: 2, rule: ERROR },
  { name: 'time-exceeded', v4: 11, v6: 3, rule: ERROR },
  { name: 'parameter-problem', v4: 12, v6: 4, rule: ERROR },
  {
    name: 'redirect',
    v4: 5,
    v6: 137,
    rule: { why: "it is a router's redirect about a connection: it passes as traffic related to that connection or not at all", instead: 'remove it' },
  },
  { name: 'router-solicitation', v4: 10, v6: 133, rule: DISCOVERY },
  { name: 'router-advertisement', v4: 9, v6: 134, rule: DISCOVERY },
  { name: 'neighbour-solicitation', v6: 135, rule: DISCOVERY },
  { name: 'neighbour-advertisement', v6: 136, rule: DISCOVERY },
  { name: 'source-quench', v4: 4, rule: DEPRECATED },
  { name: 'address-mask-request', v4: 17, rule: DEPRECATED },
  { name: 'address-mask-reply', v4: 18, rule: DEPRECATED },
  { name: 'information-request', v4: 15, rule: DEPRECATED },
  { name: 'information-reply', v4: 16, rule: DEPRECATED },
];

/** The messages a rule decides: what `icmp` with no type matches. */
export const OPENING_ICMP: readonly IcmpType[] = ICMP_MESSAGES.filter((m) => m.rule === 'opens').map(({ name, v4, v6 }) => typeOf(name, v4, v6));

function typeOf(name: string, v4: number | undefined, v6: number | undefined): IcmpType {
  const t: IcmpType = { name };
  if (v4 !== undefined) t.v4 = v4;
  if (v6 !== undefined) t.v6 = v6;
  return t;
}

export const icmpMessage = (name: string): IcmpMessage | undefined => ICMP_MESSAGES.find((m) => m.name === name);

/** The type number of a message in a family, when it has one there. */
export const icmpNumber = (t: IcmpType, family: IcmpFamily): number | undefined => (family === 4 ? t.v4 : t.v6);

/** The opening message of a family with this number (what a packet to explain may be). */
export const openingByNumber = (family: IcmpFamily, type: number): IcmpType | undefined => OPENING_ICMP.find((t) => icmpNumber(t, family) === type);

/** The reply type to an opening message's type (echo 8 -> 0, 128 -> 129; timestamp 13 -> 14). */
export function replyNumber(family: IcmpFamily, type: number): number {
  const query = openingByNumber(family, type);
  const reply = query && ICMP_MESSAGES.find((m) => m.name === query.name.replace(/-request$/, '-reply'));
  const n = reply && icmpNumber(reply, family);
  if (n === undefined) throw new Error(`no reply type for ICMPv${family === 4 ? 4 : 6} type ${type}`);
  return n;
}

/** A message limited to some families (`icmpv6 echo-request`: IPv6 only); undefined when none is left. */
export function inFamilies(t: IcmpType, families: readonly IcmpFamily[]): IcmpType | undefined {
  const v4 = families.includes(4) ? t.v4 : undefined;
  const v6 = families.includes(6) ? t.v6 : undefined;
  return v4 === undefined && v6 === undefined ? undefined : typeOf(t.name, v4, v6);
}
