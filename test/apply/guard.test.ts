// The lock-out guard (MSGR080): SSH_CONNECTION read as sshd writes it, and the next login from
// there evaluated as explain evaluates a packet, as input on a host (whatever its address) and
// as forwarded traffic on a gateway only when it crosses the zones.
import { describe, expect, it } from 'vitest';
import { checkLockOut, parseSshConnection } from '../../src/apply/guard.js';
import { firewallOf } from '../helpers.js';

const policy = (firewall: string) => `deployment t {
  network lan    = 10.0.0.0/24, 2001:db8::/64
  network admins = 192.0.2.0/24, 2001:db8:ad::/48
  network far    = 198.51.100.0/24
  firewall fw {
    ${firewall}
  }
}
`;
const HOST = policy('on lan\n    targets nftables\n    default deny\n    allow tcp 22 from admins');

function check(text: string, ssh: string) {
  const parsed = parseSshConnection(ssh);
  if (!parsed.ok) throw new Error(parsed.problem);
  return checkLockOut(firewallOf(text, 'fw'), 'site.msgr', parsed.connection, parsed.packet);
}

describe('SSH_CONNECTION', () => {
  it('reads IPv4, IPv6, IPv4 on an IPv6 socket (::ffff:) and link-local addresses with a zone', () => {
    const read = (s: string) => {
      const r = parseSshConnection(s);
      return r.ok ? r.connection : r.problem;
    };
    expect(read('192.0.2.5 51000 10.0.0.1 22')).toEqual({ client: '192.0.2.5', clientPort: 51000, server: '10.0.0.1', serverPort: 22 });
    expect(read('2001:db8:ad::5 40000 2001:db8::1 2222')).toEqual({ client: '2001:db8:ad::5', clientPort: 40000, server: '2001:db8::1', serverPort: 2222 });
    expect(read('::ffff:192.0.2.5 51000 ::ffff:10.0.0.1 22')).toMatchObject({ client: '192.0.2.5', server: '10.0.0.1' });
    expect(read('fe80::1%eth0 51000 fe80::2%eth0 22')).toMatchObject({ client: 'fe80::1', server: 'fe80::2' });
  });

  it('says what is wrong with one it cannot read', () => {
    expect(parseSshConnection('192.0.2.5 51000 10.0.0.1')).toEqual({ ok: false, problem: `SSH_CONNECTION is '192.0.2.5 51000 10.0.0.1', not "client_ip client_port server_ip server_port"` });
    expect(parseSshConnection('192.0.2.5 x 10.0.0.1 22')).toMatchObject({ ok: false, problem: /port 'x' is not a port number/ });
    expect(parseSshConnection('192.0.2.5 1 2001:db8::1 22')).toMatchObject({ ok: false, problem: /IPv4 and the destination IPv6/ });
  });
});

describe('the lock-out guard', () => {
  it('lets a login through that a rule accepts, naming the rule and its line', () => {
    expect(check(HOST, '192.0.2.5 51000 10.0.0.1 22')).toMatchObject({ kind: 'accepted', by: 'rule r1 (line 9)' });
    expect(check(HOST, '2001:db8:ad::5 51000 2001:db8::1 22')).toMatchObject({ kind: 'accepted' });
  });

  it('refuses one the default drops: MSGR080 at the default statement, with the fix', () => {
    const r = check(HOST, '198.51.100.9 51000 10.0.0.1 22');
    expect(r.kind).toBe('locked-out');
    if (r.kind !== 'locked-out') return;
    expect(r.diagnostic).toEqual({
      code: 'MSGR080',
      severity: 'error',
      file: 'site.msgr',
      line: 8,
      column: 5,
      message:
        'applied from this SSH session (SSH_CONNECTION: from 198.51.100.9 port 51000 to 10.0.0.1 port 22), firewall fw would drop the next SSH login: tcp 198.51.100.9:51000 -> 10.0.0.1:22 is dropped by the input default (deny)',
      hint: 'add `allow tcp 22 from 198.51.100.9` (or from the network you administer from) to firewall fw; or apply with --force if this session is not how the machine is reached (the session itself survives as established traffic, new logins do not)',
    });
  });

  it('judges the login as input wherever the server address is: the host\'s chains filter every packet to it', () => {
    // 203.0.113.1 is not in lan, yet the host's input chain would still drop the login.
    expect(check(HOST, '198.51.100.9 51000 203.0.113.1 22').kind).toBe('locked-out');
  });

  it('names a deny rule that decides before the allow, at its line; a default left out of the policy is named so', () => {
    const denied = check(policy('on lan\n    targets nftables\n    deny tcp 22 from far\n    allow tcp from far'), '198.51.100.9 51000 10.0.0.1 22');
    expect(denied).toMatchObject({ kind: 'locked-out', diagnostic: { line: 8, message: expect.stringMatching(/is dropped by rule r1 \(line 8\)$/) } });
    const leftOut = check(policy('on lan\n    targets nftables\n    allow tcp 22 from admins'), '198.51.100.9 51000 10.0.0.1 22');
    expect(leftOut).toMatchObject({ kind: 'locked-out', diagnostic: { line: 5, message: expect.stringMatching(/the input default \(deny, left out of the policy\)$/) } });
  });

  it('a gateway: a login to the gateway itself is not forwarded; one that crosses its zones is judged', () => {
    const gw = policy('between admins and far\n    targets nftables\n    default deny');
    expect(check(gw, '192.0.2.5 51000 10.0.0.1 22')).toMatchObject({ kind: 'not-filtered' });
    expect(check(gw, '192.0.2.5 51000 198.51.100.1 22')).toMatchObject({ kind: 'locked-out', diagnostic: { message: expect.stringMatching(/through the gateway to 198\.51\.100\.1 port 22/) } });
  });
});
