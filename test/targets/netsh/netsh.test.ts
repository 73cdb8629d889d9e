import { describe, expect, it } from 'vitest';
import type { IrDocument, IrFirewall } from '../../../src/ir/types.js';
import { judgeFirewall } from '../../../targets/judge.js';
import { netsh } from '../../../targets/netsh/index.js';
import { targetFindings } from '../../../targets/judge.js';
import { emitTargets } from '../../../targets/emit.js';
import { EXAMPLES, irOf, policy } from '../../helpers.js';
import { batchSafetyProblems, parseBatch } from '../../../targets/netsh/readerCmd.js';
import { disagreements, probesFor } from '../../../targets/readers/evaluate.js';
import { irPolicy, irToTuples } from '../../readers/ir.js';
import { initialNetshState, mergeSplitRules, netshPolicy, netshTuples, PROFILES, readNetshScript, windowsEvaluationOrder, type NetshState } from '../../../targets/netsh/reader.js';
import { tupleText } from '../../../targets/readers/tuple.js';

const ALLOWED_COMMANDS = ['netsh', 'setlocal', 'endlocal', 'if', 'exit', 'echo'];

function files(doc: IrDocument, fwName: string): Record<string, string> {
  const fw = doc.firewalls.find((f) => f.name === fwName)!;
  return Object.fromEntries(netsh.render(doc, fw).map((a) => [a.name, a.content]));
}
const cmdOf = (doc: IrDocument, fw: string) => files(doc, fw)[`${fw}.cmd`]!;
const fwOf = (doc: IrDocument, name: string) => doc.firewalls.find((f) => f.name === name)!;

/** The reader's view of a script, compared with the IR both literally and by verdicts. */
function expectFaithful(doc: IrDocument, fw: IrFirewall, cmd: string, before: NetshState = initialNetshState()) {
  const state = readNetshScript(cmd, before);
  expect(state.exitCode).toBe(0);
  const ours = { rules: state.rules.filter((r) => r.name === `msgrfw ${doc.deployment} ${fw.name}`) };
  const tuples = netshTuples(ours);
  // netsh names one ICMP type per rule (protocol=icmpv4:TYPE,any): the IR's rule of several, one each.
  const expected = irToTuples(fw).flatMap((t) => (t.icmpTypes ? t.icmpTypes.map((x) => ({ ...t, icmpTypes: [x] })) : [t]));
  expect(tuples.map(tupleText)).toEqual(expected.map(tupleText));
  expect(tuples).toEqual(expected);
  for (const profile of PROFILES) {
    expect(netshPolicy(state, profile)).toEqual({ in: fw.policy.input ?? 'accept', out: fw.policy.output ?? 'accept' });
    expect(state.profiles[profile].logDropped).toBe(fw.logDenied || before.profiles[profile].logDropped);
    expect(state.profiles[profile].state).toBe('on');
  }
  // Windows lets block rules win whatever their order; that must still be the policy's first match.
  const ir = { tuples: irToTuples(fw), policy: irPolicy(fw) };
  const win = { tuples: windowsEvaluationOrder(tuples), policy: { in: fw.policy.input, out: fw.policy.output } };
  expect(disagreements(ir, win, probesFor([...ir.tuples, ...tuples]))).toEqual([]);
  for (const r of ours.rules) {
    expect(r.profiles).toEqual(['domain', 'private', 'public']);
    expect(r.enable).toBe(true);
    expect(r.description).toMatch(/^r[0-9]+: line [0-9]/);
  }
  return state;
}

