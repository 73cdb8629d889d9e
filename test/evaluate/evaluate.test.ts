import { describe, expect, it } from 'vitest';
import { directionsOf, evaluate } from '../../src/evaluate/evaluate.js';
import { packetText, parsePacket, toPacket, type Packet } from '../../src/evaluate/packet.js';
import { firewallViews, type FirewallView } from '../../src/evaluate/view.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnosticsOf, EXAMPLES, irOf, ROOT } from '../helpers.js';

const contoso = firewallViews(irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text));
const branch = firewallViews(irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text));
const fw = (views: FirewallView[], name: string) => views.find((v) => v.ir.name === name)!;

function packet(text: string): Packet {
  const r = parsePacket(text);
  if (!r.ok) throw new Error(r.problem);
  return r.packet;
}

describe('parsePacket', () => {
  it('reads IPv4 and bracketed IPv6 endpoints and writes them back the same way', () => {
    for (const text of ['tcp 10.20.0.5:51000 -> 198.51.100.7:1503', 'udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061']) {
      expect(packetText(packet(text))).toBe(text);
    }
    expect(packet('udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061')).toEqual({
      protocol: 'udp', family: 6, src: 0x20010db8002000000000000000000005n, sport: 50000, dst: 0x20010db8000100000000000000000010n, dport: 5061,
    });
    expect(packet('  tcp   10.0.0.1:1->10.0.0.2:2 ')).toMatchObject({ sport: 1, dport: 2 });
  });

  it('names what is wrong with a malformed packet', () => {
    const problems: [string, RegExp][] = [
      ['tcp 10.0.0.1:1 10.0.0.2:2', /write it as "tcp\|udp SRC:PORT -> DST:PORT"/],
      ['icmp 10.0.0.1:1 -> 10.0.0.2:2', /write it as "icmp TYPE SRC -> DST"/],
      ['icmp ping 10.0.0.1 -> 10.0.0.2', /unknown ICMP type 'ping': explain one that opens an exchange \(echo-request, timestamp-request\)/],
      ['icmp echo-request 10.0.0.1:1 -> 10.0.0.2', /source '10\.0\.0\.1:1' is not an IPv4 or IPv6 address \(an ICMP message has no port\)/],
      ['icmp echo-reply 10.0.0.1 -> 10.0.0.2', /not the opening packet of anything: it is the reply to echo-request/],
      ['icmp timestamp-request 2001:db8::1 -> 2001:db8::2', /timestamp-request has no ICMPv6 type/],
      ['icmp echo-request 10.0.0.1 -> 2001:db8::2', /IPv4 and the destination IPv6/],
      ['sctp 10.0.0.1:1 -> 10.0.0.2:2', /unknown protocol 'sctp': use tcp, udp or icmp/],
      ['TCP 10.0.0.1:1 -> 10.0.0.2:2', /unknown protocol 'TCP'/],
      ['tcp 10.0.0.1 -> 10.0.0.2:2', /source '10\.0\.0\.1' is not ADDRESS:PORT/],
      ['tcp 2001:db8::1:5 -> 10.0.0.2:2', /IPv6 address goes in brackets/],
      ['tcp 10.0.0.1:0 -> 10.0.0.2:2', /source port '0' is not a port number 1-65535/],
      ['tcp 10.0.0.1:1 -> 10.0.0.2:65536', /destination port '65536'/],
      ['tcp 10.0.0.1:+1 -> 10.0.0.2:2', /source port '\+1'/],
      ['tcp 10.0.0.1:1 -> [2001:db8::2]:2', /IPv4 and the destination IPv6/],
      ['tcp 10.0.0.0/8:1 -> 10.0.0.2:2', /not an IPv4 or IPv6 address/],
      ['tcp [fe80::1%eth0]:1 -> [fe80::2]:2', /no zone id/],
      ['tcp [10.0.0.1]:1 -> 10.0.0.2:2', /only IPv6 addresses go in brackets/],
      ['tcp 999.0.0.1:1 -> 10.0.0.2:2', /not an IPv4 or IPv6 address/],
    ];
    for (const [text, problem] of problems) {
      const r = parsePacket(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.problem, text).toMatch(problem);
    }
  });

  it('reads an ICMP query by type, IPv6 bare or in brackets, and writes it back', () => {
    expect(packet('icmp echo-request 10.50.0.5 -> 10.1.1.10')).toEqual({ protocol: 'icmp', icmpType: 8, family: 4, src: 0x0a320005n, dst: 0x0a01010an });
    expect(packet('icmp echo-request [2001:db8:50::5] -> 2001:db8:1::10')).toMatchObject({ icmpType: 128, family: 6 });
    expect(packetText(packet('icmp timestamp-request 10.50.0.5 -> 10.1.1.10'))).toBe('icmp timestamp-request 10.50.0.5 -> 10.1.1.10');
    expect(packetText(packet('icmp echo-request [2001:db8:50::5] -> 2001:db8:1::10'))).toBe('icmp echo-request 2001:db8:50::5 -> 2001:db8:1::10');
  });

  it('builds packets from numbers or text', () => {
    expect(toPacket({ protocol: 'tcp', src: '10.0.0.1', sport: 1, dst: 0x0a000002n, dport: 2 })).toMatchObject({ family: 4, dst: 0x0a000002n });
    expect(() => toPacket({ protocol: 'tcp', src: '10.0.0.1', sport: 1, dst: '2001:db8::1', dport: 2 })).toThrow(/different families/);
  });
});

