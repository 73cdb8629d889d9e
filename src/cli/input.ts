import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { diagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { MAX_POLICY_CHARS } from '../parse/parse.js';

/**
 * A policy as read: its text; or a file that cannot be read at all (missing, a directory, no
 * permission: trouble, exit 2); or bytes that are no policy (binary, not UTF-8, too large: a
 * diagnostic, exit 1).
 */
export type PolicyInput =
  | { kind: 'text'; file: string; text: string }
  | { kind: 'unreadable'; file: string; message: string }
  | { kind: 'invalid'; file: string; diagnostic: Diagnostic };

/**
 * The most bytes read of one policy (MSGR050). A byte never decodes to more than one UTF-16 code
 * unit, so a policy within it is also within the parser's limit of characters.
 */
export const MAX_POLICY_BYTES = MAX_POLICY_CHARS;

/**
 * Reads a policy from a path or `-` (stdin), never more than `limit` bytes: a file, a pipe, a
 * FIFO or a device is read in chunks, and reading stops as soon as the input goes past the
 * limit, so `/dev/zero` or an endless pipe costs at most the limit in memory.
 */
export function readPolicy(path: string, limit = MAX_POLICY_BYTES): PolicyInput {
  // As diagnostics name it: the path as given, `<stdin>` for `-`.
  const file = path === '-' ? '<stdin>' : path;
  let fd: number | undefined;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { kind: 'unreadable', file, message: `${path} is a directory, not a policy file` };
    const read = readAtMost(fd, limit);
    if (read.more) return { kind: 'invalid', file, diagnostic: tooLarge(file, limit, stat.isFile() ? stat.size : undefined) };
    return decodePolicy(read.bytes, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    return { kind: 'unreadable', file, message: `cannot read ${file}: ${why}` };
  } finally {
    if (fd !== undefined && path !== '-') closeSync(fd);
  }
}

const CHUNK = 64 * 1024;

/** Up to `limit` bytes of `fd`, and whether there is more. */
function readAtMost(fd: number, limit: number): { bytes: Buffer; more: boolean } {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // One byte past the limit is enough to know that the input is too large.
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
    const n = readRetrying(fd, chunk);
    if (n === 0) return { bytes: Buffer.concat(chunks, total), more: false };
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) return { bytes: Buffer.concat(chunks, limit), more: true };
  }
}

/**
 * readSync, waiting out a non-blocking stdin that has nothing yet (EAGAIN: another process may
 * have set O_NONBLOCK on a descriptor it shares with us) and interrupted reads.
 */
function readRetrying(fd: number, into: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, into, 0, into.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') return 0;
      if (code !== 'EAGAIN' && code !== 'EINTR') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function tooLarge(file: string, limit: number, size: number | undefined): Diagnostic {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  const what = size !== undefined && size > limit ? `policy of ${mib(size)}` : `the input goes on past ${mib(limit)}`;
  return diagnostic('MSGR050', file, { line: 1, column: 1 }, `${what}; at most ${mib(limit)} is read, and reading stopped there`, 'split the deployment into several policies');
}

export function decodePolicy(bytes: Uint8Array, file: string): PolicyInput {
  if (bytes.includes(0)) {
    return { kind: 'invalid', file, diagnostic: diagnostic('MSGR006', file, { line: 1, column: 1 }, 'the file holds NUL bytes: it is binary, not a policy') };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { kind: 'invalid', file, diagnostic: diagnostic('MSGR006', file, firstInvalidUtf8(bytes), 'the file is not valid UTF-8', 'save it as UTF-8') };
  }
  return { kind: 'text', text, file };
}

function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the longest valid prefix (at most a few bytes of a sequence are cut).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      decoder.decode(bytes.subarray(0, mid));
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  const prefix = new TextDecoder().decode(bytes.subarray(0, lo));
  const lines = prefix.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
