import type { Family } from './normalize.js';

/**
 * ICMP type names as each tool writes them, to type numbers, for the readers' normal form (a
 * tuple's `icmpTypes` are decimal type numbers). Written from the tools' own manuals, not from
 * the compiler's tables (a reader that shared them would agree with their mistakes): nft(8)
 * "ICMP TYPE TYPE" and "ICMPV6 TYPE TYPE"; `iptables -p icmp -h`, `ip6tables -p ipv6-icmp -h`;
 * pf.conf(5) "ICMP TYPES" and "ICMP6 TYPES". netsh and iptables-save write numbers.
 */
const NFT: Record<Family, Record<string, number>> = {
  4: {
    'echo-reply': 0, 'destination-unreachable': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8, 'router-advertisement': 9,
    'router-solicitation': 10, 'time-exceeded': 11, 'parameter-problem': 12, 'timestamp-request': 13, 'timestamp-reply': 14,
    'info-request': 15, 'info-reply': 16, 'address-mask-request': 17, 'address-mask-reply': 18,
  },
  6: {
    'destination-unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3, 'parameter-problem': 4, 'echo-request': 128, 'echo-reply': 129,
    'mld-listener-query': 130, 'mld-listener-report': 131, 'mld-listener-done': 132, 'mld-listener-reduction': 132, 'nd-router-solicit': 133,
    'nd-router-advert': 134, 'nd-neighbor-solicit': 135, 'nd-neighbor-advert': 136, 'nd-redirect': 137, 'router-renumbering': 138,
    'ind-neighbor-solicit': 141, 'ind-neighbor-advert': 142, 'mld2-listener-report': 143,
  },
};

const IPTABLES: Record<Family, Record<string, number>> = {
  4: {
    'echo-reply': 0, pong: 0, 'destination-unreachable': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8, ping: 8,
    'router-advertisement': 9, 'router-solicitation': 10, 'time-exceeded': 11, 'ttl-exceeded': 11, 'parameter-problem': 12,
    'timestamp-request': 13, 'timestamp-reply': 14, 'address-mask-request': 17, 'address-mask-reply': 18,
  },
  6: {
    'destination-unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3, 'ttl-exceeded': 3, 'parameter-problem': 4, 'echo-request': 128,
    ping: 128, 'echo-reply': 129, pong: 129, 'router-solicitation': 133, 'router-advertisement': 134, 'neighbour-solicitation': 135,
    'neighbor-solicitation': 135, 'neighbour-advertisement': 136, 'neighbor-advertisement': 136, redirect: 137,
  },
};

const PF: Record<Family, Record<string, number>> = {
  4: {
    echorep: 0, unreach: 3, squench: 4, redir: 5, althost: 6, echoreq: 8, routeradv: 9, routersol: 10, timex: 11, paramprob: 12,
    timereq: 13, timerep: 14, inforeq: 15, inforep: 16, maskreq: 17, maskrep: 18, trace: 30, dataconv: 31, mobredir: 32,
    'ipv6-where': 33, 'ipv6-here': 34, mobregreq: 35, mobregrep: 36, skip: 39, photuris: 40,
  },
  6: {
    unreach: 1, toobig: 2, timex: 3, paramprob: 4, echoreq: 128, echorep: 129, groupqry: 130, listqry: 130, grouprep: 131, listenrep: 131,
    groupterm: 132, listendone: 132, routersol: 133, routeradv: 134, neighbrsol: 135, neighbradv: 136, redir: 137, routrrenum: 138,
    wrureq: 139, fqdnreq: 139, niqry: 139, wrurep: 140, fqdnrep: 140, nirep: 140, mtraceresp: 200, mtrace: 201,
  },
};

const TABLES = { nft: NFT, iptables: IPTABLES, pf: PF };

/** A type as a tool writes it (a name of its own, or a number 0-255) → its number, as text. */
export function icmpTypeNumber(tool: keyof typeof TABLES, family: Family, text: string): string {
  if (/^[0-9]{1,3}$/.test(text) && Number(text) <= 255) return String(Number(text));
  const n = TABLES[tool][family][text];
  if (n === undefined) throw new Error(`${tool}: ${text} is not an ICMP${family === 6 ? 'v6' : ''} type`);
  return String(n);
}

/**
 * The ICMP messages that open an exchange both conntrack and pf track (nf_conntrack_proto_icmp.c
 * and nf_conntrack_proto_icmpv6.c `valid_new`; pf.c `pf_icmp_mapping`) and that the probes send:
 * echo and timestamp requests (ICMPv4), echo requests (ICMPv6); each with the type of its reply.
 */
export const ICMP_QUERIES: Record<Family, { request: number; reply: number }[]> = {
  4: [{ request: 8, reply: 0 }, { request: 13, reply: 14 }],
  6: [{ request: 128, reply: 129 }],
};