describe('netsh target: every host firewall of every example reads back as its IR', () => {
  const cases = EXAMPLES.flatMap((e) =>
    irOf(e.text, e.name)
      .firewalls.filter((fw) => fw.placement.kind === 'host')
      .map((fw) => [e.name, fw.name, e.text] as const),
  );
  it.each(cases)('%s firewall %s', (file, name, text) => {
    const doc = irOf(text, file);
    const cmd = cmdOf(doc, name);
    expectFaithful(doc, fwOf(doc, name), cmd);
    expect(batchSafetyProblems(cmd, ALLOWED_COMMANDS)).toEqual([]);
    expect(cmdOf(doc, name)).toBe(cmd);
  });

  it.each(cases)('%s firewall %s: running the script twice gives the state of running it once', (file, name, text) => {
    const doc = irOf(text, file);
    const cmd = cmdOf(doc, name);
    const once = readNetshScript(cmd);
    const twice = readNetshScript(cmd, once);
    expect(twice.rules).toEqual(once.rules);
    expect(twice.profiles).toEqual(once.profiles);
  });
});

describe('netsh target: placement', () => {
  it('declares that it refuses a gateway, instead of writing host rules; rendering one anyway is a bug, not a finding', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    expect(judgeFirewall(fwOf(doc, 'edge'), 'netsh')).toEqual([
      { kind: 'refused', message: expect.stringMatching(/^edge is a gateway between clients and partners: Windows Firewall \(netsh\) filters only/), hint: expect.stringMatching(/nftables, iptables or pf/) },
    ]);
    expect(judgeFirewall(fwOf(doc, 'desktop'), 'netsh')).toEqual([]);
    expect(() => files(doc, 'edge')).toThrowError(/^netsh: the IR breaks an invariant: firewall edge is a gateway/);
  });
});

describe('netsh target: idempotence by one shared rule name', () => {
  const big = policy({
    firewalls: `firewall fw {
    on srv
    targets netsh
    default deny
    allow tcp 22 from cl
    allow tcp 3389 from pt
    allow udp 161 from pt
  }`,
  });
  const small = policy({
    firewalls: `firewall fw {
    on srv
    targets netsh
    default deny
  }`,
  });

  it('a re-apply after the policy shrank leaves none of the old rules, and no foreign rule is touched', () => {
    let state = initialNetshState();
    // A rule another tool created, with a name that merely starts like ours.
    state = readNetshScript('netsh advfirewall firewall add rule name="msgrfw t fw-other" dir=in action=allow protocol=TCP localport=80\r\n', state);
    const bigDoc = irOf(big);
    state = expectFaithful(bigDoc, fwOf(bigDoc, 'fw'), cmdOf(bigDoc, 'fw'), state);
    expect(state.rules.filter((r) => r.name === 'msgrfw t fw')).toHaveLength(fwOf(bigDoc, 'fw').rules.length);
    expect(fwOf(bigDoc, 'fw').rules.length).toBeGreaterThan(fwOf(irOf(small), 'fw').rules.length);

    const smallDoc = irOf(small);
    state = expectFaithful(smallDoc, fwOf(smallDoc, 'fw'), cmdOf(smallDoc, 'fw'), state);
    expect(state.rules.map((r) => r.name)).toEqual(['msgrfw t fw-other', ...fwOf(smallDoc, 'fw').rules.map(() => 'msgrfw t fw')]);
    expect(state.rules.some((r) => r.localport !== 'any' && r.localport[0]!.from === 3389)).toBe(false);
  });

  it('every add uses the one name the delete removes', () => {
    const cmd = cmdOf(irOf(big), 'fw');
    const names = new Set<string>();
    const deletes: string[] = [];
    const state = readNetshScript(cmd);
    for (const argv of state.log) {
      const name = argv.find((a) => a.startsWith('name='));
      if (argv[2] === 'add') names.add(name!);
      if (argv[2] === 'delete') deletes.push(name!);
    }
    expect([...names]).toEqual(['name=msgrfw t fw']);
    expect(deletes).toEqual(['name=msgrfw t fw']);
    // The delete comes before the first add.
    expect(state.log.findIndex((a) => a[2] === 'delete')).toBeLessThan(state.log.findIndex((a) => a[2] === 'add'));
  });
});

