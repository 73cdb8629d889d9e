// Text a render thread encodes for the writer (src/cli/output/encodedText.ts).
import { createHash } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EncodingBuffer, encodeText, encodedContent, sameContent, textOf } from '../../../src/cli/output/encodedText.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('encoded text', () => {
  it('is the UTF-8 bytes of the text and the SHA-256 of exactly those bytes', () => {
    const text = 'add rule inet msgr in ip saddr 10.0.0.0/8 accept # Zürich → 東京\n';
    const { bytes, sha256: hash } = encodeText(text);
    expect(Buffer.from(bytes).equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(hash).toBe(sha256(Buffer.from(text, 'utf8')));
    expect(textOf({ bytes, sha256: hash })).toBe(text);
    expect(textOf(text)).toBe(text);
  });

  it('sits in a buffer of its own, so a thread can hand it over without taking anything else along', () => {
    // Short text is where Buffer.from shares a pool with other buffers.
    const short = encodeText('short\n');
    const other = encodeText('another short one\n');
    expect(short.bytes.byteOffset).toBe(0);
    expect(short.bytes.buffer.byteLength).toBe(short.bytes.byteLength);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(short.bytes, [short.bytes.buffer as ArrayBuffer]);
    port1.close();
    port2.close();
    expect(short.bytes.byteLength).toBe(0); // handed over
    expect(textOf(other)).toBe('another short one\n'); // untouched
  });

  it('compares as the same content as its text, and as different from other text', () => {
    const a = 'table inet msgr {}\n';
    expect(sameContent(a, a)).toBe(true);
    expect(sameContent(a, encodeText(a))).toBe(true);
    expect(sameContent(encodeText(a), encodeText(a))).toBe(true);
    expect(sameContent(a, encodeText(`${a} `))).toBe(false);
    expect(sameContent(a, `${a} `)).toBe(false);
    const given = encodeText(a);
    expect(encodedContent(given)).toBe(given);
  });

  it('encoded file after file into one buffer is each file\'s bytes and hash, short after long, growing as needed, and bytes given stay as given', () => {
    const buffer = new EncodingBuffer();
    for (const text of ['a'.repeat(10), 'ü'.repeat(100_000), 'short ✓\n', 'x'.repeat(300_000), '']) {
      const { bytes, sha256: hash } = buffer.encode(text);
      expect(Buffer.from(bytes).toString('utf8')).toBe(text);
      expect(hash).toBe(sha256(Buffer.from(text, 'utf8')));
    }
    const given = encodeText('given\n');
    expect(buffer.encode(given)).toBe(given);
  });
});
