import { describe, expect, it } from 'vitest';
import { ObjectIds, rulesFingerprint, sameRules } from '../../src/optimise/sameRules.js';
import type { PlacedRule } from '../../src/place/placed.js';
import { net, ports } from './fixtures.js';

const A = net('a', '10.1.0.0/16');
const SIP = ports('sip', [5061, 5061]);
const ORIGIN = { line: 4, column: 3, text: 'clients office: server lcs via tls' };
const RULE: PlacedRule = { direction: 'input', action: 'accept', protocol: 'tcp', src: A, dstPorts: SIP, origins: [ORIGIN], catalog: ['sip-tls'], source: 'KB 903056' };

describe('whether two firewalls were placed the same rules', () => {
  it('holds for the same rules, and for rules that hold the same objects', () => {
    expect(sameRules([RULE], [RULE])).toBe(true);
    expect(sameRules([RULE], [{ ...RULE, src: { ...A }, dstPorts: { ...SIP }, origins: [ORIGIN], catalog: ['sip-tls'] }])).toBe(true);
    const ids = new ObjectIds();
    expect(rulesFingerprint([RULE, RULE], ids)).toBe(rulesFingerprint([{ ...RULE }, { ...RULE, origins: [ORIGIN] }], ids));
  });

  it('fails for a difference in any part, and for equal sets or port lists that are other objects (never confused, at worst not recognised)', () => {
    const other: Partial<PlacedRule>[] = [
      { direction: 'output' },
      { action: 'drop' },
      { protocol: 'udp' },
      { src: { name: 'a', set: net('a', '10.2.0.0/16').set } },
      { src: net('a', '10.1.0.0/16') },
      { src: undefined },
      { dst: A },
      { dstPorts: ports('sip', [5060, 5061]) },
      { dstPorts: { label: 'sip_tls', ranges: SIP.ranges } },
      { srcPorts: SIP },
      { origins: [{ ...ORIGIN }] },
      { origins: [ORIGIN, ORIGIN] },
      { catalog: ['sip-tcp'] },
      { catalog: undefined },
      { source: 'KB 903056, other' },
      { icmpTypes: [{ name: 'echo-request', v4: 8, v6: 128 }] },
    ];
    for (const change of other) expect(sameRules([RULE], [{ ...RULE, ...change }])).toBe(false);
    expect(sameRules([RULE], [RULE, RULE])).toBe(false);
  });
});