describe('netsh target: ICMP rules', () => {
  it('one command per family and type (protocol=icmpv4:8,any), the peer in that family only; read back as the IR', () => {
    const doc = irOf(policy({ firewalls: 'firewall fw {\n    on srv\n    targets netsh\n    default deny\n    deny icmp from 10.20.0.66\n    allow icmp echo-request from cl\n    allow tcp 3389 from cl\n  }' }));
    const cmd = cmdOf(doc, 'fw');
    const rules = cmd.split('\r\n').filter((l) => l.includes('add rule'));
    expect(rules.filter((l) => l.includes('icmp'))).toEqual([
      expect.stringContaining('dir=in action=block protocol=icmpv4:8,any remoteip=10.20.0.66 '),
      expect.stringContaining('dir=in action=block protocol=icmpv4:13,any remoteip=10.20.0.66 '),
      expect.stringContaining('dir=in action=allow protocol=icmpv4:8,any remoteip=10.20.0.0/16 '),
      expect.stringContaining('dir=in action=allow protocol=icmpv6:128,any remoteip=2001:db8:20::/48 '),
    ]);
    expectFaithful(doc, fwOf(doc, 'fw'), cmd);
  });

  it('refuses an ICMP deny after an allow of the same type it overlaps, not of another type', () => {
    const fw = (rules: string) => fwOf(irOf(policy({ firewalls: `firewall fw {\n    on srv\n    targets netsh\n    default accept\n    ${rules}\n  }` })), 'fw');
    expect(judgeFirewall(fw('allow icmp echo-request from cl\n    deny icmp from 10.20.0.66'), 'netsh')).toMatchObject([{ kind: 'refused' }]);
    expect(judgeFirewall(fw('allow icmp echo-request from cl\n    deny icmp timestamp-request from 10.20.0.66'), 'netsh')).toEqual([]);
  });
});

