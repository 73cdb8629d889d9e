import { describe, expect, it } from 'vitest';
import { codesOf as allCodesOf, policy } from '../helpers.js';

/**
 * No cascade after a typo: a statement that failed (to parse, or to resolve) gets its own error,
 * and nothing is reported about the absence of what it would have said. The default firewall of
 * the helper's policy draws the MSGR073 lint, which is beside the point here.
 */
const codesOf = (text: string) => allCodesOf(text).filter((c) => !c.startsWith('MSGR073@'));
const tcpServer = 'sip tcp';

describe('a statement that failed is not reported missing', () => {
  it('a misspelt `sip dynamic ports` gives MSGR002, not also "set no SIP dynamic range" (MSGR028)', () => {
    const typo = codesOf(policy({ server: tcpServer, clients: 'server srv via tcp\n    features im\n    sip dynamc ports 5300-5339' }));
    expect(typo).toEqual(['MSGR032@6', 'MSGR002@11']);
    // Without the line, the fallback is worth the warning.
    expect(codesOf(policy({ server: tcpServer, clients: 'server srv via tcp\n    features im' }))).toContain('MSGR028@9');
  });

  it('a misspelt `media ports` gives MSGR002, not also MSGR028', () => {
    expect(codesOf(policy({ clients: 'server srv via tls\n    features im, audio\n    media prots 50000-50039' }))).toEqual(['MSGR002@11']);
  });

  it('`via TCP` gives MSGR037, not also "no clients use" (MSGR031) for the server\'s listeners', () => {
    expect(codesOf(policy({ server: 'sip tls\n    sip tcp', clients: 'server srv via TCP\n    features im' }))).toEqual(['MSGR032@7', 'MSGR037@10']);
  });

  it('a misspelt server name gives MSGR010 with a suggestion, and no listener is called unused', () => {
    expect(codesOf(policy({ clients: 'server sr via tls\n    features im' }))).toEqual(['MSGR010@9']);
  });

  it('a `server` line of a clients block that failed to parse, or is missing, leaves no listener unused', () => {
    expect(codesOf(policy({ clients: 'server srv vai tls\n    features im' }))).toEqual(['MSGR002@9']);
    expect(codesOf(policy({ clients: 'features im' }))).toEqual(['MSGR034@8']);
  });

  it('a listener that failed to parse or resolve leaves the transport "offered": no MSGR030, no MSGR034', () => {
    expect(codesOf(policy({ server: 'sip tsl' }))).toEqual(['MSGR037@6']);
    expect(codesOf(policy({ server: 'sip tls prot 5061' }))).toEqual(['MSGR002@6']);
    expect(codesOf(policy({ server: 'sip tls port 70000' }))).toEqual(['MSGR021@6']);
  });

  it('an unknown feature gives MSGR020, not also "media ports have no effect" (MSGR035)', () => {
    expect(codesOf(policy({ clients: 'server srv via tls\n    features im, audoi\n    media ports 50000-50039' }))).toEqual(['MSGR020@10']);
    expect(codesOf(policy({ clients: 'server srv via tls\n    features im\n    media ports 50000-50039' }))).toEqual(['MSGR035@11']);
  });

  it('a network declaration that failed to parse gives one error, not "unknown network" wherever it is used', () => {
    const text = policy({ networks: 'network cl = 10.20.0.0/16 10.21.0.0/16\n  network srv = 10.1.1.10\n  network pt = 198.51.100.0/24', firewalls: 'firewall fw {\n    on cl\n    targets nftables\n  }' });
    expect(codesOf(text)).toEqual(['MSGR001@2']);
  });

  it('a server block that failed to parse gives one error, not "has no server block" (MSGR033) in its clients', () => {
    const text = policy({}).replace('server srv {', 'server srv x {');
    expect(codesOf(text)).toEqual(['MSGR001@5']);
  });

  it('a server block whose network is unknown gives MSGR010 there, not again in its clients', () => {
    const text = policy({ clients: 'server svr via tls\n    features im' }).replace('server srv {', 'server svr {');
    expect(codesOf(text)).toEqual(['MSGR010@5']);
  });

  it('keeps warnings the failed statement could not have silenced: another block\'s, another server\'s', () => {
    const text = `deployment t {
  network a = 10.20.0.0/16
  network b = 10.21.0.0/16
  network s1 = 10.1.1.10
  network s2 = 10.1.1.11
  server s1 {
    sip tcp
  }
  server s2 {
    sip tls
  }
  clients a {
    server s1 via tcp
    features im
    sip dynamc ports 7000-7099
  }
  clients b {
    server s1 via tcp
    features im
  }
}
`;
    // b sets no SIP range (MSGR028 at its server line), s2 is unused (MSGR031): both stand.
    expect(codesOf(text)).toEqual(['MSGR032@7', 'MSGR031@10', 'MSGR002@15', 'MSGR028@18']);
  });
});
