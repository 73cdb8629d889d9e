// Fuzzing the compiler (fast-check): token-level mutations of every example, random token soup
// and generated policies. Every case must compile or be diagnosed, within 2 s, without throwing;
// every output of every target (all four forced on every firewall) must pass its validator:
// `nft -c`, `iptables-restore --test` / `ip6tables-restore --test` (batched, in `unshare -rn`),
// the netsh reader (cmd.exe-safe, nothing but our rules, the IR's tuples) and the pf reader
// (parses, the IR's tuples).
//
// Rerun with more cases or another seed:
//   MSGRFW_FUZZ_RUNS=20000 MSGRFW_FUZZ_SEED=42 npx vitest run test/hardening/fuzz.test.ts
import fc from 'fast-check';
import moo from 'moo';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { CODES } from '../../src/diagnostics/codes.js';
import { rules as lexerRules } from '../../src/parse/lexer.js';
import { EXAMPLES } from '../helpers.js';
import { ALL_TARGETS, emitEverything, escapeMsgr, HOSTILE_TEXT, readerProblems, ValidatorBatch, validatorsUsable } from './support.js';

/** Cases in all; the four properties share them 2:1:1:1. MSGRFW_FUZZ_RUNS sets the total. */
const TOTAL = Number(process.env.MSGRFW_FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.MSGRFW_FUZZ_SEED ?? 20240611);
/** The minimum the run must reach (a smaller MSGRFW_FUZZ_RUNS lowers it). */
const MINIMUM = Math.min(1500, TOTAL);
const TIME_LIMIT_MS = 2000;

const stats = { cases: 0, compiled: 0, diagnosed: 0, outputs: 0, refused: 0, slowestMs: 0, ms: 0 };
/** Cases and compiled cases per kind of case. */
const perKind = new Map<string, { cases: number; compiled: number }>();
const validators = new ValidatorBatch();
const policyOf = new Map<string, string>();

/** The in-process checks of one case; returns what is wrong (empty: nothing). */
function check(text: string, label: string): string[] {
  const problems: string[] = [];
  const started = performance.now();
  let result: ReturnType<typeof compilePolicy>;
  let emitted: ReturnType<typeof emitEverything> | undefined;
  try {
    result = compilePolicy(text, 'fuzz.msgr');
    if (result.ir) emitted = emitEverything(result.ir);
  } catch (e) {
    return [`threw: ${(e as Error).stack}`];
  }
  const ms = performance.now() - started;
  stats.cases++;
  const kind = perKind.get(label) ?? { cases: 0, compiled: 0 };
  perKind.set(label, kind);
  kind.cases++;
  if (result.ir) kind.compiled++;
  stats.ms += ms;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (ms > TIME_LIMIT_MS) problems.push(`took ${Math.round(ms)} ms`);

  const lines = text.split('\n').length;
  for (const d of result.diagnostics) {
    const known = CODES[d.code as keyof typeof CODES];
    if (!known || known.severity !== d.severity) problems.push(`unknown code or severity: ${d.code} ${d.severity}`);
    if (!(d.line >= 1 && d.line <= lines + 1 && d.column >= 1) || !d.message) problems.push(`diagnostic out of place: ${JSON.stringify(d)}`);
  }
  const errors = result.diagnostics.some((d) => d.severity === 'error');
  if (errors === Boolean(result.ir)) problems.push(`ir ${result.ir ? 'present' : 'absent'} with${errors ? '' : 'out'} errors`);
  if (!result.ir || !emitted) {
    stats.diagnosed++;
    return problems;
  }
  stats.compiled++;
  stats.outputs += emitted.outputs.length;
  stats.refused += emitted.refused.length;
  for (const out of emitted.outputs) problems.push(...readerProblems(result.ir, out));
  if (stats.compiled % 10 === 0) {
    // Deterministic: the same policy gives the same bytes.
    const again = emitEverything(compilePolicy(text, 'fuzz.msgr').ir!);
    if (JSON.stringify(again.outputs.map((o) => o.content)) !== JSON.stringify(emitted.outputs.map((o) => o.content))) problems.push('not deterministic');
  }
  if (problems.length === 0) {
    const id = `case ${stats.cases} (${label})`;
    policyOf.set(id, text);
    validators.addOutputs(id, emitted.outputs);
  }
  return problems;
}