describe('evaluate: ICMP queries', () => {
  const monitored = firewallViews(irOf(readFileSync(join(ROOT, 'test/kernel/fixtures/monitored.msgr'), 'utf8')));
  const srv = fw(monitored, 'srv-host');

  it('matches an ICMP rule by type and family, first match, then the default; never as return traffic', () => {
    expect(evaluate(srv, packet('icmp echo-request 10.50.0.5 -> 10.1.1.10'))).toMatchObject([{ direction: 'input', verdict: 'accept', decidedBy: { kind: 'rule', rule: { protocol: 'icmp' } } }]);
    expect(evaluate(srv, packet('icmp echo-request 2001:db8:50::5 -> 2001:db8:1::10'))).toMatchObject([{ verdict: 'accept' }]);
    expect(evaluate(srv, packet('icmp echo-request 10.50.0.66 -> 10.1.1.10'))).toMatchObject([{ verdict: 'drop', decidedBy: { kind: 'rule', rule: { action: 'drop' } } }]);
    expect(evaluate(srv, packet('icmp timestamp-request 10.50.0.5 -> 10.1.1.10'))).toMatchObject([{ verdict: 'drop', decidedBy: { kind: 'policy', direction: 'input' } }]);
    // The server pings out (outbound accept): its own echo request never makes an inbound one "return traffic".
    expect(evaluate(srv, packet('icmp echo-request 10.20.0.5 -> 10.1.1.10'))).toMatchObject([{ verdict: 'drop', decidedBy: { kind: 'policy' } }]);
    expect(evaluate(srv, packet('icmp echo-request 10.1.1.10 -> 10.20.0.5'))).toMatchObject([{ direction: 'output', verdict: 'accept' }]);
  });
});

describe('an IPv4 host written as IPv6 (MSGR018)', () => {
  const site = (attacker: string) =>
    `deployment d {\n  network h = 10.0.0.0/24\n  network attacker = ${attacker}\n  firewall f {\n    on h\n    targets nftables\n    default accept\n    outbound deny\n    deny tcp 22 from attacker\n  }\n}\n`;

  it('is refused, and the IPv4 form its hint gives makes the deny drop the IPv4 packet from that host', () => {
    const refused = diagnosticsOf(site('::ffff:203.0.113.7')).filter((d) => d.severity === 'error');
    expect(refused).toMatchObject([{ code: 'MSGR018', hint: 'write 203.0.113.7' }]);
    const fixed = site(refused[0]!.hint!.replace(/^write /, ''));
    const [e] = evaluate(firewallViews(irOf(fixed))[0]!, packet('tcp 203.0.113.7:40000 -> 10.0.0.5:22'));
    expect(e).toMatchObject({ verdict: 'drop', decidedBy: { kind: 'rule', rule: { id: 'r1' } } });
  });
});

