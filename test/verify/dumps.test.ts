// verify -t pf and -t netsh from saved dumps (test/verify/dumps/, each built from the format's
// documentation, its source written at its top or in the README): 0 when the dump is what the
// policy says, 1 with the diff-style report when a rule was added, lost or changed, or nothing
// was applied, 2 when the dump cannot be read exactly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { CONTOSO, msgrfw, noStackTrace } from '../cli/run.js';

const PF = readFileSync(join(ROOT, 'test/verify/dumps/edge.pf.txt'), 'utf8');
const NETSH = readFileSync(join(ROOT, 'test/verify/dumps/lcs-host.netsh.txt'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'msgrfw-dumps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function verify(target: 'pf' | 'netsh', dump: string, ...extra: string[]) {
  const path = join(dir, `dump${n++}.txt`);
  writeFileSync(path, dump);
  const r = msgrfw(['verify', CONTOSO, '-f', target === 'pf' ? 'edge' : 'lcs-host', '-t', target, '--ruleset', path, ...extra]);
  noStackTrace(r.stderr);
  return r;
}

describe('verify -t pf --ruleset DUMP (pfctl -sr and -T show)', () => {
  it('0 for the anchor as pfctl lists it: lists expanded into rules, !self expanded into the machine\'s addresses', () => {
    const r = verify('pf', PF);
    expect(r.stdout).toContain('+++ live: pf anchor msgr/edge (saved dump)');
    expect(r.stdout).toContain('the live firewall does what the policy says');
    expect(r.code).toBe(0);
  });

  it('1 after a rule added by hand, naming 23/tcp and the dump line', () => {
    const r = verify('pf', `pass quick inet proto tcp from any to any port = 23 flags S/SA keep state\n${PF}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\+ allowed live, not by the policy:\n {6}tcp forward ipv4 {2}10\.20\.0\.0\/16 -> 198\.51\.100\.0\/24 {2}dport 23\n/);
    expect(r.stdout).toContain('    live: accepted by pfctl -sr line 1: pass quick inet proto tcp from any to any port = 23 flags S/SA keep state');
    const json = JSON.parse(verify('pf', `pass quick inet proto tcp from any to any port = 23 flags S/SA keep state\n${PF}`, '--format', 'json').stdout);
    expect(json).toMatchObject({ status: 'drift', target: 'pf', live: 'pf anchor msgr/edge (saved dump)' });
    expect(json.allowedOnlyLive.length).toBeGreaterThan(0);
  });

  it('1 after a lost rule, naming the flow and the policy line', () => {
    const r = verify('pf', PF.replace(/^pass .*port 6891:6900 .*"edge r1"\n/m, ''));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  - allowed by the policy, not live:\n      tcp forward ipv4  10.20.0.0/16 -> 198.51.100.0/24  dport 6891-6900');
    expect(r.stdout).toMatch(/policy: accepted by rule r1/);
  });

  it('1 after a table member changed by hand, naming the table', () => {
    const r = verify('pf', PF.replace('   198.51.100.0/24', '   198.51.100.0/24\n   203.0.113.0/24'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('changed: table <partners> holds { 198.51.100.0/24, 203.0.113.0/24 }');
  });

  it('1 for an empty anchor: not applied', () => {
    const r = verify('pf', '');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not applied: anchor msgr/edge has no rules in the dump');
  });

  it('2 for what it cannot read exactly, a missing file, or no --ruleset', () => {
    const r = verify('pf', `pass quick on em0 route-to (em1 192.0.2.1) from any to any\n${PF}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read pf anchor msgr\/edge \(saved dump\) exactly: .*dump line 1/);
    expect(verify('pf', `${PF}   not-an-address\n`).stderr).toContain("is not an address of a table listing");
    const missing = msgrfw(['verify', CONTOSO, '-f', 'edge', '-t', 'pf', '--ruleset', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the dump');
    const none = msgrfw(['verify', CONTOSO, '-f', 'edge', '-t', 'pf']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give --ruleset FILE');
  });
});

describe('verify -t netsh --ruleset DUMP (show rule … verbose, show allprofiles)', () => {
  it('0 for the rule as netsh shows it (IPv4 with a dotted mask) with the profiles\' policy', () => {
    const r = verify('netsh', NETSH);
    expect(r.stdout).toContain('the live firewall does what the policy says');
    expect(r.code).toBe(0);
  });

  const extra = NETSH.replace('Ok.\n', '').replace('\nDomain Profile', [
    'Rule Name:                            msgrfw contoso lcs-host',
    '----------------------------------------------------------------------',
    'Enabled:                              Yes',
    'Direction:                            In',
    'Profiles:                             Domain,Private,Public',
    'LocalIP:                              Any',
    'RemoteIP:                             Any',
    'Protocol:                             TCP',
    'LocalPort:                            23',
    'RemotePort:                           Any',
    'Edge traversal:                       No',
    'Action:                               Allow',
    'Ok.',
    '',
    '\nDomain Profile',
  ].join('\n'));

  it('1 after a rule added by hand under msgrfw\'s name, naming 23/tcp and the rule', () => {
    const r = verify('netsh', extra);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\+ allowed live, not by the policy:\n {6}tcp input ipv4 {2}any -> any {2}dport 23\n/);
    expect(r.stdout).toMatch(/foreign: a rule the policy does not have: dump line \d+: msgrfw contoso lcs-host \(In, Allow\)/);
  });

  it('1 after the rule was disabled, naming the flow it lost', () => {
    const r = verify('netsh', NETSH.replace('Enabled:                              Yes', 'Enabled:                              No'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  - allowed by the policy, not live:\n      tcp input ipv4  10.20.0.0/16 -> any  dport 5061');
    expect(r.stdout).toContain('missing: 1 rule(s) of the policy are missing from the dump');
  });

  it('1 when the rule was never added: not applied', () => {
    const r = verify('netsh', 'No rules match the specified criteria.\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not applied: the dump has no rule named "msgrfw contoso lcs-host"');
  });

  it('1 when a profile lets inbound traffic in; 2 when the profiles differ or are not in the dump', () => {
    const all = NETSH.replaceAll('BlockInbound,AllowOutbound', 'AllowInbound,AllowOutbound');
    expect(verify('netsh', all).code).toBe(1);
    const one = verify('netsh', NETSH.replace('BlockInbound,AllowOutbound', 'AllowInbound,AllowOutbound'));
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('the profiles differ (domain: on allowinbound,allowoutbound; private: on blockinbound,allowoutbound');
    const noProfiles = verify('netsh', NETSH.slice(0, NETSH.indexOf('Domain Profile')));
    expect(noProfiles.code).toBe(2);
    expect(noProfiles.stderr).toContain('append the output of netsh advfirewall show allprofiles');
  });

  it('2 for what it cannot model: a program, a machine-dependent address keyword', () => {
    expect(verify('netsh', NETSH.replace('Grouping:', 'Program:                              C:\\x.exe\nGrouping:')).stderr).toContain('program C:\\x.exe is not modelled');
    const subnet = verify('netsh', NETSH.replace('LocalIP:                              Any', 'LocalIP:                              LocalSubnet'));
    expect(subnet.code).toBe(2);
    expect(subnet.stderr).toContain('address LocalSubnet is not modelled');
  });
});
