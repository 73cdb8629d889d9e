// Differential test of the parser's fast path (src/parse/fast.ts) against nearley: random
// policies, well-formed and broken, give the same tree and the same diagnostics both ways; every
// well-formed one takes the fast path and has exactly one parse. More cases:
//   MSGRFW_FUZZ_RUNS=20000 MSGRFW_FUZZ_SEED=7 npx vitest run test/parse/fastPath.test.ts
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/parse/parse.js';
import { fastPathEnabled, parseFast } from '../../src/parse/fast.js';
import { blankHiddenCharacters } from '../../src/text/hidden.js';
import { ROOT } from '../helpers.js';
// @ts-expect-error: the benchmark's generator is plain JavaScript
import { msgrPolicy, plan } from '../../bench/generate.mjs';

const COUNT = Number(process.env.MSGRFW_FUZZ_RUNS ?? 2000);
let seed = Number(process.env.MSGRFW_FUZZ_SEED ?? 1);
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const pick = <T>(xs: T[]): T => xs[rnd(xs.length)];

const WORDS = ['a', 'clients', 'lcs', 'peers', 'network', 'server', 'firewall', 'sip', 'port', 'to', 'from', 'on', 'deny', 'allow', 'tcp', 'udp', 'icmp', 'echo-request', 'x-y', 'im', 'via', 'tls', 'default', 'log', 'denied', 'and', 'media', 'ports', 'dynamic'];
const ADDRS = ['10.0.0.0/8', '10.1.1.10', '2001:db8::/32', 'fe80::1', '::1', '1.2.3.4/33'];
const name = () => pick(WORDS);
const names = () => Array.from({ length: 1 + rnd(3) }, name).join(pick([', ', ',\n  ', ',']));
const range = () => (rnd(2) ? `${1000 + rnd(9000)}` : `${1000 + rnd(100)}-${2000 + rnd(100)}`);

const serverStmt = () => (rnd(2) ? `sip ${name()}` : `sip ${name()} port ${1 + rnd(9999)}`);
const clientsStmt = () =>
  pick([
    () => `server ${name()} via ${name()}`,
    () => `features ${names()}`,
    () => `sip dynamic ports ${range()}`,
    () => `media ports ${range()}`,
    () => `peers ${names()}`,
    () => `client ${name()}`,
  ])();
/** A rule's end: names and addresses, one or a list (as a network's members). */
const end = () => Array.from({ length: 1 + rnd(3) * rnd(2) }, () => (rnd(3) ? name() : pick(ADDRS))).join(pick([', ', ',\n  ', ',']));
const ends = () => pick([() => `from ${end()}`, () => `to ${end()}`, () => `from ${end()} to ${end()}`])();
const firewallStmt = () =>
  pick([
    () => `on ${name()}`,
    () => `between ${name()} and ${name()}`,
    () => `targets ${names()}`,
    () => `default ${name()}`,
    () => `outbound ${name()}`,
    () => 'log denied',
    () => `${pick(['allow', 'deny'])} ${name()}${rnd(2) ? ` ${Array.from({ length: 1 + rnd(2) }, range).join(', ')}` : ''} ${ends()}`,
    // ICMP types (names) after the protocol; `from`/`to` among them too.
    () => `${pick(['allow', 'deny'])} ${pick(['icmp', 'icmpv6', name()])} ${names()} ${ends()}`,
  ])();
const block = (kw: string, stmt: () => string) => {
  const n = rnd(4);
  const sep = () => pick(['\n    ', '; ', ' ;\n    ', '\n\n    # comment\n    ', '\r\n    ']);
  const body = Array.from({ length: n }, stmt).join(sep());
  return `${kw} ${name()} {${n ? `\n    ${body}\n  ` : rnd(2) ? ' ' : '\n  '}}`;
};
const item = () =>
  pick([
    () => `description "text ${rnd(9)} \\" q"`,
    () => `network ${name()} = ${Array.from({ length: 1 + rnd(3) }, () => (rnd(2) ? name() : pick(ADDRS))).join(', ')}`,
    () => block('server', serverStmt),
    () => block('clients', clientsStmt),
    () => block('firewall', firewallStmt),
  ])();
const policy = () => `# fuzz\ndeployment ${name()} {\n  ${Array.from({ length: rnd(6) }, item).join(pick(['\n  ', '\n\n  ', '; ']))}\n}\n${rnd(4) ? '' : '\n# end\n'}`;

/** Breaks a policy: drop, duplicate or replace a token-ish piece, or cut it short. */
function mutate(text: string): string {
  const pieces = text.split(/(\s+)/);
  const i = rnd(pieces.length);
  switch (rnd(6)) {
    case 0:
      pieces.splice(i, 1);
      break;
    case 1:
      pieces.splice(i, 0, pieces[i] ?? '');
      break;
    case 2:
      pieces[i] = pick(['{', '}', ',', '=', '-', ';', '"', '@', '123', 'bogus', '\n', '10.0.0.0/8', '--', 'a-', 'a--b', '\t', '\r', 'é', 'x'.repeat(70), 'fe80::1%eth0', '1.2.3.4%x', '::', '1::2::3', 'dead:beef', 'ab:cd::', '01.2.3.4', '"a\\"b"', '"\\q"', '# c', '\r\n', '\u00a0']);
      break;
    case 3:
      return text.slice(0, rnd(text.length));
    case 4:
      pieces[i] = name();
      break;
    default:
      pieces.splice(i, 0, ' ', pick(WORDS), ' ');
  }
  return pieces.join('');
}

describe('the parser fast path', () => {
  it(`agrees with nearley on ${COUNT} random and mutated policies`, () => {
    expect(fastPathEnabled).toBe(true);
    const corpus: string[] = readdirSync(join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.msgr'))
      .map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8'));
    corpus.push(msgrPolicy(plan(300, 12), ['nftables', 'iptables', 'netsh', 'pf']));
    for (let k = 0; k < COUNT; k++) {
      const p = policy();
      corpus.push(rnd(3) === 0 ? p : mutate(rnd(5) === 0 ? mutate(p) : p));
    }
    let valid = 0;
    for (const text of corpus) {
      const fast = parsePolicy(text, 'f.msgr');
      const slow = parsePolicy(text, 'f.msgr', { fastPath: false });
      expect({ ast: fast.ast, diagnostics: fast.diagnostics }, text).toEqual({ ast: slow.ast, diagnostics: slow.diagnostics });
      // Both parsers read the text with its hidden characters blanked (MSGR007 is reported before either runs).
      const tookFast = parseFast(blankHiddenCharacters(text)) !== undefined;
      if (slow.diagnostics.length === 0) {
        valid++;
        expect(slow.parseCount, `ambiguous:\n${text}`).toBe(1);
        expect(tookFast, `well-formed but missed the fast path:\n${text}`).toBe(true);
      } else {
        expect(tookFast, `the fast path accepted a policy nearley rejects:\n${text}`).toBe(false);
      }
    }
    // Both kinds must be well represented, or the test proves little.
    expect(valid).toBeGreaterThan(corpus.length / 4);
    expect(corpus.length - valid).toBeGreaterThan(corpus.length / 4);
    console.log(`fast path: ${corpus.length} policies, ${valid} well-formed, ${corpus.length - valid} broken; fast path and nearley agree on every one`);
  });
});
