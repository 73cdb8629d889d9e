import { describe, expect, it } from 'vitest';
import type { IrDocument, IrFirewall } from '../../../src/ir/types.js';
import { pf } from '../../../targets/pf/index.js';
import { EXAMPLES, irOf, policy } from '../../helpers.js';
import { disagreements, probesFor, replyOf, type Policy, type Probe } from '../../../targets/readers/evaluate.js';
import { irPolicy, irToTuples } from '../../readers/ir.js';
import { addressIn, addressValue, normalizeAddresses } from '../../../targets/readers/normalize.js';
import { PfFilter, pfConnection, pfPath, type PfPacket } from '../../../targets/pf/readerFilter.js';
import { readPf, tokenizePf } from '../../../targets/pf/reader.js';
import { isPortTuple, tupleText, type Tuple } from '../../../targets/readers/tuple.js';

const render = (doc: IrDocument, name: string) => pf.render(doc, doc.firewalls.find((f) => f.name === name)!)[0]!.content;
const fwOf = (doc: IrDocument, name: string) => doc.firewalls.find((f) => f.name === name)!;
const contoso = () => irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'contoso.msgr');
/** A policy with one pf firewall `fw`, its statements given (placement first), and its anchor. */
const onePf = (statements: string[], networks?: string) => {
  const doc = irOf(policy({ ...(networks ? { networks } : {}), firewalls: `firewall fw {\n    targets pf\n    ${statements.join('\n    ')}\n  }` }));
  return { doc, fw: fwOf(doc, 'fw'), conf: render(doc, 'fw') };
};

const isCatchAll = (t: Tuple) => t.protocol === 'any' && t.src === 'any' && t.dst === 'any' && t.srcPorts === 'any' && t.dstPorts === 'any' && !t.iface;
const isPreamble = (t: Tuple) => t.action === 'accept' && (t.protocol === 'icmp' || t.protocol === 'icmp6' || t.iface === 'lo0');

/**
 * Reads an anchor back and checks it against the IR: the tcp/udp tuples equal irToTuples in
 * order; before them only preamble tuples (ICMP, loopback) that no tcp/udp packet off lo0
 * matches; after them the default blocks, then the default accepts (not quick: they decide
 * last); and on probes around every rule the verdicts agree with the IR's first match.
 */
function expectFaithful(fw: IrFirewall, conf: string) {
  const gateway = fw.placement.kind === 'gateway';
  const { tuples } = readPf(conf, { forward: gateway });
  const expected = irToTuples(fw);
  const rules = tuples.filter((t) => isPortTuple(t) && !t.iface);
  expect(rules.map(tupleText)).toEqual(expected.map(tupleText));
  expect(rules).toEqual(expected);

  const before = tuples.filter(isPreamble);
  const defaults = tuples.filter((t) => !isPreamble(t) && !rules.includes(t));
  const blocks = defaults.filter((t) => t.action === 'drop');
  const accepts = defaults.filter((t) => t.action === 'accept');
  expect(tuples).toEqual([...before, ...rules, ...blocks, ...accepts]);
  for (const t of before) expect(t.protocol === 'icmp' || t.protocol === 'icmp6' ? t.icmpTypes?.length : 1).toBeGreaterThan(0);
  for (const t of defaults) expect(t.protocol).toBe('any');

  const policy: Policy = {};
  if (gateway) {
    // The default names the two zones, both ways, each family they share: a block when it is
    // deny, a pass that keeps state when it is accept.
    const pairs = (list: Tuple[]) => list.map((t) => `${t.family} ${t.src}>${t.dst}`).sort();
    expect(pairs(blocks)).toEqual(fw.policy.forward === 'drop' ? zoneBlocks(fw).sort() : []);
    expect(pairs(accepts)).toEqual(fw.policy.forward === 'drop' ? [] : zoneBlocks(fw).sort());
  } else {
    for (const d of ['in', 'out'] as const) {
      const verdict = d === 'in' ? fw.policy.input : fw.policy.output;
      // Each family's catch-all: a quick block for deny, a last pass with state for accept.
      expect(blocks.filter((t) => t.direction === d).length).toBe(verdict === 'drop' ? 2 : 0);
      expect(accepts.filter((t) => t.direction === d).length).toBe(verdict === 'drop' ? 0 : 2);
      defaults.forEach((t) => expect(isCatchAll(t)).toBe(true));
      policy[d] = 'accept';
    }
  }
  policy.forward = 'accept';
  const ir = { tuples: irToTuples(fw), policy: irPolicy(fw) };
  let probes = probesFor([...ir.tuples, ...rules]);
  if (gateway) probes = probes.filter((p) => crossesZones(fw, p.family, p.src, p.dst));
  expect(disagreements(ir, { tuples, policy }, probes)).toEqual([]);
  return tuples;
}

