import fc from 'fast-check';
import moo from 'moo';
import { rules } from '../../src/parse/lexer.js';

/**
 * Random valid policies for the formatter's property tests: a random deployment (names,
 * networks, server, clients, firewalls with plain rules) written out with random layout noise —
 * indentation, spaces and tabs between tokens (none where a token allows it), trailing blanks,
 * blank and comment-only lines, trailing comments, statements joined with `;`, one-line
 * blocks, lists continued over several lines, CRLF, a byte order mark.
 */

/** A statement (a list of tokens) or a block (header tokens ending in `{`, then statements). */
export type Node = { tokens: string[] } | { header: string[]; body: Node[] };

const PUNCTUATION = new Set(['{', '}', ',', '=', ';', '-']);

const KEYWORD_NAMES = ['clients', 'server', 'network', 'peers', 'from', 'to', 'on', 'deny', 'media', 'ports'];
const nameArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,7}(-[a-z0-9]{1,3}){0,2}$/).filter((n) => n !== 'any') },
  { weight: 1, arbitrary: fc.constantFrom(...KEYWORD_NAMES) },
);

const descriptionArb = fc
  .array(fc.oneof(fc.constantFrom('\\"', '\\\\', '\t', 'é', '#', ' ', '{', '}', ';', ','), fc.string({ unit: 'grapheme-ascii', maxLength: 4 })), { maxLength: 8 })
  .map((parts) => parts.join('').replace(/["\\\r\n]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : ' ')));

const list = (items: string[]) => items.flatMap((x, i) => (i === 0 ? [x] : [',', x]));
const rangeTokens = (from: number, to?: number) => (to === undefined ? [String(from)] : [String(from), '-', String(to)]);

const portRangeArb = fc.oneof(
  fc.integer({ min: 1, max: 65535 }).map((p) => [p] as const),
  fc.tuple(fc.integer({ min: 1, max: 65000 }), fc.integer({ min: 1, max: 500 })).map(([a, n]) => [a, a + n] as const),
);

const targetsArb = fc.subarray(['nftables', 'iptables', 'netsh', 'pf'], { minLength: 1 });

function ruleArb(ends: fc.Arbitrary<string[]>): fc.Arbitrary<Node> {
  return fc
    .record({
      action: fc.constantFrom('allow', 'deny'),
      protocol: fc.constantFrom('tcp', 'udp'),
      ports: fc.array(portRangeArb, { maxLength: 3 }),
      ends,
    })
    .map((r) => ({ tokens: [r.action, r.protocol, ...r.ports.flatMap((p, i) => [...(i > 0 ? [','] : []), ...rangeTokens(p[0], p[1])]), ...r.ends] }));
}

/** `allow icmp echo-request, timestamp-request from …`: ICMP types, or none (every query). */
function icmpRuleArb(ends: fc.Arbitrary<string[]>): fc.Arbitrary<Node> {
  return fc
    .record({
      action: fc.constantFrom('allow', 'deny'),
      protocol: fc.constantFrom('icmp', 'icmpv4'),
      types: fc.subarray(['echo-request', 'timestamp-request']),
      ends,
    })
    .map((r) => ({ tokens: [r.action, r.protocol, ...list(r.types), ...r.ends] }));
}

/** A policy that compiles without errors (warnings are fine). */
export const policyArb: fc.Arbitrary<Node> = fc
  .record({
    deployment: nameArb,
    names: fc.uniqueArray(nameArb, { minLength: 5, maxLength: 5 }),
    firewallNames: fc.uniqueArray(nameArb, { minLength: 3, maxLength: 3 }),
    description: fc.option(descriptionArb),
    clientsNet: fc.integer({ min: 20, max: 200 }),
    clientsV6: fc.option(fc.integer({ min: 0x20, max: 0x2ff })),
    serverHost: fc.integer({ min: 2, max: 250 }),
    serverV6: fc.boolean(),
    partners: fc.constantFrom('198.51.100.0/24', '203.0.113.0/24', '192.0.2.128/25'),
    partnersV6: fc.boolean(),
    adminsNet: fc.integer({ min: 0, max: 255 }),
    listeners: fc.constantFrom(['tls'], ['tcp'], ['tls', 'tcp'], ['tcp', 'tls']),
    tlsPort: fc.option(fc.constantFrom(5061, 5071, 443)),
    tcpPort: fc.option(fc.constantFrom(5060, 5070, 80)),
    viaFirst: fc.boolean(),
    features: fc.subarray(['im', 'presence', 'whiteboard', 'application-sharing', 'file-transfer', 'audio', 'video'], { minLength: 1 }),
    sip: fc.option(fc.tuple(fc.integer({ min: 1024, max: 30000 }), fc.integer({ min: 1, max: 200 }))),
    media: fc.option(fc.tuple(fc.integer({ min: 20000, max: 32000 }), fc.integer({ min: 40, max: 300 }))),
    peers: fc.constantFrom('none', 'clients', 'peers', 'partners'),
    client: fc.option(fc.constantFrom('messenger', 'communicator')),
    gateway: fc.option(fc.record({ targets: targetsArb, verdict: fc.constantFrom('deny', 'accept'), others: fc.option(fc.constantFrom('deny', 'accept')), log: fc.boolean() })),
    desktop: fc.option(fc.record({ targets: targetsArb, verdict: fc.option(fc.constantFrom('deny', 'accept')), outbound: fc.option(fc.constantFrom('deny', 'accept')) })),
    serverFw: fc.option(fc.record({ targets: targetsArb, verdict: fc.constantFrom('deny', 'accept') })),
    gatewayRules: fc.array(fc.nat(), { maxLength: 3 }),
    hostRules: fc.array(fc.nat(), { maxLength: 3 }),
    ruleSeed: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
  })
  .chain((p) => {
    const [C, S, P, A, PEERS] = p.names as [string, string, string, string, string];
    const gwEnds = fc.constantFrom(['from', P, 'to', C], ['from', C, 'to', P], ['from', P], ['to', C]);
    const hostEnds = fc.constantFrom(
      ['from', A],
      ['from', P],
      ['from', 'any'],
      ['to', P],
      ['to', A],
      ['to', 'any'],
      // Addresses written inline, alone or in a list with networks.
      ['from', '10.10.99.0/24'],
      ['from', '192.0.2.7', ',', A],
      ['to', '2001:db8:99::/64', ',', '203.0.113.9'],
    );
    const hostRule = fc.oneof({ weight: 3, arbitrary: ruleArb(hostEnds) }, { weight: 1, arbitrary: icmpRuleArb(hostEnds) });
    return fc.tuple(fc.constant(p), fc.array(ruleArb(gwEnds), { maxLength: 3 }), fc.array(hostRule, { maxLength: 3 }), fc.array(hostRule, { maxLength: 2 })).map(([p, gwRules, deskRules, srvRules]) => {
      const items: Node[] = [];
      if (p.description !== null) items.push({ tokens: ['description', `"${p.description}"`] });
      const clientsMembers = [`10.${p.clientsNet}.0.0/16`, ...(p.clientsV6 !== null ? [`2001:db8:${p.clientsV6.toString(16)}::/48`] : [])];
      const serverMembers = [`10.1.1.${p.serverHost}`, ...(p.serverV6 ? [`2001:db8:1::${p.serverHost.toString(16)}`] : [])];
      const partnerMembers = [p.partners, ...(p.partnersV6 ? ['2001:db8:a000::/48'] : [])];
      items.push({ tokens: ['network', C, '=', ...list(clientsMembers)] });
      items.push({ tokens: ['network', S, '=', ...list(serverMembers)] });
      items.push({ tokens: ['network', P, '=', ...list(partnerMembers)] });
      items.push({ tokens: ['network', A, '=', `10.9.${p.adminsNet}.0/24`] });
      items.push({ tokens: ['network', PEERS, '=', C, ',', P] });

      const listeners = p.listeners.map((t) => {
        const port = t === 'tls' ? p.tlsPort : p.tcpPort;
        return { tokens: ['sip', t, ...(port !== null ? ['port', String(port)] : [])] };
      });
      items.push({ header: ['server', S, '{'], body: listeners });

      const via = p.viaFirst ? p.listeners[0]! : p.listeners[p.listeners.length - 1]!;
      const clients: Node[] = [{ tokens: ['server', S, 'via', via] }, { tokens: ['features', ...list(p.features)] }];
      if (p.sip) clients.push({ tokens: ['sip', 'dynamic', 'ports', ...rangeTokens(p.sip[0], p.sip[0] + p.sip[1])] });
      if (p.media) {
        const from = p.media[0] * 2; // even, 40000-64000; the SIP range stays below 30200
        clients.push({ tokens: ['media', 'ports', ...rangeTokens(from, Math.min(65535, from + p.media[1]))] });
      }
      if (p.peers === 'clients') clients.push({ tokens: ['peers', C] });
      if (p.peers === 'peers') clients.push({ tokens: ['peers', PEERS] });
      if (p.peers === 'partners') clients.push({ tokens: ['peers', C, ',', P] });
      if (p.client !== null) clients.push({ tokens: ['client', p.client] });
      items.push({ header: ['clients', C, '{'], body: clients });

      const [G, D, H] = p.firewallNames as [string, string, string];
      if (p.gateway) {
        items.push({
          header: ['firewall', G, '{'],
          body: [
            { tokens: ['between', C, 'and', P] },
            { tokens: ['targets', ...list(p.gateway.targets)] },
            { tokens: ['default', p.gateway.verdict] },
            ...(p.gateway.others !== null ? [{ tokens: ['others', p.gateway.others] }] : []),
            ...(p.gateway.log ? [{ tokens: ['log', 'denied'] }] : []),
            ...gwRules,
          ],
        });
      }
      if (p.desktop) {
        items.push({
          header: ['firewall', D, '{'],
          body: [
            { tokens: ['on', C] },
            { tokens: ['targets', ...list(p.desktop.targets)] },
            ...(p.desktop.verdict !== null ? [{ tokens: ['default', p.desktop.verdict] }] : []),
            ...(p.desktop.outbound !== null ? [{ tokens: ['outbound', p.desktop.outbound] }] : []),
            ...deskRules,
          ],
        });
      }
      if (p.serverFw || (!p.gateway && !p.desktop)) {
        const fw = p.serverFw ?? { targets: ['nftables'], verdict: 'deny' };
        items.push({ header: ['firewall', H, '{'], body: [{ tokens: ['on', S] }, { tokens: ['targets', ...list(fw.targets)] }, { tokens: ['default', fw.verdict] }, ...srvRules] });
      }
      return { header: ['deployment', p.deployment, '{'], body: items };
    });
  });

/** A small deterministic generator for layout noise (mulberry32), seeded by fast-check. */
export function noise(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const chance = (p: number) => next() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { chance, pick };
}

type Noise = ReturnType<typeof noise>;

const WS = [' ', ' ', ' ', '  ', '\t', ' \t', '   '];
const COMMENTS = ['# note', '#', '#tight', '# with "quotes" and \\ and { } ;', '#\ttabbed\tcomment', '# é ünïcödé', '## double', '# trailing blanks   '];

function gap(n: Noise, before: string, after: string): string {
  const canTouch = PUNCTUATION.has(before) || PUNCTUATION.has(after);
  if (canTouch && n.chance(0.3)) return '';
  return n.chance(0.7) ? ' ' : n.pick(WS);
}

/** Renders a policy with layout noise: every token stays valid, the meaning never changes. */
export function render(root: Node, seed: number): string {
  const n = noise(seed);
  const out: string[] = [];
  let line = '';
  const eol = () => (n.chance(0.2) ? '\r\n' : '\n');
  const indent = (depth: number) => (n.chance(0.7) ? '  '.repeat(depth) : n.pick(['', ' ', '\t', '    '.repeat(depth), '   ']));
  const endLine = (withComment = true) => {
    if (withComment && n.chance(0.15)) line += `${n.chance(0.2) ? '' : n.pick(WS)}${n.pick(COMMENTS)}`;
    if (n.chance(0.1)) line += n.pick(WS);
    out.push(line + eol());
    line = '';
  };
  const filler = (depth: number) => {
    while (n.chance(0.15)) {
      if (n.chance(0.5)) out.push(`${n.chance(0.3) ? n.pick(WS) : ''}${eol()}`);
      else out.push(`${indent(depth)}${n.pick(COMMENTS)}${eol()}`);
    }
  };
  const tokens = (ts: readonly string[], depth: number) => {
    ts.forEach((t, i) => {
      if (i > 0) {
        const before = ts[i - 1]!;
        if ((before === ',' || before === '=') && n.chance(0.12)) {
          // Continue the statement on the next line.
          endLine();
          filler(depth + 1);
          line = indent(depth + 1);
        } else line += gap(n, before, t);
      }
      line += t;
    });
  };
  const statements = (nodes: readonly Node[], depth: number) => {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      filler(depth);
      line = indent(depth);
      node0(node, depth);
      // Sometimes the next simple statements share the line, after `;`.
      let last = node;
      while ('tokens' in last && i + 1 < nodes.length && 'tokens' in nodes[i + 1]! && n.chance(0.1)) {
        last = nodes[++i]!;
        line += `${n.chance(0.5) ? '' : n.pick(WS)};${n.pick(WS)}`;
        tokens((last as { tokens: string[] }).tokens, depth);
      }
      if (n.chance(0.05)) line += ';';
      endLine();
    }
  };
  const node0 = (node: Node, depth: number) => {
    if ('tokens' in node) return tokens(node.tokens, depth);
    tokens(node.header, depth);
    const oneLine = depth > 0 && node.body.every((b) => 'tokens' in b) && node.body.length <= 3 && n.chance(0.15);
    if (oneLine) {
      node.body.forEach((b, i) => {
        line += i === 0 ? gap(n, '{', 'x') : `${n.chance(0.5) ? '' : ' '};${n.pick(WS)}`;
        tokens((b as { tokens: string[] }).tokens, depth + 1);
      });
      line += `${gap(n, 'x', '}')}}`;
      return;
    }
    endLine();
    statements(node.body, depth + 1);
    filler(depth + 1);
    line = `${indent(depth)}}`;
  };
  if (n.chance(0.1)) out.push(`\uFEFF`);
  filler(0);
  line = indent(0);
  node0(root, 0);
  endLine();
  filler(0);
  let text = out.join('');
  if (n.chance(0.1)) text = text.replace(/\r?\n$/, '');
  return text;
}

const lexer = moo.compile(rules);

/**
 * The same policy with different horizontal layout: every run of blanks replaced, blanks added
 * between tokens and at line ends, removed next to punctuation, CRLF mixed in. Lines stay lines.
 */
export function perturb(text: string, seed: number): string {
  const n = noise(seed);
  lexer.reset(text);
  const toks: moo.Token[] = [];
  for (let t = lexer.next(); t; t = lexer.next()) toks.push(t);
  let out = '';
  toks.forEach((t, i) => {
    const prev = toks[i - 1];
    const next = toks[i + 1];
    if (t.type === 'ws') {
      const atStart = prev === undefined || prev.type === 'nl';
      const touching = prev && next && next.type !== 'nl' && next.type !== 'comment' && (PUNCTUATION.has(prev.text) || PUNCTUATION.has(next.text));
      out += (atStart || touching) && n.chance(0.3) ? '' : n.pick(WS);
      return;
    }
    if (t.type === 'nl') {
      if (n.chance(0.2)) out += n.pick(WS);
      out += n.chance(0.3) ? '\r\n' : '\n';
      return;
    }
    if (prev && prev.type !== 'ws' && prev.type !== 'nl' && n.chance(0.2)) out += n.pick(WS);
    out += t.text;
  });
  return out;
}