const property = (label: string) => (text: string) => {
  const problems = check(text, label);
  if (problems.length) throw new Error(`${problems.join('\n')}\n--- policy ---\n${text.slice(0, 4000)}`);
};

// ---------------------------------------------------------------------------------------------
// Token pools and generators.

const lexer = moo.compile(lexerRules);
const tokensOf = (text: string) => {
  lexer.reset(text);
  return [...lexer].map((t) => ({ text: t.text, type: t.type ?? '', significant: t.type !== 'ws' && t.type !== 'nl' && t.type !== 'comment' }));
};
const EXAMPLE_TOKENS = EXAMPLES.map((e) => tokensOf(e.text));

const HOSTILE_TOKENS = [
  ...HOSTILE_TEXT.map(escapeMsgr),
  ...HOSTILE_TEXT.map((s) => s.slice(0, 12)),
  '0', '1', '65535', '65536', '99999999999999999999', '1024', '0x10', '-1', '7100-7000',
  '-', '--', ',', ',,', '=', '{', '}', ';', ';;', '"', '"unterminated', '""', '"\\"', '#', '# comment', '\\',
  'any', 'a--b', 'x-', '_', 'x'.repeat(63), 'y'.repeat(64), 'deny', 'accept', 'allow', 'drop', 'from', 'to', 'via',
  '0.0.0.0/0', '::/0', '10.0.0.1/8', '256.1.1.1', '1.2.3', '1.2.3.4.5', '10.0.0.0/33', '2001:db8::/129', 'fe80::1%eth0',
  '10.0.0.1%lo', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8:9', ':::', '::', '2001:db8::1/128', '192.0.2.1',
  '\r', '\r\n', '\n', '\t', '\u00a0', '\u2028', '\u0000', '\ufeff', 'é', '🔥', '%', '$', '&', '|', '`', '^', '!', '*/', '/*',
];
const POOL = [...new Set([...EXAMPLE_TOKENS.flat().filter((t) => t.significant).map((t) => t.text), ...HOSTILE_TOKENS])];
/** The pool by token type, for replacements that keep the statement's shape (and often compile). */
const POOL_BY_TYPE = new Map<string, string[]>();
for (const text of POOL) {
  for (const t of tokensOf(text).filter((x) => x.significant).slice(0, 1)) {
    if (tokensOf(text).length !== 1) continue;
    POOL_BY_TYPE.set(t.type, [...(POOL_BY_TYPE.get(t.type) ?? []), text]);
  }
}

const mutation = fc.record({
  op: fc.constantFrom('delete', 'duplicate', 'swap', 'replace', 'insert', 'retype', 'retype', 'retype'),
  at: fc.nat(),
  other: fc.nat(),
  pick: fc.nat({ max: POOL.length - 1 }),
});

/** Applies token-level mutations (on significant tokens) to an example. */
interface Mutation {
  op: string;
  at: number;
  other: number;
  pick: number;
}
function mutate(example: number, mutations: readonly Mutation[]): string {
  const toks = EXAMPLE_TOKENS[example]!.map((t) => ({ ...t }));
  for (const m of mutations) {
    const sig = toks.map((t, i) => (t.significant ? i : -1)).filter((i) => i >= 0);
    if (sig.length === 0) break;
    const i = sig[m.at % sig.length]!;
    const j = sig[m.other % sig.length]!;
    const pick = { text: POOL[m.pick]!, type: '', significant: true };
    const sameType = POOL_BY_TYPE.get(toks[i]!.type) ?? [toks[i]!.text];
    if (m.op === 'delete') toks.splice(i, 1);
    else if (m.op === 'duplicate') toks.splice(i, 0, { ...toks[i]! }, { text: ' ', type: 'ws', significant: false });
    else if (m.op === 'swap') [toks[i], toks[j]] = [toks[j]!, toks[i]!];
    else if (m.op === 'replace') toks[i] = pick;
    else if (m.op === 'retype') toks[i] = { ...toks[i]!, text: sameType[m.pick % sameType.length]! };
    else toks.splice(i, 0, pick, { text: ' ', type: 'ws', significant: false });
  }
  return toks.map((t) => t.text).join('');
}