function zoneSets(fw: IrFirewall) {
  if (fw.placement.kind !== 'gateway') throw new Error('not a gateway');
  return fw.placement.between.map((z) => fw.addressSets.find((s) => s.stands === z)!);
}

function zoneBlocks(fw: IrFirewall): string[] {
  const [a, b] = zoneSets(fw);
  const out: string[] = [];
  for (const [x, y] of [[a!, b!], [b!, a!]]) {
    for (const f of [4, 6] as const) {
      const xs = f === 4 ? x.ipv4 : x.ipv6;
      const ys = f === 4 ? y.ipv4 : y.ipv6;
      if (xs.length && ys.length) out.push(`${f} ${normalizeAddresses(xs, f)}>${normalizeAddresses(ys, f)}`);
    }
  }
  return out;
}

function crossesZones(fw: IrFirewall, family: 4 | 6, src: bigint, dst: bigint): boolean {
  const [a, b] = zoneSets(fw).map((s) => normalizeAddresses(family === 4 ? s.ipv4 : s.ipv6, family));
  const inZone = (z: string[] | 'any', x: bigint) => addressIn(z, family, x);
  return (inZone(a!, src) && inZone(b!, dst)) || (inZone(b!, src) && inZone(a!, dst));
}

describe('pf target: every firewall of every example reads back as its IR', () => {
  const cases = EXAMPLES.flatMap((e) => irOf(e.text, e.name).firewalls.map((fw) => [e.name, fw.name, e.text] as const));
  it.each(cases)('%s firewall %s', (file, name, text) => {
    const doc = irOf(text, file);
    const conf = render(doc, name);
    expectFaithful(fwOf(doc, name), conf);
    expect(render(doc, name)).toBe(conf);
    expect(conf).not.toContain('\r');
  });
});

