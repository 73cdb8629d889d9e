import { describe, expect, it } from 'vitest';
import type { IrFirewall } from '../../src/ir/types.js';
import { firewallOf, groups, irOf, policy } from '../helpers.js';

/** A rule in one line: `direction proto src>dst sport>dport action`. */
function show(fw: IrFirewall): string[] {
  const ports = (p?: { ranges: { from: number; to: number }[] }) => p?.ranges.map((r) => (r.from === r.to ? r.from : `${r.from}-${r.to}`)).join(',') ?? '*';
  return fw.rules.map((r) => `${r.direction} ${r.protocol} ${r.src ?? '*'}>${r.dst ?? '*'} ${ports(r.srcPorts)}>${ports(r.dstPorts)} ${r.action} v${r.families.join('')}`);
}

const networks = 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24\n  network adm = 10.9.0.0/24';
const clients = 'server srv via tls\n    features im, whiteboard\n    peers cl, pt';

describe('a host firewall (on NET)', () => {
  it('on the server: input from the clients to the SIP port, nothing else', () => {
    const p = policy({ networks, clients, firewalls: 'firewall h {\n    on srv\n    targets nftables\n  }' });
    expect(show(firewallOf(p, 'h'))).toEqual(['input tcp cl>* *>5061 accept v46']);
  });

  it('on the clients: peer connections in from every peer; no rule for the TLS connection out', () => {
    const p = policy({ networks, clients, firewalls: 'firewall h {\n    on cl\n    targets nftables\n  }' });
    expect(show(firewallOf(p, 'h'))).toEqual(['input tcp cl_pt>* *>1503 accept v46']);
  });

  it('with outbound deny: output rules for what the host opens', () => {
    const p = policy({ networks, clients, firewalls: 'firewall h {\n    on cl\n    targets nftables\n    outbound deny\n  }' });
    expect(show(firewallOf(p, 'h'))).toEqual([
      'output tcp *>srv *>5061 accept v46',
      'input tcp cl_pt>* *>1503 accept v46',
      'output tcp *>cl_pt *>1503 accept v46',
    ]);
    expect(firewallOf(p, 'h').policy).toEqual({ input: 'drop', output: 'drop' });
  });

  it('matches the local address when the host network is only partly inside an endpoint', () => {
    const p = policy({
      networks: 'network cl = 10.20.0.0/16\n  network srv = 10.1.1.10\n  network site = 10.20.0.0/15',
      clients: 'server srv via tls\n    features whiteboard',
      firewalls: 'firewall h {\n    on site\n    targets nftables\n  }',
    });
    const fw = firewallOf(p, 'h');
    // Only the hosts of `site` that are clients accept peer connections (the local side is matched).
    expect(show(fw)).toEqual(['input tcp cl>cl *>1503 accept v4']);
    expect(fw.addressSets.find((s) => s.name === 'cl')?.ipv4).toEqual(['10.20.0.0/16']);
  });

  it('puts plain rules first: from is inbound, to is outbound', () => {
    const p = policy({ networks, clients, firewalls: 'firewall h {\n    on srv\n    targets nftables\n    allow tcp 22 from adm\n    deny udp 53 to pt\n  }' });
    expect(show(firewallOf(p, 'h'))).toEqual([
      'input tcp adm>* *>22 accept v4',
      'output udp *>pt *>53 drop v4',
      'input tcp cl>* *>5061 accept v46',
    ]);
  });
});