const mutatedExample = fc
  .record({ example: fc.nat({ max: EXAMPLES.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }) })
  .map(({ example, mutations }) => mutate(example, mutations));

/** Only values (strings, numbers, addresses) replaced by others of their type: most still compile. */
const VALUE_TYPES = new Set(['string', 'number', 'ipv4', 'ipv6']);
const valueMutatedExample = fc
  .record({ example: fc.nat({ max: EXAMPLES.length - 1 }), picks: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }) })
  .map(({ example, picks }) => {
    const toks = EXAMPLE_TOKENS[example]!.map((t) => ({ ...t }));
    const values = toks.map((t, i) => (VALUE_TYPES.has(t.type) ? i : -1)).filter((i) => i >= 0);
    for (const [at, choice] of picks) {
      const tok = toks[values[at % values.length]!]!;
      const same = POOL_BY_TYPE.get(tok.type) ?? [tok.text];
      tok.text = same[choice % same.length]!;
    }
    return toks.map((t) => t.text).join('');
  });

const SEPARATORS = [' ', ' ', ' ', '\n', ', ', ' = ', '\r\n', '\t', ''];
const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...POOL), fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength: 60 })
  .map((parts) => parts.map(([t, s]) => t + s).join(''))
  .chain((body) => fc.constantFrom(body, `deployment d {\n${body}\n}\n`, `deployment d {\n  firewall f {\n${body}\n  }\n}\n`));