describe('evaluate', () => {
  it('accepts a peer feature crossing the gateway by the rule that opens it', () => {
    const [e] = evaluate(fw(contoso, 'edge'), packet('tcp 10.20.0.5:51000 -> 198.51.100.7:1503'));
    expect(e).toMatchObject({ firewall: 'edge', direction: 'forward', verdict: 'accept', decidedBy: { kind: 'rule', rule: { id: 'r1', catalog: ['t120', 'file-transfer'] } } });
  });

  it('applies rules first-match: the plain deny before the Messenger allow', () => {
    const gw = fw(branch, 'branch-gw');
    const [denied] = evaluate(gw, packet('tcp 203.0.113.7:40000 -> 10.30.0.5:6899'));
    expect(denied).toMatchObject({ verdict: 'drop', decidedBy: { kind: 'rule', rule: { action: 'drop' } } });
    expect(denied!.decidedBy.kind === 'rule' && denied!.decidedBy.origins[0]!.text).toMatch(/deny tcp 6899-6900 from vendors to staff/);
    const [allowed] = evaluate(gw, packet('tcp 10.30.0.5:40000 -> 203.0.113.7:6899'));
    expect(allowed).toMatchObject({ verdict: 'accept', decidedBy: { kind: 'rule', rule: { catalog: ['file-transfer'] } } });
  });

  it('falls to the direction policy when no rule matches, and tells return traffic apart', () => {
    const gw = fw(contoso, 'edge');
    // 6901 opens nothing either way: dropped, and its reverse is dropped too.
    const [e] = evaluate(gw, packet('tcp 10.20.0.5:51000 -> 198.51.100.7:6901'));
    expect(e).toMatchObject({ verdict: 'drop', decidedBy: { kind: 'policy', direction: 'forward', verdict: 'drop' } });
    // The partner answering a T.120 connection the client opened: only as return traffic.
    const [reply] = evaluate(gw, packet('tcp 198.51.100.7:1503 -> 10.20.0.5:51000'));
    expect(reply).toMatchObject({
      verdict: 'return-only',
      decidedBy: {
        kind: 'return-traffic',
        direction: 'forward',
        rule: { id: 'r1' },
        openedBy: { kind: 'rule' },
        asNewConnection: { kind: 'policy', direction: 'forward' },
        reverse: { src: 0x0a140005n, sport: 51000, dst: 0xc6336407n, dport: 1503 },
      },
    });
  });

  it('sees a host firewall packet as input at the receiver and output at the sender', () => {
    const desktop = fw(contoso, 'desktop');
    const p = packet('tcp 10.20.0.6:40000 -> 10.20.0.5:1503');
    expect(directionsOf(desktop, p)).toEqual(['input', 'output']);
    expect(evaluate(desktop, p).map((e) => [e.direction, e.verdict])).toEqual([['input', 'accept'], ['output', 'accept']]);
    // The server's reply to a client's TLS connection passes input only as return traffic, opened by the output policy.
    const [reply] = evaluate(desktop, packet('tcp 10.1.1.10:5061 -> 10.20.0.5:51000'));
    expect(reply).toMatchObject({ direction: 'input', verdict: 'return-only', decidedBy: { openedBy: { kind: 'policy', direction: 'output', verdict: 'accept' } } });
  });

  it('checks the address family of a rule', () => {
    // desktop's ssh rule is from admins (IPv4 only): an IPv6 ssh from a client opens nothing
    // (it passes only as the reply to a connection the host itself opened from port 22).
    const [e] = evaluate(fw(contoso, 'desktop'), packet('tcp [2001:db8:20::6]:40000 -> [2001:db8:20::5]:22'));
    expect(e).toMatchObject({ direction: 'input', verdict: 'return-only', decidedBy: { asNewConnection: { kind: 'policy', direction: 'input' } } });
  });

  it('does not judge traffic outside its placement', () => {
    const [host] = evaluate(fw(contoso, 'lcs-host'), packet('tcp 10.20.0.5:1 -> 198.51.100.7:2'));
    expect(host).toMatchObject({ verdict: 'not-seen', decidedBy: { kind: 'not-seen', reason: expect.stringMatching(/neither address is in lcs/) } });
    const gw = fw(contoso, 'edge');
    const elsewhere = packet('tcp 192.0.2.9:40000 -> 10.20.0.5:1503');
    expect(evaluate(gw, elsewhere)).toMatchObject([{ verdict: 'not-seen' }]);
    // Even when it is known to be forwarded through the gateway: only zone-to-zone traffic is judged.
    expect(evaluate(gw, elsewhere, { direction: 'forward' })).toMatchObject([{ verdict: 'not-seen', direction: 'forward' }]);
    expect(evaluate(gw, packet('tcp 10.20.0.5:40000 -> 10.20.0.1:22'), { direction: 'input' })).toMatchObject([{ verdict: 'not-seen', direction: 'input' }]);
    expect(evaluate(fw(contoso, 'desktop'), packet('tcp 10.20.0.5:40000 -> 198.51.100.7:22'), { direction: 'forward' })).toMatchObject([{ verdict: 'not-seen' }]);
  });

  it('denies outbound by rule order on a host with outbound deny', () => {
    const pc = fw(branch, 'staff-pc');
    expect(evaluate(pc, packet('udp 10.30.0.5:40000 -> 192.0.2.53:53'))).toMatchObject([{ direction: 'output', verdict: 'accept' }]);
    expect(evaluate(pc, packet('tcp 10.30.0.5:40000 -> 192.0.2.53:53'))).toMatchObject([{ direction: 'output', verdict: 'drop', decidedBy: { kind: 'policy', direction: 'output' } }]);
  });
});