describe('netsh target: rules', () => {
  it('inbound: destination ports are local, source ports remote, the peer is remoteip (both families in one list)', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    const cmd = cmdOf(doc, 'desktop');
    expect(cmd).toContain(
      'netsh advfirewall firewall add rule name="msgrfw contoso desktop" dir=in action=allow protocol=UDP localport=50000-50039 remoteport=50000-50039 remoteip=10.20.0.0/16,198.51.100.0/24,2001:db8:20::/48 profile=any enable=yes description="r3: ',
    );
    expect(cmd).toMatch(/^netsh advfirewall set allprofiles firewallpolicy blockinbound,allowoutbound\r$/m);
    expect(cmd).not.toContain('logging');
  });

  it('outbound (outbound deny): destination ports are remote ports, the host side is localip when only part of it matches', () => {
    const text = policy({
      networks: 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24\n  network lan = 10.0.0.0/8',
      clients: 'server srv via tls\n    features im, presence, file-transfer\n    peers pt',
      firewalls: `firewall fw {
    on lan
    targets netsh
    default deny
    outbound deny
    log denied
  }`,
    });
    const doc = irOf(text);
    const fw = fwOf(doc, 'fw');
    const cmd = cmdOf(doc, 'fw');
    expectFaithful(doc, fw, cmd);
    expect(fw.rules.some((r) => r.direction === 'output')).toBe(true);
    expect(cmd).toMatch(/dir=out action=allow protocol=TCP remoteport=5061 localip=10\.20\.0\.0\/16 remoteip=10\.1\.1\.10 /);
    expect(cmd).toMatch(/dir=in action=allow protocol=TCP localport=5061 localip=10\.1\.1\.10 remoteip=10\.20\.0\.0\/16 /);
    expect(cmd).toMatch(/^netsh advfirewall set allprofiles firewallpolicy blockinbound,blockoutbound\r$/m);
    expect(cmd).toMatch(/^netsh advfirewall set allprofiles logging droppedconnections enable\r$/m);
  });

  it('a rule narrower than its address sets lists only its families in remoteip', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    const fw = structuredClone(fwOf(doc, 'desktop'));
    const r2 = fw.rules.find((r) => r.id === 'r2')!;
    expect(r2.families).toEqual([4, 6]);
    r2.families = [6];
    const cmd = netsh.render(doc, fw)[0]!.content;
    expect(cmd).toMatch(/localport=1503,6891-6900 remoteip=2001:db8:20::\/48 profile=any/);
    expectFaithful(doc, fw, cmd);
  });

  it('a rule of one family with no addresses on either side is pinned to the family by remoteip', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    const fw = structuredClone(fwOf(doc, 'lcs-host'));
    delete fw.rules[0]!.src;
    fw.rules[0]!.families = [4];
    const cmd = netsh.render(doc, fw)[0]!.content;
    expect(cmd).toContain('remoteip=0.0.0.0-255.255.255.255 ');
    expectFaithful(doc, fw, cmd);
  });

  it('splits a rule whose address list would pass the cmd.exe line limit, without changing what it matches', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    const fw = structuredClone(fwOf(doc, 'lcs-host'));
    fw.addressSets[0]!.ipv4 = Array.from({ length: 1200 }, (_, i) => `10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`);
    const cmd = netsh.render(doc, fw)[0]!.content;
    const lines = cmd.split('\r\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(8191);
    expect(lines.filter((l) => l.startsWith('netsh advfirewall firewall add rule')).length).toBeGreaterThan(1);
    const state = readNetshScript(cmd);
    const ir = { tuples: irToTuples(fw), policy: irPolicy(fw) };
    const read = { tuples: windowsEvaluationOrder(netshTuples(state)), policy: netshPolicy(state, 'domain') };
    expect(disagreements(ir, read, probesFor([...ir.tuples, ...read.tuples]))).toEqual([]);
  });

  /** A host on `h` with one plain rule: `ports` (1 to 32,768 odd ports), `remote` and `local` blocks (local: part of the host). */
  const wide = (ports: number, remote: number, local: number) => {
    const odd = Array.from({ length: ports }, (_, i) => 2 * i + 1).join(',');
    const blocks = (n: number, a: number) => Array.from({ length: n }, (_, i) => `${a}.${(i >> 8) & 255}.${i & 255}.0/25`).join(', ');
    const to = local ? ' to mine' : '';
    const mine = local ? `network mine = ${blocks(local, 10)}\n  network h = mine, 192.168.0.0/16` : 'network h = 192.168.0.0/16';
    return irOf(`deployment d {\n  ${mine}\n  network r = ${blocks(remote, 172)}\n  firewall f {\n    on h\n    targets netsh\n    allow tcp ${odd} from r${to}\n  }\n}\n`);
  };
  /** Every `add rule` line, and each of its lists' entry counts. */
  const addRules = (cmd: string) => cmd.split('\r\n').filter((l) => l.startsWith('netsh advfirewall firewall add rule'));
  const listSizes = (line: string) => [...line.matchAll(/ (?:local|remote)(?:ip|port)=(\S+)/g)].map((m) => m[1]!.split(',').length);

  it('splits a rule of 32,768 ports into commands below the 8,191 characters of cmd.exe and 1,000 entries a list, that read back as the one rule', () => {
    const doc = wide(32768, 1, 0);
    const fw = doc.firewalls[0]!;
    const cmd = netsh.render(doc, fw)[0]!.content;
    const adds = addRules(cmd);
    expect(adds.length).toBeGreaterThan(20);
    for (const l of adds) expect(l.length).toBeLessThanOrEqual(7800);
    // The low ports are short: a line's share would hold some 1,200 of them.
    for (const l of adds) for (const n of listSizes(l)) expect(n).toBeLessThanOrEqual(1000);
    const state = readNetshScript(cmd);
    expect(state.exitCode).toBe(0);
    expect(netshTuples({ rules: mergeSplitRules(state.rules) }).map(tupleText)).toEqual(irToTuples(fw).map(tupleText));
  });

  it('splits both address lists and the ports of one rule, each list within 1,000 entries, and reads back as the one rule', () => {
    const doc = wide(1500, 1500, 1500);
    const fw = doc.firewalls[0]!;
    const cmd = netsh.render(doc, fw)[0]!.content;
    const adds = addRules(cmd);
    for (const l of adds) {
      expect(l.length).toBeLessThanOrEqual(7800);
      for (const n of listSizes(l)) expect(n).toBeLessThanOrEqual(1000);
    }
    const state = readNetshScript(cmd);
    expect(netshTuples({ rules: mergeSplitRules(state.rules) }).map(tupleText)).toEqual(irToTuples(fw).map(tupleText));
    // Equal shares of the line make the fewest commands: each of the three lists gets a third of
    // what the rest of the line leaves (a chunk wastes less than one entry of its share).
    const rest = adds[0]!.replace(/ (?:local|remote)(?:ip|port)=\S+/g, '').length + 3 * ' localport='.length;
    const share = (7800 - rest) / 3;
    const joined = (xs: readonly string[]) => xs.join(',').length;
    const set = (n: string) => fw.addressSets.find((x) => x.name === n)!.ipv4;
    const lengths = [joined(fw.rules[0]!.dstPorts!.ranges.map((r) => `${r.from}`)), joined(set(fw.rules[0]!.src!)), joined(set(fw.rules[0]!.dst!))];
    expect(lengths.every((l) => l > share)).toBe(true);
    expect(adds.length).toBeLessThanOrEqual(lengths.reduce((n, l) => n * Math.ceil(l / (share - 20)), 1));
  });

  it('refuses a firewall whose commands would pass 64 MiB (MSGR053) from the IR alone, saying which rule multiplies, and never renders it', () => {
    const doc = wide(1, 60000, 60000);
    const started = Date.now();
    const findings = targetFindings(doc);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(findings.map((f) => [f.kind, f.target, f.firewall.name])).toEqual([['too-large', 'netsh', 'f']]);
    expect(findings[0]!.message).toMatch(
      /^f\.cmd would be [0-9.]+ MiB in [0-9,]+ netsh commands; .*rule r1 alone takes [0-9,]+ chunks of its 60,000 localip entries × [0-9,]+ chunks of its 60,000 remoteip entries = [0-9,]+ commands .*; msgrfw writes at most 64\.0 MiB per file$/,
    );
    const emitted = emitTargets(doc, {});
    expect(emitted.files).toEqual([]);
    expect(emitted.tooLarge).toEqual(findings);
  });

  it('a deny before an overlapping allow is fine: Windows lets the block win, as first match does', () => {
    const text = policy({
      firewalls: `firewall fw {
    on srv
    targets netsh
    default deny
    deny tcp 5061 from pt
  }`,
      clients: 'server srv via tls\n    features im, presence',
    });
    const doc = irOf(text);
    expectFaithful(doc, fwOf(doc, 'fw'), cmdOf(doc, 'fw'));
  });

  it('refuses a deny after an allow that overlaps it: Windows would block what the policy allows', () => {
    const text = policy({
      networks: 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24\n  network some = 10.20.5.0/24',
      firewalls: `firewall fw {
    on srv
    targets netsh
    default deny
    allow tcp 22 from cl
    deny tcp 20-30 from some
  }`,
    });
    const doc = irOf(text);
    expect(judgeFirewall(fwOf(doc, 'fw'), 'netsh')).toEqual([
      {
        kind: 'refused',
        message:
          'rule r2 (line 18: firewall fw: deny tcp 20-30 from some) denies traffic that the earlier rule r1 (line 17: firewall fw: allow tcp 22 from cl) allows; ' +
          'netsh applies block rules before allow rules whatever their order (as Windows Firewall does), so it would block what the policy allows',
        hint: 'put the deny first, or narrow the rules so they do not overlap',
      },
    ]);
    // The same rules in the other order mean the same to Windows and to the policy: accepted.
    const swapped = irOf(text.replace('allow tcp 22 from cl\n    deny tcp 20-30 from some', 'deny tcp 20-30 from some\n    allow tcp 22 from cl'));
    expect(judgeFirewall(fwOf(swapped, 'fw'), 'netsh')).toEqual([]);
    expectFaithful(swapped, fwOf(swapped, 'fw'), cmdOf(swapped, 'fw'));
  });

  it('reports every deny that follows an overlapping allow, each once', () => {
    const text = policy({
      networks: 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24\n  network some = 10.20.5.0/24',
      firewalls: `firewall fw {
    on srv
    targets netsh
    allow tcp 22 from cl
    allow udp 161 from cl
    deny tcp 20-30 from some
    deny tcp 443 from pt
    deny udp 100-200 from cl
  }`,
    });
    const findings = judgeFirewall(fwOf(irOf(text), 'fw'), 'netsh');
    expect(findings.map((f) => f.message.replace(/ \(.*?\)/g, '').split(';')[0])).toEqual([
      'rule r3 denies traffic that the earlier rule r1 allows',
      'rule r5 denies traffic that the earlier rule r2 allows',
    ]);
  });

  it('a deny after an allow that does not overlap it is kept', () => {
    const text = policy({
      firewalls: `firewall fw {
    on srv
    targets netsh
    default deny
    allow tcp 22 from cl
    deny tcp 22 from pt
  }`,
    });
    const doc = irOf(text);
    expectFaithful(doc, fwOf(doc, 'fw'), cmdOf(doc, 'fw'));
  });
});

