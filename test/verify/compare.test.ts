// verify's comparison, without a kernel: the live table is hand-written nft JSON (what
// `nft -j list table` prints), read by the nftables reader; the policy's side is its IR through
// diff's box algebra. The kernel tests (verify.kernel.test.ts) read real rulesets.
import { describe, expect, it } from 'vitest';
import { Work } from '../../src/addresses/boxes.js';
import { firewallView } from '../../src/evaluate/view.js';
import type { IrDocument } from '../../src/ir/types.js';
import type { NftListing } from '../../src/live/nftables.js';
import { verifyFirewall, VerifyTooComplex, type VerifyReport } from '../../src/verify/compare.js';
import { liveNftables } from '../../src/verify/nftables.js';
import { VerifyTrouble } from '../../src/verify/regions.js';
import { renderVerify, verifyClassText } from '../../src/verify/render.js';
import { irOf } from '../helpers.js';

const HOST = `deployment t {
  network lan    = 10.0.0.0/24, 2001:db8::/64
  network admins = 192.0.2.0/24
  firewall fw {
    on lan
    targets nftables
    default deny
    allow tcp 22 from admins
  }
}
`;

const GATEWAY = `deployment t {
  network inside  = 10.0.0.0/24
  network outside = 198.51.100.0/24
  firewall gw {
    between inside and outside
    targets nftables
    default deny
    allow tcp 443 from inside to outside
  }
}
`;

type Obj = Record<string, unknown>;
const m = (left: Obj, right: unknown, op = '==') => ({ match: { op, left, right } });
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
const ACCEPT = { accept: null };
const DROP = { drop: null };

/** A listing of table inet msgr_<fw>: chains (with hook and policy for base chains) and their rules, handles from 10 up. */
function listing(fw: string, chains: { name: string; hook?: string; policy?: string; prio?: number; rules: Obj[][] }[]): NftListing {
  const table = `msgr_${fw}`;
  let handle = 10;
  const objects: Obj[] = [{ metainfo: { json_schema_version: 1 } }, { table: { family: 'inet', name: table, handle: 1 } }];
  const text: string[] = [`table inet ${table} { # handle 1`];
  for (const c of chains) {
    objects.push({ chain: { family: 'inet', table, name: c.name, handle: handle++, ...(c.hook ? { type: 'filter', hook: c.hook, prio: c.prio ?? 0, policy: c.policy } : {}) } });
    text.push(`\tchain ${c.name} {`);
    for (const expr of c.rules) {
      objects.push({ rule: { family: 'inet', table, chain: c.name, handle, expr } });
      text.push(`\t\t${JSON.stringify(expr)} # handle ${handle++}`);
    }
    text.push('\t}');
  }
  text.push('}');
  return { json: JSON.stringify({ nftables: objects }), text: `${text.join('\n')}\n` };
}

const preamble = [
  [m({ meta: { key: 'iif' } }, 'lo'), ACCEPT],
  [m({ ct: { key: 'state' } }, ['established', 'related'], 'in'), ACCEPT],
  [m({ ct: { key: 'state' } }, 'invalid', 'in'), DROP],
];
const ssh = [m(payload('ip', 'saddr'), { prefix: { addr: '192.0.2.0', len: 24 } }), m(payload('tcp', 'dport'), 22), ACCEPT];
const telnet = [m(payload('tcp', 'dport'), 23), ACCEPT];

function verify(text: string, fwName: string, live: NftListing | undefined, expected?: NftListing, work?: Work): VerifyReport {
  const ir: IrDocument = irOf(text, 'site.msgr');
  const fw = ir.firewalls.find((f) => f.name === fwName)!;
  const p = { ir, source: { file: 'site.msgr', text } };
  return verifyFirewall(p, firewallView(fw), 'nftables', liveNftables(fw, live, expected ?? live ?? listing(fwName, [])), work);
}

const hostTable = (input: Obj[][], extra: { name: string; hook?: string; policy?: string; prio?: number; rules: Obj[][] }[] = []) =>
  listing('fw', [{ name: 'input', hook: 'input', policy: 'drop', rules: input }, ...extra]);
