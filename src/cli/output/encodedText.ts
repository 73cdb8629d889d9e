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

/** Whether two contents are the same bytes (compared by hash when either is already encoded). */
export function sameContent(a: FileContent, b: FileContent): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return encodedContent(a).sha256 === encodedContent(b).sha256;
}

/** The content as text (`-o -` prints it). */
export const textOf = (content: FileContent): string => (typeof content === 'string' ? content : Buffer.from(content.bytes.buffer, content.bytes.byteOffset, content.bytes.byteLength).toString('utf8'));
