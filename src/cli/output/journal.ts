import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoOf, OutputError } from './failure.js';
import { newNonce } from './holder.js';

/**
 * The commit of a run, one directory at a time: the renames it will do, written down (and synced
 * to disk) before the first one. Once the journal is in place the run's files are all ready, so
 * the run is as good as done: if it is killed, the next run that locks the directory completes it
 * (or, should a file no longer be intact, undoes it) and says so.
 */
export const JOURNAL = '.msgrfw-journal.json';

/** Temporary files, backups and pending locks are short names, whatever the length of the file they stand for. */
export const SCRATCH = /^\.msgrfw-[0-9a-f]{16}\.(tmp|old|lock)$/;
export const scratchName = (kind: 'tmp' | 'old'): string => `.msgrfw-${newNonce()}.${kind}`;

/**
 * Put `temp` in place as `name`. The old file, if any, is kept as `backup` until the commit is
 * over: a hard link made before the commit, or (`aside`, where hard links are refused) moved there
 * during it.
 */
export interface WriteStep {
  kind: 'write';
  name: string;
  temp: string;
  backup?: string;
  aside?: boolean;
  sha256: string;
}

/** Remove `name` (a stale file) by moving it to `backup`, which goes when the commit is over. */
export interface RemoveStep {
  kind: 'remove';
  name: string;
  backup: string;
  sha256: string;
}

export type Step = WriteStep | RemoveStep;

export const sha256Of = (content: string | Uint8Array): string => createHash('sha256').update(content).digest('hex');

export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The hash of a regular file, or undefined (missing, a link, a directory). */
export function fileHash(path: string): string | undefined {
  try {
    return lstatSync(path).isFile() ? sha256Of(readFileSync(path)) : undefined;
  } catch {
    return undefined;
  }
}

/** Does every step's renames that are not done yet; each looks at what is there, so this may be repeated. */
export function applySteps(dir: string, steps: readonly Step[], afterStep: (done: number) => void = () => {}): void {
  const at = (n: string) => join(dir, n);
  steps.forEach((s, i) => {
    if (s.kind === 'write') {
      if (exists(at(s.temp))) {
        if (s.aside && s.backup && !exists(at(s.backup)) && exists(at(s.name))) renameSync(at(s.name), at(s.backup));
        renameSync(at(s.temp), at(s.name));
      }
    } else if (!exists(at(s.backup)) && exists(at(s.name))) {
      renameSync(at(s.name), at(s.backup));
    }
    afterStep(i + 1);
  });
}

/** After the commit: the old files go. */
export function dropBackups(dir: string, steps: readonly Step[]): void {
  for (const s of steps) if (s.backup) unlinkIfThere(join(dir, s.backup));
}

/**
 * Puts back what the steps replaced or removed and removes their temporaries, whatever point they
 * reached. Returns the files it could not put back (their backup is gone).
 */
export function undoSteps(dir: string, steps: readonly Step[]): string[] {
  const at = (n: string) => join(dir, n);
  const lost: string[] = [];
  for (const s of [...steps].reverse()) {
    const placed = s.kind === 'write' && !exists(at(s.temp)) && fileHash(at(s.name)) === s.sha256;
    if (s.kind === 'write') unlinkIfThere(at(s.temp));
    if (s.backup && exists(at(s.backup))) {
      // A hard-link backup of a file never replaced is the file itself: only the extra name goes.
      if (exists(at(s.name)) && sameFile(at(s.name), at(s.backup))) unlinkSync(at(s.backup));
      else if (s.kind === 'write' || !exists(at(s.name))) renameSync(at(s.backup), at(s.name));
    } else if (placed && !s.backup) {
      unlinkSync(at(s.name));
    } else if (placed) {
      lost.push(s.name);
    }
  }
  return lost;
}

/** Whether a killed run's commit can be completed: each new file is whole, in its temporary or in place. */
export function isIntact(dir: string, steps: readonly Step[]): boolean {
  const at = (n: string) => join(dir, n);
  return steps.every((s) => {
    if (s.kind === 'write') return fileHash(at(exists(at(s.temp)) ? s.temp : s.name)) === s.sha256;
    return exists(at(s.backup)) || !exists(at(s.name)) || fileHash(at(s.name)) === s.sha256;
  });
}

export function writeJournal(dir: string, steps: readonly Step[]): void {
  const temp = join(dir, scratchName('tmp'));
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeFileSync(fd, `${JSON.stringify({ journal: 'msgrfw', version: 1, pid: process.pid, steps }, null, 1)}\n`);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkIfThere(temp);
    throw e;
  }
  closeSync(fd);
  renameSync(temp, join(dir, JOURNAL));
  syncDirectory(dir);
}

/** A killed run's journal, or undefined when there is none. */
export function readJournal(dir: string, shown: string): { pid: number; steps: Step[] } | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, JOURNAL), 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
  const journal = parseJournal(text);
  if (!journal) {
    throw new OutputError(
      `cannot write into ${shown}: ${join(shown, JOURNAL)} is not a journal msgrfw can read, so the run that left it cannot be completed or undone` +
        `\n  look at the files of ${shown} (temporary files are .msgrfw-*.tmp, old versions .msgrfw-*.old), then remove the journal`,
    );
  }
  return journal;
}

export function removeJournal(dir: string): void {
  unlinkIfThere(join(dir, JOURNAL));
  syncDirectory(dir);
}

/** The journal is never trusted: a step names only plain files of its own directory. */
function parseJournal(text: string): { pid: number; steps: Step[] } | undefined {
  let doc: { journal?: unknown; version?: unknown; pid?: unknown; steps?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    return undefined;
  }
  if (doc?.journal !== 'msgrfw' || doc.version !== 1 || !Number.isSafeInteger(doc.pid) || !Array.isArray(doc.steps)) return undefined;
  const plain = (n: unknown) => typeof n === 'string' && n !== '' && n !== '.' && n !== '..' && !/[/\0]/.test(n) && n !== JOURNAL;
  const scratch = (n: unknown, kind: string) => typeof n === 'string' && SCRATCH.test(n) && n.endsWith(`.${kind}`);
  const hash = (h: unknown) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h);
  type Loose = { [K in 'kind' | 'name' | 'temp' | 'backup' | 'aside' | 'sha256']?: unknown };
  const ok = (doc.steps as Loose[]).every(
    (s) =>
      plain(s.name) && hash(s.sha256) &&
      ((s.kind === 'write' && scratch(s.temp, 'tmp') && (s.backup === undefined || scratch(s.backup, 'old')) && (s.aside === undefined || typeof s.aside === 'boolean')) ||
        (s.kind === 'remove' && scratch(s.backup, 'old'))),
  );
  return ok ? { pid: doc.pid as number, steps: doc.steps as Step[] } : undefined;
}

/** Makes renames in a directory durable (where the file system allows a directory to be synced). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here (some network file systems): the renames are still done
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sameFile(a: string, b: string): boolean {
  const x = lstatSync(a);
  const y = lstatSync(b);
  return x.ino === y.ino && x.dev === y.dev;
}

export function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
  }
}
