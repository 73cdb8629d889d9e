import { describe, expect, it } from 'vitest';
import { codesOf, diagnosticsOf, irOf } from '../helpers.js';

/** Two clients blocks, `a` and `b`, whose networks and settings a test chooses. */
const twoBlocks = (o: { a?: string; b?: string; aNet?: string; bNet?: string; via?: 'tls' | 'tcp' } = {}) => `deployment t {
  network a   = ${o.aNet ?? '10.0.0.0/16'}
  network b   = ${o.bNet ?? '10.0.5.0/24'}
  network srv = 10.1.1.10
  server srv {
    sip ${o.via ?? 'tls'}
  }
  clients a {
    server srv via ${o.via ?? 'tls'}
    features im, audio
    ${o.a ?? 'media ports 50000-50039'}
  }
  clients b {
    server srv via ${o.via ?? 'tls'}
    features im, audio
    ${o.b ?? 'media ports 60000-60039'}
  }
  firewall fw {
    between a and srv
    targets nftables
  }
}
`;

describe('MSGR062: overlapping clients blocks that ask Group Policy for different ranges', () => {
  it('warns at the later block, naming the shared addresses and both ranges', () => {
    const [d] = diagnosticsOf(twoBlocks()).filter((x) => x.code === 'MSGR062');
    expect(d).toMatchObject({ severity: 'warning', line: 13, column: 3 });
    expect(d!.message).toBe(
      'clients b and clients a (line 8) share 10.0.5.0/24 but set the media range (MinMediaPort/MaxMediaPort) to 60000-60039 and 50000-50039: ' +
        'a machine in both holds one PortRange, so the rules the firewalls open for one of the blocks do not fit its ports',
    );
    expect(d!.hint).toBe('give overlapping clients blocks the same media range, or make their networks disjoint');
    // A warning: the policy still compiles, and each block still gets its own file.
    expect(irOf(twoBlocks()).groupPolicy.map((g) => g.media)).toEqual([{ from: 50000, to: 50039 }, { from: 60000, to: 60039 }]);
  });

  it('the SIP dynamic range in TCP mode too', () => {
    const text = twoBlocks({ via: 'tcp', a: 'sip dynamic ports 7000-7049\n    media ports 50000-50039', b: 'sip dynamic ports 7100-7149\n    media ports 50000-50039' });
    expect(diagnosticsOf(text).filter((x) => x.code === 'MSGR062').map((x) => x.message.match(/set the (.*?) \(/)![1])).toEqual(['SIP dynamic range']);
  });

  it.each([
    ['the same range', twoBlocks({ b: 'media ports 50000-50039' })],
    ['disjoint networks', twoBlocks({ bNet: '10.7.0.0/24' })],
    ['a range one block leaves out (it sets nothing)', twoBlocks({ b: '' })],
    ['a range that has no effect (SIP under TLS)', twoBlocks({ a: 'sip dynamic ports 7000-7049\n    media ports 50000-50039', b: 'sip dynamic ports 7100-7149\n    media ports 50000-50039' })],
  ])('no warning for %s', (_what, text) => {
    expect(codesOf(text).filter((c) => c.startsWith('MSGR062'))).toEqual([]);
  });
});
