import { sha256Of } from './journal.js';

/**
 * A file's text already encoded as UTF-8, with the SHA-256 of those bytes: what a render thread
 * sends back (src/cli/threads). The bytes sit in a buffer of their own, so a thread can hand it
 * over without a copy, and the writer writes them as they are, recording the hash taken from them.
 */
export interface EncodedText {
  bytes: Uint8Array;
  sha256: string;
}

/** A file's content as the writer takes it: text, or text a thread encoded and hashed. */
export type FileContent = string | EncodedText;

/**
 * `text` as UTF-8 bytes in a buffer of their own, and their hash. Buffer.from encodes far faster
 * than TextEncoder (measured: 3× on a 10 MB file), but places short text in a pool shared with
 * other buffers, which cannot be handed over alone: short text is copied out of it.
 */
export function encodeText(text: string): EncodedText {
  const encoded = Buffer.from(text, 'utf8');
  const bytes = encoded.byteLength === encoded.buffer.byteLength ? encoded : new Uint8Array(encoded);
  return { bytes, sha256: sha256Of(bytes) };
}

/** The content as bytes and hash: text is encoded once, and hashed from the bytes the writer writes. */
export const encodedContent = (content: FileContent): EncodedText => (typeof content === 'string' ? encodeText(content) : content);

/**
 * One buffer that file after file is encoded into, for the writer: fresh memory costs a page fault
 * per 4 KiB at first touch, and a run's 100 MB encoded into new buffers each time costs that many
 * (measured: README, Performance). The bytes of one file are valid until the next is encoded.
 */
export class EncodingBuffer {
  private buffer = Buffer.allocUnsafeSlow(0);

  encode(content: FileContent): EncodedText {
    if (typeof content !== 'string') return content;
    const length = Buffer.byteLength(content, 'utf8');
    if (length > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(Math.max(length, 2 * this.buffer.length));
    const bytes = this.buffer.subarray(0, this.buffer.write(content, 0, 'utf8'));
    return { bytes, sha256: sha256Of(bytes) };
  }
}

/** Whether two contents are the same bytes (compared by hash when either is already encoded). */
export function sameContent(a: FileContent, b: FileContent): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return encodedContent(a).sha256 === encodedContent(b).sha256;
}

/** The content as text (`-o -` prints it). */
export const textOf = (content: FileContent): string => (typeof content === 'string' ? content : Buffer.from(content.bytes.buffer, content.bytes.byteOffset, content.bytes.byteLength).toString('utf8'));