describe('a gateway (between A and B)', () => {
  it('forwards only flows that cross, in both directions, only in families both sides have', () => {
    const p = policy({ networks, clients, firewalls: 'firewall g {\n    between cl and pt\n    targets nftables\n  }' });
    expect(show(firewallOf(p, 'g'))).toEqual(['forward tcp cl>pt *>1503 accept v4', 'forward tcp pt>cl *>1503 accept v4']);
  });

  it('keeps the client-server flow off a gateway the server is not behind', () => {
    const p = policy({ networks, clients: 'server srv via tls\n    features im', firewalls: 'firewall g {\n    between cl and pt\n    targets nftables\n  }' });
    const ir = irOf(p);
    expect(ir.firewalls[0]?.rules).toEqual([]);
  });

  it('sees the client-server flow when it sits between them', () => {
    const p = policy({ networks, clients: 'server srv via tls\n    features im', firewalls: 'firewall g {\n    between cl and srv\n    targets nftables\n  }' });
    expect(show(firewallOf(p, 'g'))).toEqual(['forward tcp cl>srv *>5061 accept v46']);
  });

  it('gets the rules it gets alone when other gateways of the policy sit between the same zones, or part of them', () => {
    const gateway = (name: string, zones: string) => `firewall ${name} {\n    between ${zones}\n    targets nftables\n  }`;
    const zones = ['cl and pt', 'pt and cl', 'cl and srv', 'cl and pt', 'srv and pt'];
    const together = irOf(policy({ networks, clients, firewalls: zones.map((z, i) => gateway(`g${i}`, z)).join('\n  ') }));
    // Everything but the firewall's own lines, which move with the firewalls before it.
    const rules = ({ rules, addressSets, portSets }: IrFirewall) => ({ rules, addressSets, portSets });
    zones.forEach((z, i) => {
      const alone = firewallOf(policy({ networks, clients, firewalls: gateway(`g${i}`, z) }), `g${i}`);
      expect(rules(together.firewalls[i]!)).toEqual(rules(alone));
    });
    expect(show(together.firewalls[3]!)).toEqual(['forward tcp cl>pt *>1503 accept v4', 'forward tcp pt>cl *>1503 accept v4']);
  });
});

describe('the optimiser', () => {
  it('merges rules that differ only in ports, and drops rules an earlier one covers', () => {
    const p = policy({ networks, clients: 'server srv via tls\n    features whiteboard, application-sharing, file-transfer\n    peers pt', firewalls: 'firewall g {\n    between cl and pt\n    targets nftables\n  }' });
    expect(show(firewallOf(p, 'g'))).toEqual([
      'forward tcp cl>pt *>1503,6891-6900 accept v4',
      'forward tcp pt>cl *>1503,6891-6900 accept v4',
    ]);
  });

  it('limits a plain rule to traffic between the zones: a left-out end is the other zone', () => {
    const p = policy({ networks, clients, firewalls: 'firewall g {\n    between cl and pt\n    targets nftables\n    deny tcp 22 from pt\n    allow udp 53 to pt\n    deny tcp 25 from any\n  }' });
    expect(show(firewallOf(p, 'g')).slice(0, 4)).toEqual([
      'forward tcp pt>cl *>22 drop v4',
      'forward udp cl>pt *>53 accept v4',
      'forward tcp cl>pt *>25 drop v4',
      'forward tcp pt>cl *>25 drop v4',
    ]);
  });

  it('never moves a rule past one with another verdict', () => {
    const p = policy({
      networks,
      clients: 'server srv via tls\n    features whiteboard\n    peers pt',
      firewalls: 'firewall g {\n    between cl and pt\n    targets nftables\n    allow tcp 1503 from pt to cl\n    deny tcp 1503 from pt\n  }',
    });
    expect(show(firewallOf(p, 'g'))).toEqual([
      'forward tcp pt>cl *>1503 accept v4',
      'forward tcp pt>cl *>1503 drop v4',
      'forward tcp cl>pt *>1503 accept v4',
      'forward tcp pt>cl *>1503 accept v4',
    ]);
  });
});

describe('media between clients blocks with their own ranges', () => {
  const firewalls = 'firewall gw {\n    between a and b\n    targets nftables\n  }\n  firewall bh {\n    on b\n    targets nftables\n    outbound deny\n  }';

  it('a gateway between them forwards each call from the caller\'s range to the callee\'s', () => {
    expect(show(firewallOf(groups({ extra: firewalls }), 'gw'))).toEqual([
      'forward udp a>b 50000-50007>52000-52007 accept v46',
      'forward udp b>a 52000-52007>50000-50007 accept v46',
    ]);
  });

  it("a host firewall on b takes calls from a into b's range and places calls from b's range into a's", () => {
    expect(show(firewallOf(groups({ extra: firewalls }), 'bh')).filter((r) => r.includes(' udp '))).toEqual([
      'input udp a>* 50000-50007>52000-52007 accept v46',
      'output udp *>a 52000-52007>50000-50007 accept v46',
      'input udp b>* 52000-52007>52000-52007 accept v46',
      'output udp *>b 52000-52007>52000-52007 accept v46',
    ]);
  });
});
