/**
 * A write that could not be done, in words an administrator can act on. The writer turns every
 * error of the file system into one of these (the command prints it and exits 2), so no errno
 * string or stack reaches the user.
 */
export class OutputError extends Error {
  /** False only when putting the old files back failed too (the next run then completes the commit). */
  constructor(message: string, readonly unchanged = true) {
    super(message);
  }
}

/** A signal ended the run before its files were put in place: nothing was changed. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  EMLINK: 'too many links',
  EBUSY: 'device or resource busy',
  EXDEV: 'not on the same file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ESTALE: 'stale network file handle',
};

/** `errno` of a Node file-system error, if it is one. */
export const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** `what` failed on `path` because of `e`: "cannot create directory /proc/nope: no such file or directory". */
export function failure(what: string, path: string, e: unknown): Error {
  if (e instanceof OutputError || e instanceof Interrupted) return e;
  const code = errnoOf(e);
  const reason = (code && REASONS[code]) ?? (e as Error).message;
  return new OutputError(`cannot ${what} ${path}: ${reason}${code && REASONS[code] ? ` (${code})` : ''}`);
}
