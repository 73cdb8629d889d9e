import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import { CONTOSO, msgrfw, noStackTrace } from './run.js';

const CONTOSO_TEXT = readFileSync(CONTOSO, 'utf8');

const lineOf = (needle: string) => CONTOSO_TEXT.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('msgrfw explain', () => {
  it('prints the verdict, the deciding rule, its catalog entry and the quoted policy lines, exit 0', () => {
    const r = msgrfw(['explain', CONTOSO, 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('edge (gateway between clients and partners), forward: ACCEPT');
    expect(r.stdout).toContain('rule r1: forward accept tcp ipv4 from clients (10.20.0.0/16) to partners (198.51.100.0/24) dport 1503,6891-6900');
    expect(r.stdout).toContain('Messenger t120: T.120 whiteboard and application sharing');
    expect(r.stdout).toContain(`${CONTOSO}:${lineOf('features im')}: features im, presence, whiteboard, application-sharing, file-transfer, audio, video`);
    expect(r.stdout).toContain(`${CONTOSO}:${lineOf('peers peers')}: peers peers`);
    // The client's own host firewall lets it out by the outbound default.
    expect(r.stdout).toContain('desktop (host firewall on clients), output: ACCEPT');
  });

  it('reads IPv6 packets in brackets, and explains return traffic', () => {
    const r = msgrfw(['explain', CONTOSO, 'udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('packet: udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061 (IPv6');
    expect(r.stdout).toMatch(/lcs-host \(host firewall on lcs\), input: DROP as a new connection; passes as return traffic/);
    expect(r.stdout).toContain(`${CONTOSO}:${lineOf('firewall lcs-host') + 3}: default deny`);
  });

  it('explains an ICMP query: the rule that decides it, in text and JSON', () => {
    const monitored = join(ROOT, 'test/kernel/fixtures/monitored.msgr');
    const r = msgrfw(['explain', monitored, 'icmp echo-request 2001:db8:50::5 -> 2001:db8:1::10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('packet: icmp echo-request 2001:db8:50::5 -> 2001:db8:1::10 (IPv6, a query, which opens an exchange its reply belongs to)');
    expect(r.stdout).toContain('srv-host (host firewall on srv), input: ACCEPT');
    expect(r.stdout).toMatch(/rule r\d+: input accept icmp ipv4\+ipv6 from monitor \(10\.50\.0\.0\/24, 2001:db8:50::\/64\) to any type echo-request/);
    expect(r.stdout).toMatch(/monitored\.msgr:25: allow icmp echo-request from monitor /);
    const j = msgrfw(['explain', monitored, '--format', 'json', '--exit-code', 'icmp timestamp-request 10.50.0.5 -> 10.1.1.10']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({
      packet: { protocol: 'icmp', family: 4, src: '10.50.0.5', dst: '10.1.1.10', icmpType: 'timestamp-request' },
      evaluations: [{ firewall: 'srv-host', direction: 'input', verdict: 'drop', decidedBy: { kind: 'policy', direction: 'input' } }],
    });
    expect(JSON.parse(j.stdout).packet).not.toHaveProperty('sport');
  });

  it('explains one firewall with -f, even one that does not see the packet', () => {
    const r = msgrfw(['explain', CONTOSO, '-f', 'lcs-host', 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lcs-host (host firewall on lcs): not filtered by this firewall');
    expect(r.stdout).not.toContain('edge');
  });

  it('prints JSON with --format json, and reads the policy from stdin', () => {
    const r = msgrfw(['explain', '-', '--format', 'json', '-f', 'edge', 'tcp 198.51.100.7:40000 -> 10.20.0.5:6900'], CONTOSO_TEXT);
    expect(r.code).toBe(0);
    const x = JSON.parse(r.stdout);
    expect(x).toMatchObject({
      packet: { protocol: 'tcp', family: 4, src: '198.51.100.7', sport: 40000, dst: '10.20.0.5', dport: 6900 },
      evaluations: [{ firewall: 'edge', direction: 'forward', verdict: 'accept', decidedBy: { kind: 'rule', rule: { id: 'r2', catalog: [{ id: 'file-transfer' }] }, lines: [{ file: '<stdin>', line: lineOf('features im') }, { line: lineOf('peers peers') }] } }],
    });
  });

  it('rejects a malformed packet or an unknown firewall with a usage error, exit 2', () => {
    for (const args of [
      [CONTOSO, 'tcp 10.20.0.5:51000 198.51.100.7:1503'],
      [CONTOSO, 'sctp 10.20.0.5:1 -> 198.51.100.7:2'],
      [CONTOSO, 'tcp 2001:db8::1:80 -> 198.51.100.7:2'],
      [CONTOSO, 'tcp 10.20.0.5:70000 -> 198.51.100.7:2'],
      [CONTOSO, '-f', 'nope', 'tcp 10.20.0.5:1 -> 198.51.100.7:2'],
      [CONTOSO],
    ]) {
      const r = msgrfw(['explain', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      noStackTrace(r.stderr);
    }
    expect(msgrfw(['explain', CONTOSO, 'tcp 2001:db8::1:80 -> 198.51.100.7:2']).stderr).toMatch(/IPv6 address goes in brackets/);
  });

  it('shows the diagnostics of a policy with errors, exit 1', () => {
    const r = msgrfw(['explain', '-', 'tcp 10.0.0.1:1 -> 10.0.0.2:2'], 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MSGR014/);
  });

  describe('--exit-code, for scripts: 0 the packet passes, 1 a firewall drops it, 2 trouble', () => {
    it.each([
      ['accepted by every firewall that judges it', 0, ['tcp 10.20.0.5:51000 -> 198.51.100.7:1503'], /edge .*: ACCEPT/],
      ['judged by no firewall', 0, ['tcp 192.0.2.1:1000 -> 192.0.2.2:80'], /no firewall of the policy judges this packet/],
      ['not seen by the one firewall asked about', 0, ['-f', 'lcs-host', 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503'], /not filtered by this firewall/],
      ['dropped by the gateway', 1, ['tcp 198.51.100.7:40000 -> 10.20.0.5:22'], /edge .*: DROP$/m],
      ['dropped as a new connection, passed only as return traffic', 1, ['udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061'], /DROP as a new connection; passes as return traffic/],
    ])('%s: exit %i', (_what, code, args, shown) => {
      const r = msgrfw(['explain', CONTOSO, '--exit-code', ...(args as string[])]);
      expect(r.stdout).toMatch(shown as RegExp);
      expect(r.code).toBe(code);
      // Without --exit-code, the same explanation exits 0.
      expect(msgrfw(['explain', CONTOSO, ...(args as string[])]).code).toBe(0);
    });

    it('makes policy errors and unreadable files trouble (2), never a drop (1)', () => {
      const broken = msgrfw(['explain', '-', '--exit-code', 'tcp 10.0.0.1:1 -> 10.0.0.2:2'], 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(/MSGR014/);
      expect(msgrfw(['explain', '/no/such.msgr', '--exit-code', 'tcp 10.0.0.1:1 -> 10.0.0.2:2']).code).toBe(2);
    });
  });
});
