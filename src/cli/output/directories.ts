import { lstatSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { errnoOf, failure, OutputError } from './failure.js';

/**
 * Makes a directory and its missing parents one level at a time, walking down from the first
 * that exists, and returns those it made (outermost first). Node's recursive mkdir is not used:
 * where the file system refuses a directory without saying why it cannot be made (under /proc
 * it loops for ever), a plain mkdir fails once and the failure names the directory.
 */
export function makeDirectories(dir: string): string[] {
  const missing: string[] = [];
  const shown = (d: string) => (isAbsolute(dir) ? d : relative(process.cwd(), d) || '.');
  for (let d = resolve(dir); ; d = dirname(d)) {
    const kind = kindOf(d);
    if (kind === 'directory') break;
    if (kind === 'other') throw new OutputError(`cannot write into ${shown(d)}: it is a file, not a directory`);
    if (kind === 'dangling link') throw new OutputError(`cannot write into ${shown(d)}: it is a symbolic link to nothing`);
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const made: string[] = [];
  try {
    for (const d of missing) {
      try {
        mkdirSync(d);
        made.push(d);
      } catch (e) {
        // Made meanwhile by someone else: fine if it is a directory now.
        if (errnoOf(e) !== 'EEXIST' || kindOf(d) !== 'directory') throw failure('create directory', shown(d), e);
      }
    }
  } catch (e) {
    removeDirectories(made);
    throw e;
  }
  return made;
}

/** Removes directories a run made (deepest first), each only if it is empty. */
export function removeDirectories(made: readonly string[]): void {
  for (const d of [...made].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // Not empty (something was put there meanwhile) or already gone: leave it.
    }
  }
}

function kindOf(path: string): 'directory' | 'other' | 'missing' | 'dangling link' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (e) {
    const code = errnoOf(e);
    // A file further up: the walk goes on up and names it.
    if (code === 'ENOTDIR') return 'missing';
    if (code !== 'ENOENT') throw failure('look at', path, e);
    try {
      return lstatSync(path).isSymbolicLink() ? 'dangling link' : 'missing';
    } catch {
      return 'missing';
    }
  }
}