describe('netsh target: the .reg file', () => {
  const tcpClients = (extra: string) =>
    policy({
      server: 'sip tcp',
      clients: `server srv via tcp\n    features im, presence, audio\n    ${extra}`,
      firewalls: `firewall fw {
    on cl
    targets netsh
    default deny
  }
  firewall srvfw {
    on srv
    targets netsh
    default deny
  }`,
    });

  it('contoso desktop: the media range in both keys, no SIP range (TLS), CRLF, dword hex', () => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, 'contoso.msgr');
    const reg = files(doc, 'desktop')['desktop.reg']!;
    expect(reg.startsWith('Windows Registry Editor Version 5.00\r\n\r\n')).toBe(true);
    expect(reg).not.toMatch(/[^\r]\n/);
    expect(reg).not.toMatch(/[^\x20-\x7e\r\n]/);
    const keys = [...reg.matchAll(/^\[(.*)\]\r$/gm)].map((m) => m[1]);
    expect(keys).toEqual(['HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Communicator\\PortRange', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\RTC\\PortRange']);
    const values = [...reg.matchAll(/^"(\w+)"=(.*)\r$/gm)].map((m) => `${m[1]}=${m[2]}`);
    const one = ['Enabled=dword:00000001', 'MinMediaPort=dword:0000c350', 'MaxMediaPort=dword:0000c377'];
    expect(values).toEqual([...one, ...one]);
    expect(reg).toMatch(/^; .*Windows Messenger 5\.x .*RTC Client API.*HKLM\\Software\\Policies\\Microsoft\\Windows\\RTC\\PortRange/m);
    expect(reg).toMatch(/^; MinSipDynamicPort\/MaxSipDynamicPort: not set, the clients use TLS/m);
  });

  it('TCP mode writes the SIP dynamic range; an unset media range is said and not set', () => {
    const doc = irOf(tcpClients('sip dynamic ports 7000-7099'));
    const reg = files(doc, 'fw')['fw.reg']!;
    const values = [...reg.matchAll(/^"(\w+)"=(.*)\r$/gm)].map((m) => `${m[1]}=${m[2]}`);
    expect(values.slice(0, 3)).toEqual(['Enabled=dword:00000001', 'MinSipDynamicPort=dword:00001b58', 'MaxSipDynamicPort=dword:00001bbb']);
    expect(values).not.toContain(expect.stringMatching(/MediaPort/));
    expect(reg).toMatch(/^; MinMediaPort\/MaxMediaPort: not set, the policy has no `media ports`/m);
    expect(reg).toMatch(/Office Communicator/);
  });

  it('nothing to set: no values, the keys are left alone', () => {
    const doc = irOf(tcpClients(''));
    const reg = files(doc, 'fw')['fw.reg']!;
    expect(reg).not.toMatch(/^\[/m);
    expect(reg).not.toMatch(/^"/m);
    expect(reg).toMatch(/^; Nothing to set/m);
  });

  it('no .reg for a host that is not a client network', () => {
    const doc = irOf(tcpClients('sip dynamic ports 7000-7099'));
    expect(Object.keys(files(doc, 'srvfw'))).toEqual(['srvfw.cmd']);
  });
});

describe('netsh target: free text cannot reach cmd.exe', () => {
  const NASTY = 'Pilot " & calc.exe | more < in > out %PATH% %~dp0 ^ !x! $(rm -rf /) `id` ; \u00e9\u00e8 \u2028 \u4e2d\u6587 ^';
  const weird = (description: string, file = 'policy.msgr') => {
    const doc = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text, file);
    doc.description = description;
    return doc;
  };

  it.each([
    ['metacharacters', NASTY],
    ['a newline and a fake command', 'ok\r\nnetsh advfirewall set allprofiles state off\r\nrem'],
    ['a lone LF', 'ok\nnetsh advfirewall reset'],
    ['control characters', 'a\u0000b\u001ac\u0007d\u000be\u000cf\u0085g'],
    ['a trailing caret', 'swallow the next line ^'],
  ])('a description with %s', (_what, description) => {
    const doc = weird(description);
    for (const fw of ['desktop', 'lcs-host']) {
      const cmd = cmdOf(doc, fw);
      expect(batchSafetyProblems(cmd, ALLOWED_COMMANDS)).toEqual([]);
      // The same commands run as without any description.
      const plain = weird('');
      delete plain.description;
      expect(readNetshScript(cmd).log).toEqual(readNetshScript(cmdOf(plain, fw)).log);
      expectFaithful(doc, fwOf(doc, fw), cmd);
      // The description's line is one REM line.
      const statements = parseBatch(cmd);
      const descLines = cmd.split('\r\n').filter((l) => l.startsWith('rem Policy description:'));
      expect(descLines).toHaveLength(1);
      expect(statements.filter((s) => s.kind === 'commands').length).toBe(parseBatch(cmdOf(plain, fw)).filter((s) => s.kind === 'commands').length);
    }
  });

  it('a policy file name with metacharacters is neutralised too', () => {
    const doc = weird('x', 'we&ird %name% ^(1).msgr');
    const cmd = cmdOf(doc, 'desktop');
    expect(batchSafetyProblems(cmd, ALLOWED_COMMANDS)).toEqual([]);
    const reg = files(doc, 'desktop')['desktop.reg']!;
    expect(reg).not.toMatch(/[^\x20-\x7e\r\n]/);
  });

  it('the checker itself catches what it must (it is not vacuous)', () => {
    const ok = '@echo off\r\nrem fine\r\nnetsh advfirewall firewall add rule name="a & b" dir=in action=allow\r\n';
    expect(batchSafetyProblems(ok, ALLOWED_COMMANDS)).toEqual([]);
    for (const bad of [
      'rem 100% sure\r\n',
      'rem and ^\r\n',
      'rem a & b\r\n',
      'netsh x & calc\r\n',
      'netsh x > out\r\n',
      'netsh x "unclosed\r\n',
      'calc.exe\r\n',
      'rem caf\u00e9\r\n',
      'rem lf only\n',
      'echo !x!\r\n',
    ]) {
      expect(batchSafetyProblems(bad, ALLOWED_COMMANDS), bad).not.toEqual([]);
    }
  });
});
