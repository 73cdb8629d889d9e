// Share links: the state survives the trip through the fragment exactly, and a broken or
// hostile link is a message, never an exception, a huge allocation or anything run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeShared, encodeShared, type Shared } from '../../web/src/share.js';
import { EXAMPLES } from '../helpers.js';
import { HOSTILE_TEXT } from '../hardening/support.js';

const NAMES = ['contoso.msgr', 'branch.msgr'];

async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
}
const base64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

describe('share links', () => {
  it('carry the policy, its base, the firewall and the packet exactly, in the URL-safe alphabet', async () => {
    const state: Shared = { policy: EXAMPLES[0]!.text, base: { example: 'contoso.msgr' }, firewall: 'edge', packet: 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503' };
    const link = await encodeShared(state);
    expect(link).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(await decodeShared(link, NAMES)).toEqual({ ok: true, state });
    // Compressed: shorter than the policy itself.
    expect(link.length).toBeLessThan(EXAMPLES[0]!.text.length);
  });

  it('carry any text unchanged (hostile text, any Unicode, a base given as text)', async () => {
    for (const policy of [...HOSTILE_TEXT, '', '\u0000\r\n\u2028']) {
      const state: Shared = { policy, base: { text: policy } };
      expect(await decodeShared(await encodeShared(state), NAMES)).toEqual({ ok: true, state });
    }
    await fc.assert(
      fc.asyncProperty(fc.fullUnicodeString({ maxLength: 2000 }), fc.option(fc.string(), { nil: undefined }), async (policy, packet) => {
        const state: Shared = packet === undefined ? { policy } : { policy, packet };
        expect(await decodeShared(await encodeShared(state), NAMES)).toEqual({ ok: true, state });
      }),
      { numRuns: 50 },
    );
  });

  it('a broken link is a message that says so, whatever is wrong with it', async () => {
    const good = await encodeShared({ policy: EXAMPLES[0]!.text });
    const json = (v: unknown) => deflateRaw(new TextEncoder().encode(JSON.stringify(v))).then((b) => `v1.${base64url(b)}`);
    const cases: [string, string, RegExp][] = [
      ['another page', 'section-2', /not a msgrfw playground link/],
      ['an unknown version', `v9.${good.slice(3)}`, /not a msgrfw playground link/],
      ['cut short', good.slice(0, good.length - 40), /does not unpack/],
      ['not base64url', `${good.slice(0, 20)}<script>${good.slice(20)}`, /characters a link of this page never has/],
      ['a changed byte', good.slice(0, 30) + (good[30] === 'A' ? 'B' : 'A') + good.slice(31), /does not unpack|not what the page writes/],
      ['not JSON', `v1.${base64url(await deflateRaw(new TextEncoder().encode('{policy:')))}`, /not what the page writes/],
      ['not UTF-8', `v1.${base64url(await deflateRaw(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))}`, /does not unpack/],
      ['a policy that is no text', await json({ policy: 42 }), /not what the page writes/],
      ['an array', await json([{ policy: 'x' }]), /not what the page writes/],
      ['an unknown example', await json({ policy: 'x', base: { example: '../../etc/passwd' } }), /not what the page writes/],
      ['a packet that is no text', await json({ policy: 'x', packet: { toString: 1 } }), /not what the page writes/],
    ];
    for (const [what, link, problem] of cases) {
      const decoded = await decodeShared(link, NAMES);
      expect(decoded.ok, what).toBe(false);
      if (!decoded.ok) expect(decoded.problem, what).toMatch(problem);
    }
  });

  it('a link that unpacks into more than a policy can be is refused without unpacking it all', async () => {
    // 64 MiB of zeros compress to about 64 KiB: a bomb for a page that unpacked it whole.
    const bomb = `v1.${base64url(await deflateRaw(new Uint8Array(64 * 1024 * 1024)))}`;
    const before = process.memoryUsage().arrayBuffers;
    const decoded = await decodeShared(bomb, NAMES);
    expect(decoded).toEqual({ ok: false, problem: expect.stringMatching(/unpacks to more than a policy can be/) });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });
});
