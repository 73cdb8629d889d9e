import { describe, expect, it } from 'vitest';
import type { IrDocument, IrFirewall } from '../../../src/ir/types.js';
import { pf } from '../../../targets/pf/index.js';
import { EXAMPLES, irOf, policy } from '../../helpers.js';
import { disagreements, probesFor, type Policy } from '../../readers/evaluate.js';
import { irPolicy, irToTuples } from '../../readers/ir.js';
import { addressIn, normalizeAddresses } from '../../readers/normalize.js';
import { readPf, tokenizePf } from '../../readers/pf.js';
import { isPortTuple, tupleText, type Tuple } from '../../readers/tuple.js';

const render = (doc: IrDocument, name: string) => pf.render(doc, doc.firewalls.find((f) => f.name === name)!)[0]!.content;
const fwOf = (doc: IrDocument, name: string) => doc.firewalls.find((f) => f.name === name)!;
const contoso = () => irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'contoso.msgr');

const isCatchAll = (t: Tuple) => t.protocol === 'any' && t.src === 'any' && t.dst === 'any' && t.srcPorts === 'any' && t.dstPorts === 'any' && !t.iface;

/**
 * Reads an anchor back and checks it against the IR: the tcp/udp tuples equal irToTuples in
 * order; before them only preamble tuples (ICMP, loopback) that no tcp/udp packet off lo0
 * matches; after them only the default blocks; and on probes around every rule the verdicts
 * agree with the IR's first match.
 */
function expectFaithful(fw: IrFirewall, conf: string) {
  const gateway = fw.placement.kind === 'gateway';
  const { tuples } = readPf(conf, { forward: gateway });
  const expected = irToTuples(fw);
  const rules = tuples.filter((t) => isPortTuple(t) && !t.iface);
  expect(rules.map(tupleText)).toEqual(expected.map(tupleText));
  expect(rules).toEqual(expected);

  const first = tuples.indexOf(rules[0]!);
  const last = tuples.indexOf(rules[rules.length - 1]!);
  const before = rules.length ? tuples.slice(0, first) : tuples.filter((t) => t.action === 'accept');
  const after = rules.length ? tuples.slice(last + 1) : tuples.filter((t) => t.action === 'drop');
  for (const t of before) {
    expect(t.action).toBe('accept');
    expect(t.protocol === 'icmp' || t.protocol === 'icmp6' || t.iface === 'lo0').toBe(true);
    expect(t.protocol === 'icmp' || t.protocol === 'icmp6' ? t.icmpTypes?.length : 1).toBeGreaterThan(0);
  }
  for (const t of after) {
    expect(t.action).toBe('drop');
    expect(t.protocol).toBe('any');
  }

  const policy: Policy = {};
  if (gateway) {
    // The default block names the two zones, both ways, each family they share.
    expect(after.map((t) => `${t.family} ${t.src}>${t.dst}`).sort()).toEqual(fw.policy.forward === 'drop' ? zoneBlocks(fw).sort() : []);
  } else {
    for (const d of ['in', 'out'] as const) {
      const drops = after.filter((t) => t.direction === d);
      const verdict = d === 'in' ? fw.policy.input : fw.policy.output;
      // pf's implicit default is pass: an accept default falls through to the main ruleset.
      expect(drops.length).toBe(verdict === 'drop' ? 2 : 0);
      drops.forEach((t) => expect(isCatchAll(t)).toBe(true));
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

  it('every rule is quick, and the default block comes last (first match on a last-match filter)', () => {
    const conf = render(contoso(), 'desktop');
    const rules = conf.split('\n').filter((l) => /^(pass|block)/.test(l));
    expect(rules.every((l) => / quick /.test(l))).toBe(true);
    expect(rules[rules.length - 1]).toBe('block drop in quick all');
    expect(rules.filter((l) => l.startsWith('block'))).toHaveLength(1);
  });

  it('keeps IPv6 alive on a host: ICMPv6 errors, packet-too-big, neighbour and router discovery, loopback', () => {
    const conf = render(contoso(), 'lcs-host');
    expect(conf).toContain('pass in quick inet6 proto ipv6-icmp all icmp6-type { routersol, routeradv, neighbrsol, neighbradv } no state');
    expect(conf).toContain('pass in quick inet6 proto ipv6-icmp all icmp6-type { unreach, toobig, timex, paramprob } no state');
    expect(conf).toContain('pass in quick inet proto icmp all icmp-type { unreach, timex, paramprob } no state');
    expect(conf).toContain('pass in quick on lo0 all no state');
    expect(conf).not.toMatch(/^pass out/m);
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
    const text = policy({
      firewalls: `firewall fw {
    on srv
    targets pf
    default accept
    deny tcp 22 from pt
  }`,
    });
    const doc = irOf(text);
    const conf = render(doc, 'fw');
    expect(conf).toMatch(/^block drop in quick inet proto tcp from <pt> to any port 22 label "fw r1"$/m);
    expect(conf).not.toMatch(/^block drop in quick all$/m);
    expectFaithful(fwOf(doc, 'fw'), conf);
  });

  it('the host side of a partial match is the destination table', () => {
    const text = policy({
      networks: 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24\n  network lan = 10.0.0.0/8',
      firewalls: `firewall fw {
    on lan
    targets pf
    default deny
  }`,
    });
    const doc = irOf(text);
    const fw = fwOf(doc, 'fw');
    const conf = render(doc, 'fw');
    expect(fw.rules.some((r) => r.direction === 'input' && r.dst)).toBe(true);
    expectFaithful(fw, conf);
  });
});