const classes = (r: VerifyReport, key: 'allowedOnlyLive' | 'allowedOnlyByPolicy' | 'repliesDropped') => r[key].flatMap((d) => d.classes.map(verifyClassText));

describe('verify: the live table against the policy, by meaning', () => {
  it('is identical when the table does what the policy says, whatever the order of independent rules', () => {
    expect(verify(HOST, 'fw', hostTable([...preamble, ssh])).status).toBe('identical');
    // The policy's input rules start after the preamble; a live table that puts the allow first means the same.
    const reordered = hostTable([ssh, ...preamble]);
    const r = verify(HOST, 'fw', reordered, hostTable([...preamble, ssh]));
    expect(r.allowedOnlyLive).toEqual([]);
    expect(r.allowedOnlyByPolicy).toEqual([]);
    expect(r.status).toBe('identical');
  });

  it('names the traffic a hand-inserted rule lets through, the live rule and the policy line that denies it', () => {
    const r = verify(HOST, 'fw', hostTable([telnet, ...preamble, ssh]), hostTable([...preamble, ssh]));
    expect(r.status).toBe('drift');
    expect(classes(r, 'allowedOnlyLive')).toEqual(['tcp input ipv4  any -> any  dport 23', 'tcp input ipv6  any -> any  dport 23']);
    expect(r.allowedOnlyLive[0]!.live.rules).toEqual([{ where: 'chain input, handle 11', text: JSON.stringify(telnet) }]);
    expect(r.allowedOnlyLive[0]!.policy).toMatchObject({ kind: 'policy', verdict: 'drop', lines: [{ line: 7, source: 'default deny' }] });
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'foreign', rule: { where: 'chain input, handle 11', text: JSON.stringify(telnet) } })]);
    const text = renderVerify(r);
    expect(text).toContain('+ allowed live, not by the policy:\n      tcp input ipv4  any -> any  dport 23');
    expect(text).toContain('site.msgr:7: default deny');
  });

  it('names the flow a deleted rule loses, with the policy rule and line that allow it', () => {
    const r = verify(HOST, 'fw', hostTable(preamble), hostTable([...preamble, ssh]));
    expect(classes(r, 'allowedOnlyByPolicy')).toEqual(['tcp input ipv4  192.0.2.0/24 -> any  dport 22']);
    expect(r.allowedOnlyByPolicy[0]!.policy).toMatchObject({ kind: 'rule', verdict: 'accept', lines: [{ line: 8 }] });
    expect(r.allowedOnlyByPolicy[0]!.live).toEqual({ kind: 'policy', verdict: 'drop', rules: [], text: "dropped by chain input's policy (drop)" });
    expect(r.findings.map((f) => f.kind)).toEqual(['missing']);
  });

  it('finds replies the live table drops (no return-traffic rule)', () => {
    const r = verify(HOST, 'fw', hostTable([preamble[0]!, ssh]), hostTable([...preamble, ssh]));
    expect(r.allowedOnlyLive).toEqual([]);
    expect(r.allowedOnlyByPolicy).toEqual([]);
    // Every reply into the host is dropped but those the ssh rule happens to match again.
    expect(classes(r, 'repliesDropped')).toContain('tcp input ipv6  any -> any  dport any');
    expect(r.repliesDropped[0]!.policy).toMatchObject({ kind: 'preamble', what: 'return traffic' });
  });

  it('tells interfaces apart: a rule for one interface opens only that one; loopback is the preamble\'s', () => {
    const eth0 = [m({ meta: { key: 'iifname' } }, 'eth0'), ...telnet];
    const r = verify(HOST, 'fw', hostTable([...preamble, eth0, ssh]), hostTable([...preamble, ssh]));
    expect(classes(r, 'allowedOnlyLive')).toEqual(['tcp input ipv4  any -> any  dport 23  iif eth0', 'tcp input ipv6  any -> any  dport 23  iif eth0']);
    // Without the loopback rule, loopback traffic is dropped: the policy lets it through.
    const noLo = verify(HOST, 'fw', hostTable([...preamble.slice(1), ssh]), hostTable([...preamble, ssh]));
    expect(classes(noLo, 'allowedOnlyByPolicy')).toContain('udp input ipv4  any -> any  dport any  iif lo');
    expect(classes(noLo, 'allowedOnlyByPolicy')).toContain('tcp input ipv6  any -> any  dport any  iif lo');
  });

  it('runs every base chain of a hook: a second chain that drops closes what the first accepts', () => {
    const second = { name: 'extra', hook: 'input', policy: 'accept', prio: 10, rules: [[m(payload('tcp', 'dport'), 22), DROP]] };
    const r = verify(HOST, 'fw', hostTable([...preamble, ssh], [second]), hostTable([...preamble, ssh]));
    // Loopback too: the preamble lets it through in the policy's first chain, the second drops it.
    expect(classes(r, 'allowedOnlyByPolicy')).toEqual(['tcp input ipv4  192.0.2.0/24 -> any  dport 22', 'tcp input ipv4  any -> any  dport 22  iif lo', 'tcp input ipv6  any -> any  dport 22  iif lo']);
    expect(r.allowedOnlyByPolicy.flatMap((d) => d.live.rules.map((x) => x.where))).toEqual(['chain extra, handle 16', 'chain extra, handle 16']);
    expect(r.findings.map((f) => f.kind)).toEqual(['foreign', 'foreign']); // the chain and its rule
  });

  it('a gateway: traffic outside its zones passes on both sides; a forward policy of drop stops it live', () => {
    const zones = [m(payload('ip', 'saddr'), { prefix: { addr: '10.0.0.0', len: 24 } }), m(payload('ip', 'daddr'), { prefix: { addr: '198.51.100.0', len: 24 } }), { jump: { target: 'crossing' } }];
    const back = [m(payload('ip', 'saddr'), { prefix: { addr: '198.51.100.0', len: 24 } }), m(payload('ip', 'daddr'), { prefix: { addr: '10.0.0.0', len: 24 } }), { jump: { target: 'crossing' } }];
    const crossing = { name: 'crossing', rules: [preamble[1]!, preamble[2]!, [m(payload('ip', 'saddr'), { prefix: { addr: '10.0.0.0', len: 24 } }), m(payload('ip', 'daddr'), { prefix: { addr: '198.51.100.0', len: 24 } }), m(payload('tcp', 'dport'), 443), ACCEPT], [DROP]] };
    const table = (policy: string) => listing('gw', [{ name: 'forward', hook: 'forward', policy, rules: [zones, back] }, crossing]);
    expect(verify(GATEWAY, 'gw', table('accept')).status).toBe('identical');
    const r = verify(GATEWAY, 'gw', table('drop'), table('accept'));
    expect(r.allowedOnlyByPolicy[0]!.policy.kind).toBe('unjudged');
    expect(r.allowedOnlyByPolicy[0]!.live.text).toBe("dropped by chain forward's policy (drop)");
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'changed', message: expect.stringContaining('policy drop; the policy\'s is type filter hook forward priority 0; policy accept') })]);
  });

  it('reports a table that is not there as not applied, and nothing else', () => {
    const r = verify(HOST, 'fw', undefined, hostTable([...preamble, ssh]));
    expect(r).toMatchObject({ status: 'not-applied', allowedOnlyLive: [], findings: [{ kind: 'not-applied', message: 'not applied: there is no table inet msgr_fw' }] });
    expect(renderVerify(r)).toContain('drift: the firewall is not applied');
  });

  it('refuses what it cannot decide exactly, naming the rule; stops at its work limit', () => {
    const ttl = [m(payload('ip', 'ttl'), 64), ...telnet];
    expect(() => verify(HOST, 'fw', hostTable([...preamble, ttl]))).toThrow(VerifyTrouble);
    expect(() => verify(HOST, 'fw', hostTable([...preamble, ttl]))).toThrow(/chain input, handle 14 matches: ip ttl == 64/);
    expect(() => verify(HOST, 'fw', hostTable([...preamble, telnet]), undefined, new Work(50))).toThrow(VerifyTooComplex);
  });
});
