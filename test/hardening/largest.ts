// The largest policies the limits allow, in the shapes that multiply what targets write: each
// fills a share `fill` of MAX_POLICY_CHARS (sizes.test.ts feeds them to every target).
import { MAX_POLICY_CHARS } from '../../src/parse/parse.js';

/** Block i of a side: distinct, never adjacent (so nothing merges): IPv4 /25s, then IPv6 /64s. */
const block = (side: number, i: number) =>
  i < 65536 ? `${10 + side}.${i >> 8}.${i & 255}.0/25` : `2001:db8:${(0x100 * side + (i >> 16)).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
const blocks = (side: number, n: number, from = 0) => Array.from({ length: n }, (_, i) => block(side, from + i)).join(', ');
/** Odd ports, `count` of them starting at the `offset`-th, as a rule's list. */
const oddPorts = (count: number, offset: number) => Array.from({ length: count }, (_, i) => 1 + 2 * ((offset + i) % 32768)).join(',');
const bytesOf = (x: number) => Math.floor(x * MAX_POLICY_CHARS);

/**
 * The policy `make(n)` for an n whose text fills `fill` of MAX_POLICY_CHARS to within 0.2%
 * below it, or the largest there is when the text stops growing with n (a shape may cap itself,
 * as one rule holds at most all 32,768 odd ports). A text grows about linearly with n, so a
 * secant step from the last two sizes finds n in a few builds of the 4 MiB text (doubling and
 * bisecting took some twenty).
 */
function largest(fill: number, make: (n: number) => string): string {
  const goal = bytesOf(fill);
  let [a, textA] = [1, make(1)];
  let [b, textB] = [64, make(64)];
  let best = textB.length <= goal ? textB : textA;
  for (let step = 0; step < 30; step++) {
    if (textB.length <= goal && textB.length >= goal * 0.998) return textB;
    if (textB.length === textA.length) return best;
    const slope = (textB.length - textA.length) / (b - a);
    // Aim a little below the goal, so that the step lands under it rather than past it.
    const next = Math.max(1, Math.floor(b + (goal * 0.999 - textB.length) / slope));
    if (next === b) return best;
    [a, textA] = [b, textB];
    [b, textB] = [next, make(next)];
    if (textB.length <= goal && textB.length > best.length) best = textB;
  }
  return best;
}

/** `rules` plain rules on one host, each with as many ports as the size allows (up to all 32,768 odd ones). */
export function manyPorts(fill: number, rules: number, udp: boolean): string {
  return largest(fill, (n) => {
    const perRule = Math.min(32768, n);
    const lines = Array.from({ length: rules }, (_, k) => `    allow ${udp && k % 2 ? 'udp' : 'tcp'} ${oddPorts(perRule, k * 97)} from r`);
    return `deployment d {\n  network h = 192.168.0.0/16\n  network r = ${blocks(1, 20)}\n  firewall f {\n    on h\n    targets netsh\n${lines.join('\n')}\n  }\n}\n`;
  });
}

/** One host rule from a remote network to part of the host, both of as many blocks as the size allows; optionally a deny of other blocks first. */
export function manyBlocks(fill: number, localShare: number, withDeny: boolean): string {
  return largest(fill, (n) => {
    const local = Math.max(1, Math.floor(n * localShare));
    const remote = Math.max(1, n - local);
    const deny = withDeny ? `  network bad = ${blocks(2, 1000, 30000)}\n` : '';
    return (
      `deployment d {\n  network mine = ${blocks(0, local)}\n  network h = mine, 192.168.0.0/16\n  network r = ${blocks(1, remote)}\n${deny}` +
      `  firewall f {\n    on h\n    targets netsh\n${withDeny ? '    deny tcp 22 from bad\n' : ''}    allow tcp 22, 3389, 5985-5986 from r to mine\n  }\n}\n`
    );
  });
}

/** `firewalls` host firewalls on one network of as many blocks as the rest of the size allows, each letting the whole network in (so every target writes it out). */
export function manyFirewalls(fill: number, wanted: number): string {
  const firewalls = Math.min(wanted, Math.floor(bytesOf(fill) / 2 / 80));
  const fws = Array.from({ length: firewalls }, (_, i) => `  firewall f${i} {\n    on big\n    targets nftables\n    allow tcp 22 from big\n  }\n`).join('');
  return largest(fill, (n) => `deployment d {\n  network big = ${blocks(0, Math.max(1, n))}\n${fws}}\n`);
}

/** A gateway between two zones of as many blocks as the size allows, with `rules` plain rules of many ports between them. */
export function bigZones(fill: number, rules: number): string {
  const lines = Array.from({ length: rules }, (_, k) => `    allow tcp ${oddPorts(20, k * 20)} from a to b`).join('\n');
  return largest(fill, (n) => {
    const half = Math.max(1, Math.floor(n / 2));
    return `deployment d {\n  network a = ${blocks(0, half)}\n  network b = ${blocks(1, half)}\n  firewall g {\n    between a and b\n    targets nftables\n${lines}\n  }\n}\n`;
  });
}


/**
 * `firewalls` host firewalls for nftables and iptables, and a description (every kind of
 * character a string may hold, multi-byte ones among them) of as many characters as the rest
 * allows: every file of every firewall carries it.
 */
export function longDescription(fill: number, firewalls: number): string {
  const fws = Array.from({ length: firewalls }, (_, i) => `  firewall f${i} {\n    on h\n    targets nftables, iptables\n    allow tcp 22 from r\n  }\n`).join('');
  const unit = 'Zürich Ærø 中文 日本語 עברית 🔥 \\"quoted\\" back\\\\slash %PATH% & <x> $y `z` ';
  // Cut whole: not inside an escape or a surrogate pair.
  const text = (n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n).replace(/[\ud800-\udbff]$/, '').replace(/\\+$/, '');
  return largest(fill, (n) => `deployment d {\n  description "${text(n)}"\n  network h = 10.0.0.0/8\n  network r = 192.0.2.0/24\n${fws}}\n`);
}