describe('pf target: the anchor', () => {
  it('tells how to load it into its own anchor and touches nothing else', () => {
    const conf = render(contoso(), 'edge');
    expect(conf).toMatch(/^# Load: +pfctl -a msgr\/edge -f edge\.pf\.conf /m);
    expect(conf).toMatch(/^# Remove: pfctl -a msgr\/edge -F all$/m);
    // Only tables and filter rules: no options, no nested anchors, no NAT, no scrub.
    for (const line of conf.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^(table <[a-z0-9_]{1,31}> \{ .* \}$|pass |block drop )/);
    }
  });

  it('every rule is quick but the default accept, which comes last, after the default block (first match on a last-match filter)', () => {
    const conf = render(contoso(), 'desktop');
    const rules = conf.split('\n').filter((l) => /^(pass|block)/.test(l));
    expect(rules.slice(0, -1).every((l) => / quick /.test(l))).toBe(true);
    expect(rules.slice(-2)).toEqual(['block drop in quick all', 'pass out all flags S/SA keep state']);
    expect(rules.filter((l) => l.startsWith('block'))).toHaveLength(1);
  });

  it('keeps IPv6 alive on a host: ICMPv6 errors, packet-too-big, neighbour and router discovery, loopback', () => {
    const conf = render(contoso(), 'lcs-host');
    expect(conf).toContain('pass in quick inet6 proto ipv6-icmp all icmp6-type { routersol, routeradv, neighbrsol, neighbradv } no state');
    expect(conf).toContain('pass in quick inet6 proto ipv6-icmp all icmp6-type { unreach, toobig, timex, paramprob } no state');
    expect(conf).toContain('pass in quick inet proto icmp all icmp-type { unreach, timex, paramprob } no state');
    expect(conf).toContain('pass in quick on lo0 all no state');
    // Outbound is not filtered: its only rule is the default accept.
    expect(conf.match(/^pass out.*$/gm)).toEqual(['pass out all flags S/SA keep state']);
  });

  it('says what the main ruleset must and must not contain', () => {
    const conf = render(contoso(), 'desktop');
    expect(conf).toMatch(/^# Hook: +pf\.conf must evaluate this anchor for packets in both directions, with the line\n# +anchor "msgr\/\*"\n/m);
    expect(conf).toMatch(/^# +- list an interface this firewall filters in `set skip on`/m);
    expect(conf).toMatch(/^# +- match this firewall's traffic with a quick rule before the anchor line/m);
    expect(conf).toMatch(/^# +with `no state` \(its replies would find no state/m);
    expect(conf).toMatch(/^# Accept: the default accept \(outbound\) is the last rule, a pass that is not$/m);
    // With no default accept there is nothing a later rule could pass without state.
    const staff = render(irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text), 'staff-pc');
    expect(staff).not.toMatch(/no state`|^# Accept:/m);
  });

  it('one rule per family, with inet/inet6, tables shared by both', () => {
    const conf = render(contoso(), 'desktop');
    expect(conf).toContain('table <peers> { 10.20.0.0/16, 198.51.100.0/24, 2001:db8:20::/48 }');
    expect(conf).toContain('pass in quick inet proto udp from <peers> port 50000:50039 to any port 50000:50039 keep state label "desktop r3"');
    expect(conf).toContain('pass in quick inet6 proto udp from <peers> port 50000:50039 to any port 50000:50039 keep state label "desktop r3"');
    expect(conf).toContain('pass in quick inet proto tcp from <admins> to any port 22 flags S/SA keep state');
    expect(conf).not.toMatch(/inet6 proto tcp from <admins>/);
  });

  it('a rule narrower than its sets says so with inet/inet6', () => {
    const doc = contoso();
    const fw = structuredClone(fwOf(doc, 'desktop'));
    fw.rules.find((r) => r.id === 'r2')!.families = [6];
    const conf = pf.render(doc, fw)[0]!.content;
    expect(conf).not.toMatch(/pass in quick inet proto tcp from <peers>/);
    expectFaithful(fw, conf);
  });

  it('log denied logs the default block and deny rules; without it nothing logs', () => {
    const edge = render(contoso(), 'edge');
    expect(edge).toContain('block drop log quick from <clients> to <partners>');
    expect(edge).toContain('block drop log quick from <partners> to <clients>');
    expect(render(contoso(), 'desktop')).not.toMatch(/\blog\b/);
  });

  it('outbound deny: an output block and output rules', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text);
    const conf = render(doc, 'staff-pc');
    expect(conf).toMatch(/^block drop out quick all$/m);
    expect(conf).toMatch(/^pass out quick inet proto udp from any to any port 53 keep state/m);
    expectFaithful(fwOf(doc, 'staff-pc'), conf);
  });
});

describe('pf target: gateways', () => {
  it("every table leaves out the gateway's own addresses, in the table, not in a rule", () => {
    const conf = render(contoso(), 'edge');
    expect(conf).toContain('table <clients> { 10.20.0.0/16, 2001:db8:20::/48, !self }');
    expect(conf).toContain('table <partners> { 198.51.100.0/24, !self }');
    const rules = conf.split('\n').filter((l) => /^(pass|block)/.test(l));
    expect(rules.some((l) => /self|!/.test(l))).toBe(false);
    // A host's tables are as written: a host's own traffic is what it judges.
    expect(render(contoso(), 'desktop')).not.toContain('self');
  });

  it('rules name no direction (pf filters a forwarded packet in and out) and name both zones', () => {
    const conf = render(contoso(), 'edge');
    const rules = conf.split('\n').filter((l) => /^(pass|block)/.test(l));
    expect(rules.some((l) => / (in|out) /.test(l))).toBe(false);
    for (const l of rules) expect(l).toMatch(/from <(clients|partners)>.* to <(clients|partners)>/);
    expect(conf).toContain('pass quick inet proto tcp from <clients> to <partners> port { 1503, 6891:6900 } flags S/SA keep state label "edge r1"');
  });

  it('a gateway read as host rules would filter both directions: the reader refuses a directed rule as forward', () => {
    expect(() => readPf('pass in quick proto tcp from any to any port 22\n', { forward: true })).toThrowError(/half of the forwarded path/);
  });

  it('a gateway whose zones the IR gives no set for is refused, not widened', () => {
    const doc = contoso();
    const fw = structuredClone(fwOf(doc, 'edge'));
    fw.addressSets = fw.addressSets.filter((s) => s.name !== 'partners');
    expect(() => pf.render(doc, fw)).toThrowError(/^pf: the IR breaks an invariant: gateway edge: the IR has no address set for the zone partners/);
  });

  it('a plain deny before Messenger rules stays first (branch)', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text);
    const conf = render(doc, 'branch-gw');
    const rules = conf.split('\n').filter((l) => /^(pass|block)/.test(l) && !/icmp/.test(l));
    expect(rules[0]).toBe('block drop log quick inet proto tcp from <vendors> to <staff> port 6899:6900 label "branch-gw r1"');
  });
});

describe('pf target: free text cannot reach pfctl', () => {
  const NASTY = 'Pilot " & | % ^ < > $(x) `id` ; $macro { } <tbl> \\ \u00e9 \u4e2d\t\u0000\u001b[31m \u2028 ^';
  /** What pfctl's lexer sees, blank lines folded (they separate nothing). */
  const tokensOf = (conf: string) =>
    tokenizePf(conf)
      .map((t) => `${t.kind}:${t.text}`)
      .filter((t, i, all) => t !== 'nl:\n' || all[i - 1] !== 'nl:\n');

  it.each([
    ['metacharacters', NASTY],
    ['a newline and a fake rule', 'ok\npass quick all\n# '],
    ['a CR LF and a fake rule', 'ok\r\npass quick all'],
    ['a trailing backslash (pfctl joins the next line, even in a comment)', 'joins the next line \\'],
    ['a backslash before a newline', 'a \\\npass quick all'],
  ])('a description with %s', (_what, description) => {
    for (const name of ['edge', 'desktop']) {
      const doc = contoso();
      doc.description = description;
      const conf = render(doc, name);
      const plain = contoso();
      delete plain.description;
      // The description changes no token pfctl reads: it lives in one comment line.
      expect(tokensOf(conf)).toEqual(tokensOf(render(plain, name)));
      expect(conf.split('\n').length).toBe(render(plain, name).split('\n').length + 1);
      expect(conf).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029\\]/);
      for (const line of conf.split('\n')) if (line && !/^(#|table |pass |block )/.test(line)) throw new Error(`stray line ${line}`);
      expectFaithful(fwOf(doc, name), conf);
    }
  });

  it('the file name is a comment too', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'x\\\npass all.msgr');
    const conf = render(doc, 'desktop');
    expect(tokensOf(conf)).toEqual(tokensOf(render(contoso(), 'desktop')));
  });

  it('the token check is not vacuous: a backslash at the end of a comment swallows the next rule', () => {
    const base = '# comment\npass in quick all\n';
    expect(tokensOf('# comment \\\npass in quick all\n')).not.toEqual(tokensOf(base));
    expect(readPf('# comment \\\npass in quick all\n').ruleset.rules).toHaveLength(0);
  });
});

describe('pf target: policies the examples do not cover', () => {
  it('a host with a deny rule and accept default: the deny is quick, no default block', () => {
    const { doc, conf } = onePf(['on srv', 'default accept', 'deny tcp 22 from pt']);
    expect(conf).toMatch(/^block drop in quick inet proto tcp from <pt> to any port 22 label "fw r1"$/m);
    expect(conf).not.toMatch(/^block drop in quick all$/m);
    expectFaithful(fwOf(doc, 'fw'), conf);
  });

  it('the host side of a partial match is the destination table', () => {
    const { fw, conf } = onePf(['on lan', 'default deny'], 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24\n  network lan = 10.0.0.0/8');
    expect(fw.rules.some((r) => r.direction === 'input' && r.dst)).toBe(true);
    expectFaithful(fw, conf);
  });
});

describe('pf target: ICMP rules', () => {
  it("one rule per family with pf's type names, keeping state; a ping passes with its reply, the rest does not", () => {
    const { conf } = onePf(['on srv', 'default deny', 'deny icmp from 10.20.0.66', 'allow icmp echo-request from cl']);
    expect(conf).toMatch(/^block drop in quick inet proto icmp from <n_10_20_0_66> to any icmp-type \{ echoreq, timereq \} label "fw r1"$/m);
    expect(conf).toMatch(/^pass in quick inet proto icmp from <cl> to any icmp-type echoreq keep state label "fw r2"$/m);
    expect(conf).toMatch(/^pass in quick inet6 proto ipv6-icmp from <cl> to any icmp6-type echoreq keep state label "fw r2"$/m);
    const filter = PfFilter.read(conf);
    const ping = (src: string, dst: string, icmpType: number): Probe => {
      const a = addressValue(src);
      return { direction: 'in', protocol: a.family === 4 ? 'icmp' : 'icmp6', family: a.family, src: a.value, dst: addressValue(dst).value, srcPort: 0, dstPort: 0, icmpType, iface: 'em0' };
    };
    expect(pfConnection(filter, ping('10.20.0.5', '10.1.1.10', 8))).toEqual({ open: 'accept', reply: 'accept' });
    expect(pfConnection(filter, ping('2001:db8:20::5', '2001:db8:1::10', 128))).toEqual({ open: 'accept', reply: 'accept' });
    expect(pfConnection(filter, ping('10.20.0.66', '10.1.1.10', 8))).toEqual({ open: 'drop' });
    expect(pfConnection(filter, ping('10.20.0.5', '10.1.1.10', 13))).toEqual({ open: 'drop' });
    // Without `keep state`, the reply of the ping would meet the default deny.
    const stateless = PfFilter.read(conf.replace(/icmp6?-type echoreq keep state/g, (m) => m.replace('keep state', 'no state')).replace(/^block drop out.*$/m, '').concat('\nblock drop out quick all\n'));
    expect(pfConnection(stateless, ping('10.20.0.5', '10.1.1.10', 8))).toEqual({ open: 'accept', reply: 'drop' });
  });
});

describe("pf target: return traffic and the gateway's own traffic (read back with pf's state table)", () => {
  const at = (text: string) => addressValue(text).value;
  const probe = (direction: Probe['direction'], protocol: 'tcp' | 'udp', src: string, srcPort: number, dst: string, dstPort: number): Probe => {
    const family = addressValue(src).family;
    return { direction, protocol, family, src: at(src), dst: at(dst), srcPort, dstPort, iface: 'em0' };
  };
  /** Each packet of a connection's opening, then of its reply, with what decided it. */
  const trace = (conf: string, open: Probe, self: string[] = []) => {
    const session = PfFilter.read(conf, { self }).session();
    // A packet the first interface blocks never reaches the second.
    const decide = (path: PfPacket[]) => {
      const out: string[] = [];
      for (const p of path) {
        const d = session.test(p);
        out.push(`${d.action} by ${d.by === 'rule' ? `rule line ${d.rule!.line}${d.stateCreated ? ', state' : ''}` : d.by}`);
        if (d.action === 'block') break;
      }
      return out;
    };
    const first = decide(pfPath(open));
    return { open: first, reply: first.every((d) => d.startsWith('pass')) ? decide(pfPath(replyOf(open), 'SA', true)) : [] };
  };
  const lineOf = (conf: string, rule: string) => conf.split('\n').indexOf(rule) + 1;
  const without = (conf: string, rule: string) => conf.split('\n').map((l) => (l === rule ? '' : l)).join('\n');

  it("a host's default accept keeps state: the reply of a connection it opens passes by state, not by a rule", () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'branch.msgr')!.text);
    const conf = render(doc, 'pool-host');
    const accept = 'pass out all flags S/SA keep state';
    // The server, in TCP mode, connects to a client's SIP dynamic port.
    const open = probe('out', 'tcp', '10.2.2.20', 40000, '10.30.0.5', 7000);
    expect(trace(conf, open)).toEqual({ open: [`pass by rule line ${lineOf(conf, accept)}, state`], reply: ['pass by state'] });
    // pf's implicit pass would let it out without state, and the reply would meet the default block.
    const bare = without(conf, accept);
    expect(trace(bare, open)).toEqual({ open: ['pass by no rule'], reply: [`block by rule line ${lineOf(conf, 'block drop in quick all')}`] });
    // UDP alike (any protocol: the accept names none).
    expect(trace(conf, probe('out', 'udp', '2001:db8:2::20', 40000, '2001:db8:ffff::63', 53)).reply).toEqual(['pass by state']);
  });

  it('a SYN-ACK or a stray packet no state owns meets the rules: states start only from a SYN', () => {
    const conf = render(contoso(), 'desktop');
    const session = PfFilter.read(conf).session();
    const [stray] = pfPath(probe('in', 'tcp', '192.0.2.99', 443, '10.20.0.5', 40000), 'SA');
    expect(session.test(stray!)).toMatchObject({ action: 'block', by: 'rule' });
    const [ack] = pfPath(probe('out', 'tcp', '10.20.0.5', 40000, '192.0.2.99', 443), 'A');
    expect(session.test(ack!)).toMatchObject({ action: 'pass', by: 'no rule', stateCreated: false });
  });

  it('inbound accept with outbound deny: the reply of what came in goes out by state', () => {
    const { fw, conf } = onePf(['on srv', 'default accept', 'outbound deny']);
    expect(conf.split('\n').filter((l) => /^(block drop|pass) (in|out) (quick )?all/.test(l))).toEqual(['block drop out quick all', 'pass in all flags S/SA keep state']);
    const open = probe('in', 'tcp', '192.0.2.99', 40000, '10.1.1.10', 8080);
    expect(trace(conf, open).reply).toEqual(['pass by state']);
    expect(trace(without(conf, 'pass in all flags S/SA keep state'), open).reply).toEqual([`block by rule line ${lineOf(conf, 'block drop out quick all')}`]);
    expectFaithful(fw, conf);
  });

  it('the default accept is not quick: a rule after the anchor line still decides; a quick verdict stands', () => {
    // pf.conf(5): the main ruleset's rules after an anchor line are evaluated after the anchor's,
    // and the last match wins unless one was quick: modelled as rules appended to the anchor.
    const conf = render(contoso(), 'desktop');
    const later = `${conf}block out all\npass in all\n`;
    expect(trace(later, probe('out', 'tcp', '10.20.0.5', 40000, '192.0.2.99', 25)).open).toEqual([`block by rule line ${conf.split('\n').length}`]);
    expect(trace(later, probe('in', 'tcp', '192.0.2.99', 40000, '10.20.0.5', 25)).open).toEqual([`block by rule line ${lineOf(conf, 'block drop in quick all')}`]);
  });

  it('a forwarded connection makes a state on each side, and its reply passes both', () => {
    const conf = render(contoso(), 'edge');
    const r1 = lineOf(conf, 'pass quick inet proto tcp from <clients> to <partners> port { 1503, 6891:6900 } flags S/SA keep state label "edge r1"');
    expect(trace(conf, probe('forward', 'tcp', '10.20.0.5', 40000, '198.51.100.7', 1503))).toEqual({
      open: [`pass by rule line ${r1}, state`, `pass by rule line ${r1}, state`],
      reply: ['pass by state', 'pass by state'],
    });
  });

  it("a gateway leaves the router's own traffic to the main ruleset and judges what it forwards", () => {
    const conf = render(contoso(), 'edge');
    const self = ['10.20.0.1', '198.51.100.1', '2001:db8:20::1', '127.0.0.1', '::1'];
    const block = lineOf(conf, 'block drop log quick from <clients> to <partners>');
    // A client to the router's address in the partners' network: not forwarded, not judged.
    expect(trace(conf, probe('in', 'tcp', '10.20.0.5', 40000, '198.51.100.1', 22), self)).toEqual({ open: ['pass by no rule'], reply: ['pass by no rule'] });
    expect(trace(conf, probe('out', 'udp', '10.20.0.1', 40000, '198.51.100.7', 53), self).open).toEqual(['pass by no rule']);
    // The same port from the client to a partner: forwarded, denied.
    expect(trace(conf, probe('forward', 'tcp', '10.20.0.5', 40000, '198.51.100.7', 22), self).open).toEqual([`block by rule line ${block}`]);
    // Without !self, the tables hold the router's addresses, and the anchor judges its traffic.
    const judged = conf.replaceAll(', !self }', ' }');
    expect(trace(judged, probe('in', 'tcp', '10.20.0.5', 40000, '198.51.100.1', 22), self).open).toEqual([`block by rule line ${block}`]);
  });

  it('a gateway with a default accept keeps state too: the reply passes a deny rule that would match it', () => {
    const { fw, conf } = onePf(['between cl and pt', 'default accept', 'deny tcp 22 from cl to pt']);
    expect(conf).toMatch(/^pass from <\w+> to <\w+> flags S\/SA keep state\npass from <\w+> to <\w+> flags S\/SA keep state$/m);
    expectFaithful(fw, conf);
    // A partner opens from its port 22 to a client: accepted by default; the reply is cl -> pt port 22.
    const open = probe('forward', 'tcp', '198.51.100.7', 22, '10.20.0.5', 40000);
    expect(trace(conf, open).reply).toEqual(['pass by state', 'pass by state']);
    const bare = conf.replace(/^pass from .* keep state$/gm, '');
    expect(trace(bare, open).reply[0]).toMatch(/^block by rule line \d+$/);
  });
});
