import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/files/sha256.js';

const nodeSha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('sha256Hex: the same digest as node:crypto, in code the browser runs too', () => {
  it('on the standard vectors and on every length around the block boundaries', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (let n = 0; n < 200; n++) expect(sha256Hex('x'.repeat(n)), `length ${n}`).toBe(nodeSha256('x'.repeat(n)));
  });

  it('on any text, multi-byte UTF-8 and lone surrogates included', () => {
    fc.assert(fc.property(fc.fullUnicodeString({ maxLength: 300 }), fc.string({ maxLength: 10 }), (a, b) => sha256Hex(a + b) === nodeSha256(a + b)));
    expect(sha256Hex('\ud800 lone')).toBe(nodeSha256('\ud800 lone'));
  });
});
