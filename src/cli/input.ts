import { readFileSync, statSync } from 'node:fs';

export type PolicyInput = { ok: true; text: string; file: string } | { ok: false; problem: 'usage' | 'content'; message: string };

/**
 * Reads a policy from a path or `-` (stdin). A missing path or a directory is a usage error;
 * text that is not UTF-8 (or is binary) is a problem of the policy.
 */
export function readPolicy(path: string): PolicyInput {
  const file = path === '-' ? '<stdin>' : path;
  let bytes: Buffer;
  try {
    if (path !== '-' && statSync(path).isDirectory()) return { ok: false, problem: 'usage', message: `${path} is a directory, not a policy file` };
    bytes = readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { ok: false, problem: 'usage', message: `cannot read ${file}: ${why}` };
  }
  return decodePolicy(bytes, file);
}

export function decodePolicy(bytes: Uint8Array, file: string): PolicyInput {
  if (bytes.includes(0)) return { ok: false, problem: 'content', message: `${file}:1:1: error MSGR006: the file holds NUL bytes: it is binary, not a policy` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, problem: 'content', message: `${file}:${at.line}:${at.column}: error MSGR006: the file is not valid UTF-8\n  hint: save it as UTF-8` };
  }
  return { ok: true, text, file };
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