// Generated policies: each network has a block of its own (so most zones are disjoint), errors
// are rare but possible (a stray overlapping block, host bits, reversed ranges, port 0).
const NETS = ['n0', 'n1', 'n2', 'n3', 'n4', 'clients'];
const HOME = [
  ['10.20.0.0/16', '2001:db8:20::/48'],
  ['10.30.0.0/24', '2001:db8:30::/48'],
  ['198.51.100.0/24'],
  ['203.0.113.0/28', '2001:db8:113::/64'],
  ['10.9.0.0/24'],
  ['10.40.0.0/16', '2001:db8:40::/48', '192.0.2.1'],
];
const STRAY = ['10.20.5.0/24', '2001:db8:1::10', 'fe80::/10', '0.0.0.0/0', '::/0', '10.20.0.1/16', '2001:db8:20::7', '172.16.0.0/12'];
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const rare = <T>(common: fc.Arbitrary<T>, odd: fc.Arbitrary<T>, weight = 30) => fc.oneof({ weight, arbitrary: common }, { weight: 1, arbitrary: odd });
const port = rare(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, 65536, 99999), 150);
const range = fc.oneof(
  { weight: 30, arbitrary: port.map(String) },
  { weight: 30, arbitrary: fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`) },
  { weight: 1, arbitrary: fc.tuple(port, port).filter(([a, b]) => a !== b).map(([a, b]) => `${Math.max(a, b)}-${Math.min(a, b)}`) },
);
const gpRange = rare(
  fc.integer({ min: 1024, max: 65000 }).chain((a) => fc.integer({ min: 5, max: 200 }).map((n) => `${a}-${Math.min(65535, a + n)}`)),
  fc.constantFrom('1000-2000', '7100-7000', '50000-50001', '60000-70000'),
);
const description = fc.oneof(pick(HOSTILE_TEXT).map(escapeMsgr), fc.string({ maxLength: 40, unit: 'binary' }).map(escapeMsgr), fc.constant('"plain"'));

const networkStmt = (index: number) =>
  fc
    .tuple(
      fc.subarray(HOME[index]!, { minLength: 1 }),
      rare(fc.constant([] as string[]), fc.subarray(STRAY, { minLength: 1, maxLength: 2 })),
      index > 0 ? fc.oneof({ weight: 6, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray(NETS.slice(0, index), { minLength: 1, maxLength: Math.min(2, index) }) }) : fc.constant([] as string[]),
    )
    .map(([home, stray, refs]) => `  network ${NETS[index]} = ${[...home, ...stray, ...refs].join(', ')}`);

const clientsBlock = (net: string) => fc
  .record({
    net: fc.constant(net),
    via: pick(['tls', 'tcp']),
    features: fc.subarray(['im', 'presence', 'whiteboard', 'application-sharing', 'file-transfer', 'audio', 'video'], { minLength: 1 }),
    sip: fc.option(gpRange),
    media: fc.option(gpRange),
    peers: fc.option(fc.subarray(NETS, { minLength: 1, maxLength: 2 })),
    client: fc.option(pick(['messenger', 'communicator'])),
  })
  .map((c) =>
    [
      `  clients ${c.net} {`,
      `    server srv via ${c.via}`,
      `    features ${c.features.join(', ')}`,
      ...(c.sip ? [`    sip dynamic ports ${c.sip}`] : []),
      ...(c.media ? [`    media ports ${c.media}`] : []),
      ...(c.peers ? [`    peers ${c.peers.join(', ')}`] : []),
      ...(c.client ? [`    client ${c.client}`] : []),
      '  }',
    ].join('\n'),
  );

const ANY_NET = [...NETS, 'any'];
const plainRule = fc
  .record({
    action: pick(['allow', 'deny']),
    proto: rare(pick(['tcp', 'udp']), pick(['icmp', 'sctp']), 100),
    ports: fc.array(range, { maxLength: 3 }),
    ends: fc.oneof(
      pick(ANY_NET).map((n) => `from ${n}`),
      pick(ANY_NET).map((n) => `to ${n}`),
      fc.tuple(pick(ANY_NET), pick(ANY_NET)).map(([a, b]) => `from ${a} to ${b}`),
    ),
  })
  .map((r) => `    ${r.action} ${r.proto}${r.ports.length ? ` ${r.ports.join(', ')}` : ''} ${r.ends}`);

const firewallBlock = (name: string) =>
  fc
    .record({
      placement: fc.oneof(
        pick([...NETS, 'srv']).map((n) => `on ${n}`),
        fc.uniqueArray(pick(NETS), { minLength: 2, maxLength: 2 }).map(([a, b]) => `between ${a} and ${b}`),
      ),
      targets: fc.subarray([...ALL_TARGETS], { minLength: 1 }),
      def: fc.option(rare(pick(['deny', 'accept']), pick(['drop', 'reject']), 100)),
      outbound: fc.option(pick(['deny', 'accept']), { freq: 3 }),
      log: fc.boolean(),
      rules: fc.array(plainRule, { maxLength: 5 }),
    })
    .map((f) =>
      [
        `  firewall ${name} {`,
        `    ${f.placement}`,
        `    targets ${f.targets.join(', ')}`,
        ...(f.def ? [`    default ${f.def}`] : []),
        ...(f.outbound ? [`    outbound ${f.outbound}`] : []),
        ...(f.log ? ['    log denied'] : []),
        ...f.rules,
        '  }',
      ].join('\n'),
    );

const generatedPolicy = fc
  .record({
    description: fc.option(description),
    networks: fc.tuple(...NETS.map((_, i) => networkStmt(i))),
    tls: rare(fc.oneof(fc.constant(''), port.map((n) => ` port ${n}`)), fc.constant('none')),
    tcp: rare(fc.oneof(fc.constant(''), port.map((n) => ` port ${n}`)), fc.constant('none')),
    clients: fc.uniqueArray(pick(NETS), { minLength: 1, maxLength: 2 }).chain((nets) => fc.tuple(...nets.map(clientsBlock))),
    deployment: pick(['gen', 'D'.repeat(63), '_x-9', 'deployment']),
    firewalls: pick(['fw-a', `f${'-x'.repeat(31)}`, 'Firewall_With_Caps', 'pass']).chain((name) => fc.tuple(firewallBlock(name), fc.option(firewallBlock('fw_b')))),
  })
  .map((p) =>
    [
      `deployment ${p.deployment} {`,
      ...(p.description ? [`  description ${p.description}`] : []),
      ...p.networks,
      '  network srv = 10.1.1.10, 2001:db8:1::10',
      '  server srv {',
      ...(p.tls !== 'none' ? [`    sip tls${p.tls}`] : []),
      ...(p.tcp !== 'none' ? [`    sip tcp${p.tcp}`] : []),
      '  }',
      ...p.clients,
      ...p.firewalls.filter((f): f is string => f !== null),
      '}',
      '',
    ].join('\n'),
  );

// ---------------------------------------------------------------------------------------------

describe('fuzzing the compiler', () => {
  afterAll(() => {
    console.log(
      `fuzz: ${stats.cases} cases, ${stats.compiled} compiled, ${stats.diagnosed} diagnosed; ` +
        `${stats.outputs} outputs (${stats.refused} refused by a target with MSGR060), ${validators.added} nft/iptables files, ${validators.checked} distinct ones validated ` +
        `in ${validators.calls} validator calls; compile+emit ${Math.round(stats.ms)} ms in all, slowest case ${Math.round(stats.slowestMs)} ms (seed ${SEED})\n` +
        [...perKind].map(([k, v]) => `  ${k}: ${v.cases} cases, ${v.compiled} compiled`).join('\n'),
    );
  });

  it('token-level mutations of every example never crash, hang or emit an invalid artefact', () => {
    fc.assert(fc.property(mutatedExample, property('mutated example')), { numRuns: Math.round((TOTAL * 2) / 5), seed: SEED });
  });

  it('examples with hostile values (strings, numbers, addresses) never crash or emit an invalid artefact', () => {
    fc.assert(fc.property(valueMutatedExample, property('value-mutated example')), { numRuns: Math.round(TOTAL / 5), seed: SEED + 3 });
  });

  it('random token soup never crashes or hangs', () => {
    fc.assert(fc.property(tokenSoup, property('token soup')), { numRuns: Math.round(TOTAL / 5), seed: SEED + 1 });
  });

  it('generated policies never crash, hang or emit an invalid artefact', () => {
    fc.assert(fc.property(generatedPolicy, property('generated')), { numRuns: Math.round(TOTAL / 5), seed: SEED + 2 });
  });

  it(`ran at least ${MINIMUM} cases, many of them compiling and many diagnosed`, () => {
    expect(stats.cases).toBeGreaterThanOrEqual(MINIMUM);
    expect(stats.compiled).toBeGreaterThanOrEqual(MINIMUM / 10);
    expect(stats.diagnosed).toBeGreaterThanOrEqual(MINIMUM / 10);
  });

  const usable = validatorsUsable();
  it.skipIf(!usable.ok)('the batched validators name a broken file among good ones', () => {
    const good = emitEverything(compilePolicy(EXAMPLES[0]!.text, EXAMPLES[0]!.name).ir!).outputs;
    const probe = new ValidatorBatch({ nft: 40, v4: 400, v6: 400 });
    for (let i = 0; i < 5; i++) probe.addOutputs(`good ${i}`, good.map((o) => ({ ...o, content: `${o.content}# ${i}\n` })));
    const nft = good.find((o) => o.name.endsWith('.nft'))!;
    const v4 = good.find((o) => o.name.endsWith('.rules.v4'))!;
    probe.add('nft', { label: 'broken nft', content: `${nft.content}table inet msgr_x {\n\tchain c {\n\t\tnonsense accept\n\t}\n}\n` });
    probe.add('v4', { label: 'broken v4', content: v4.content.replace('COMMIT', '-A INPUT --bogus\nCOMMIT') });
    probe.add('v4', { label: 'two blocks', content: `${v4.content}*filter\n-A INPUT --bogus\nCOMMIT\n` });
    const problems = probe.run().map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['broken nft', 'broken v4', 'two blocks']);
  });

  it.skipIf(!usable.ok && process.env.CI !== 'true')(
    `every nftables and iptables output passes nft -c / iptables-restore --test${usable.ok ? '' : ` [${usable.why}]`}`,
    () => {
      if (!usable.ok) throw new Error(`validators are not usable under CI: ${usable.why}`);
      const problems = validators.run();
      const shown = problems.slice(0, 5).map((p) => {
        const id = [...policyOf.keys()].find((k) => p.startsWith(k));
        return `${p}\n--- policy ---\n${id ? policyOf.get(id) : '?'}`;
      });
      expect(shown).toEqual([]);
      expect(validators.checked).toBeGreaterThan(0);
    },
    120_000,
  );
});
